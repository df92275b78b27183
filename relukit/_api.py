"""Thin wrappers for the parametric ops: defaults, validation, from_output.

Each validates its parameters before anything is computed (so a rejected call
writes nothing to ``out``) and then calls one ufunc, so ``out=``, ``where=``,
``dtype=``, broadcasting and ``__array_ufunc__`` (Dask, xarray) keep working.
Parameters are scalars or arrays that broadcast against ``x``; array parameters
are first rounded to ``x``'s float dtype (scalars are, by NumPy's rules).
"""
import numpy as np

from relukit._ufuncs import F32PAR_UFUNCS as _F32PAR
from relukit._ufuncs import UFUNCS as _U

_BLOCK = 1 << 16  # elements per block of prelu's weight-gradient reduction
_CHECK_BLOCK = 1 << 14  # elements per block when checking a parameter array (NaN, sign, bounds)


# float dtypes with loops besides NumPy's own: bfloat16, added at import where
# ml_dtypes is installed (relukit/__init__.py)
_EXTRA_FLOATS = set()
# the 16-bit float dtypes: computed in float32, scalar parameters included
# (torch's opmath rule), through the ufuncs of _ufuncs.F32PAR_UFUNCS
_HALF = {np.dtype(np.float16)}
_F32 = np.dtype(np.float32)


def _operand(x):
    """``(x, its dtype)``: x itself where it carries a NumPy dtype (an ndarray,
    a Dask array, an xarray or pandas object), else ``np.asarray(x)`` (a list, a
    torch tensor), as the ufunc would convert it."""
    if type(x) is np.ndarray:
        return x, x.dtype
    dt = getattr(x, "dtype", None)
    if isinstance(dt, np.dtype):
        return x, dt
    if hasattr(x, "__array_ufunc__"):  # a duck array that takes the ufunc call itself
        return x, np.asarray(x).dtype
    xa = np.asarray(x)
    return xa, xa.dtype


def _float_dtype(x):
    dt = getattr(x, "dtype", None)
    if dt is None or not isinstance(dt, np.dtype):
        dt = _operand(x)[1]
    return dt if _is_float(dt) else None


def _is_float(dt):
    """A float dtype relukit has loops for: NumPy's, or an _EXTRA_FLOATS one."""
    return dt.kind == "f" or dt in _EXTRA_FLOATS


def _loop_dtype(dt, out, kwargs):
    """The float dtype the ufunc loop computes in, given x's dtype `dt`: the
    ``dtype=`` keyword's, else the promotion of x's and a float ``out``'s (NumPy
    picks its loop from the output too), else x's.  None for non-float x without
    either (a Python float parameter then follows NumPy's promotion)."""
    if not kwargs:
        if out is None:
            return dt if dt.kind == "f" or dt in _EXTRA_FLOATS else None
        want = None
    else:
        want = kwargs.get("dtype")
    if want is not None:
        try:
            w = np.dtype(want)
        except TypeError:
            return dt if _is_float(dt) else None  # the ufunc reports the bad dtype
        return w if _is_float(w) else (dt if _is_float(dt) else None)
    if out is not None:
        o = out[0] if type(out) is tuple and len(out) == 1 else out
        od = getattr(o, "dtype", None)
        if od is not dt and isinstance(od, np.dtype) and od != dt and _is_float(od):
            if not _is_float(dt):
                return od
            try:
                return np.promote_types(dt, od)
            except TypeError:
                return dt
    return dt if _is_float(dt) else None


def _any(test, *ps):
    """Whether ``test(*ps)`` holds anywhere: directly for scalars (fast), else
    over the broadcast operands in blocks of at most _CHECK_BLOCK elements, so that a
    check of a parameter array the size of x allocates no temporary that size."""
    if all(not isinstance(p, np.ndarray) or p.ndim == 0 for p in ps):
        return bool(test(*ps))
    return _any_blocks(test, np.broadcast_arrays(*ps))


def _any_blocks(test, arrs):
    a0 = arrs[0]
    if a0.ndim == 0 or a0.size <= _CHECK_BLOCK:
        return bool(np.any(test(*arrs)))
    inner = a0.size // a0.shape[0]
    if inner > _CHECK_BLOCK:
        return any(_any_blocks(test, [a[i] for a in arrs]) for i in range(a0.shape[0]))
    rows = _CHECK_BLOCK // inner
    return any(bool(np.any(test(*(a[i:i + rows] for a in arrs)))) for i in range(0, a0.shape[0], rows))


def _negative(v):
    return v < 0


def _zero(v):
    return v == 0


_SCALARS = {}  # (loop dtype, Python scalar) -> read-only 0-d parameter array


def _scalar(dt, value):
    """A scalar parameter as a read-only 0-d array in the dtype loop dtype `dt`
    computes it in: float32 for float16 and bfloat16, else `dt` itself (so the
    ufunc needs no casting, which would send it through NumPy's buffered path;
    cached per dtype and value)."""
    key = (dt, value)
    hit = _SCALARS.get(key)
    if hit is not None:
        return hit
    p = np.array(value, dtype=_F32 if dt in _HALF else dt)
    p.flags.writeable = False
    if len(_SCALARS) > 512:
        _SCALARS.clear()
    _SCALARS[key] = p
    return p


def _param(op, name, value, dt):
    """Validated parameter for a loop computing in float dtype `dt` (see
    _loop_dtype): a scalar as a 0-d array (_scalar), an array in `dt` (array
    parameters stay in the operands' dtype: a float16 array parameter is rounded to
    float16, as any float16 operand of a ufunc is).  With `dt` None (non-float x),
    a scalar is a Python float (NumPy's promotion decides)."""
    if type(value) is float or type(value) is int:  # the common case, fast
        if dt is not None:
            hit = _SCALARS.get((dt, value))
            if hit is not None:
                return hit
        if value != value:
            raise ValueError(f"{op}: {name} must not be NaN")
        return float(value) if dt is None else _scalar(dt, value)
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic objects
        raise TypeError(f"{op}: {name} must be a real number or array, not {type(value).__name__}") from exc
    if arr.dtype.kind not in "iub" and not _is_float(arr.dtype):
        raise TypeError(f"{op}: {name} must be a real number or array of reals, "
                        f"not {arr.dtype} ({type(value).__name__})")
    if _is_float(arr.dtype) and _any(np.isnan, arr):
        raise ValueError(f"{op}: {name} must not be NaN")
    if arr.ndim == 0:
        if dt is None:
            return float(arr)
        p = np.array(arr, dtype=_F32 if dt in _HALF else dt)
        p.flags.writeable = False
        return p
    return arr.astype(dt if dt is not None else np.float64, copy=False)


def _ufunc(name, dt, *params):
    """The ufunc that computes op `name` in loop dtype `dt` with `params`: for
    float16 and bfloat16 with scalar (float32) parameters, its loop that takes them
    as float32; else the op's ufunc."""
    if dt is not None and dt.itemsize == 2 and dt in _HALF \
            and all(type(p) is np.ndarray and p.ndim == 0 for p in params):
        return _F32PAR[name]
    return _U[name]


def _naming(op, exc, kwargs=None):
    """`exc` (a TypeError or ValueError from the ufunc call) as the same kind of
    error whose message starts with the op's public name: NumPy's own messages
    name the raw ufunc behind a wrapper (prelu runs ``leaky_relu``) or nothing
    at all ("output array is read-only")."""
    if kwargs and "inplace" in kwargs:
        return TypeError(f"{op}: inplace= is taken by forward ops only; a backward op "
                         "writes into out= (out=g to overwrite the gradient)")
    if kwargs and "input" in kwargs:
        return TypeError(f"{op}: the operand is named x (and the gradient g), not input")
    msg = str(exc)
    return (TypeError if isinstance(exc, TypeError) else ValueError)(
        msg if msg.startswith(f"{op}:") else f"{op}: {msg}")


def _call(op, ufunc, *args, **kwargs):
    """``ufunc(*args, **kwargs)``, its TypeError or ValueError re-raised under the
    op's public name (see _naming)."""
    try:
        return ufunc(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise _naming(op, exc, kwargs) from exc


def _inplace_out(op, x, out):
    """torch's ``inplace=True``: the result goes into `x` (``out=x``)."""
    if out is not None:
        raise ValueError(f"{op}: pass inplace=True or out=, not both")
    if not isinstance(x, np.ndarray) and not hasattr(x, "__array_ufunc__"):
        raise TypeError(f"{op}: inplace=True needs x to be an array to write into, "
                        f"not {type(x).__name__}")
    return x


def _prep(x, out, kwargs):
    """A forward op's ``(x, loop dtype)``: _operand and _loop_dtype, with a fast
    path for the common call (an ndarray, no out= or one of x's dtype)."""
    if type(x) is np.ndarray:
        dt = x.dtype
    else:
        x, dt = _operand(x)
    if not kwargs and (out is None or (type(out) is np.ndarray and out.dtype is dt)):
        return x, (dt if dt.kind == "f" or dt in _EXTRA_FLOATS else None)
    return x, _loop_dtype(dt, out, kwargs)


def _operands2(g, x, out, kwargs):
    """A backward op's ``(g, x, loop dtype)`` (see _operand, _loop_dtype): the loop
    computes in the promotion of g's and x's float dtypes."""
    if type(x) is np.ndarray:
        dt = x.dtype
    else:
        x, dt = _operand(x)
    gdt = g.dtype if type(g) is np.ndarray else getattr(g, "dtype", None)
    if gdt is not dt and gdt != dt:
        g, gdt = _operand(g)
        if gdt != dt and _is_float(gdt) and _is_float(dt):
            try:
                dt = np.promote_types(dt, gdt)
            except TypeError:
                pass
    if not kwargs and (out is None or (type(out) is np.ndarray and out.dtype is dt)):
        return g, x, (dt if dt.kind == "f" or dt in _EXTRA_FLOATS else None)
    return g, x, _loop_dtype(dt, out, kwargs)


def _arrays2(g, x):
    """g and x as the ufunc takes them: as they are where they carry a NumPy dtype,
    else through np.asarray (a list, a torch tensor)."""
    if type(x) is not np.ndarray and not isinstance(getattr(x, "dtype", None), np.dtype) \
            and not hasattr(x, "__array_ufunc__"):
        x = np.asarray(x)
    if type(g) is not np.ndarray and not isinstance(getattr(g, "dtype", None), np.dtype) \
            and not hasattr(g, "__array_ufunc__"):
        g = np.asarray(g)
    return g, x


def _scalar_value(op, name, p):
    """The value of a parameter that must be a scalar for a check (from_output)."""
    if np.ndim(p) == 0:
        return float(p)
    raise ValueError(f"{op}: from_output=True needs a scalar {name}")


def _check_bounds(op, lo, hi, lo_raw=None, hi_raw=None, names=("min_val", "max_val")):
    """``lo <= hi`` elementwise, else ValueError naming the op and both parameters."""
    a, b = names
    if type(lo_raw) in (float, int) and type(hi_raw) in (float, int):  # fast path
        if lo_raw > hi_raw:
            raise ValueError(f"{op}: {a} must be <= {b} (got {a}={lo_raw!r}, {b}={hi_raw!r})")
        return
    try:
        above = _any(np.greater, lo, hi)
    except ValueError:
        raise ValueError(f"{op}: {a} of shape {np.shape(lo)} and {b} of shape "
                         f"{np.shape(hi)} do not broadcast together") from None
    if above:
        raise ValueError(f"{op}: {a} must be <= {b} (got {a}={lo!r}, {b}={hi!r})"
                         if np.ndim(lo) == 0 and np.ndim(hi) == 0 else
                         f"{op}: {a} must be <= {b} elementwise")


def _value_le(op, name, p, value, dt):
    """from_output of threshold's backward: the forward's ``value=`` given, scalar, and
    ``value <= threshold`` (where the output tells the input's side of the threshold)."""
    if value is None:
        raise ValueError(f"{op}: from_output=True needs the forward's value=")
    v = _scalar_value(op, "value", _param(op, "value", value, dt))
    t = _scalar_value(op, name, p)
    if not v <= t:
        raise ValueError(f"{op}: from_output=True is exact only when value <= {name} "
                         f"(got value={v!r}, {name}={t!r}); pass the input instead")


# ---------------------------------------------------------------- prelu
def _prelu_weight(op, x, weight, axis, dt):
    """(x, the weight ready for the leaky_relu ufunc, the channel axis or None) for
    a loop computing in dtype `dt` (see _loop_dtype)."""
    xa = x if hasattr(x, "ndim") and hasattr(x, "shape") else np.asarray(x)
    if type(weight) is float or type(weight) is int:  # one slope: the fast path
        return xa, _param(op, "weight", weight, dt), None
    w = np.asarray(weight)
    if w.dtype.kind not in "iub" and not _is_float(w.dtype):
        raise TypeError(f"{op}: weight must be real, not {w.dtype}")
    if _is_float(w.dtype) and _any(np.isnan, w):
        raise ValueError(f"{op}: weight must not be NaN")
    if w.ndim > 1:
        raise ValueError(f"{op}: weight must be a scalar or 1-D, got shape {w.shape}")
    if w.size == 1:
        return xa, _param(op, "weight", w.reshape(()), dt), None
    if xa.ndim == 0:
        raise ValueError(f"{op}: a weight of length {w.size} needs an x with a channel axis")
    if not -xa.ndim <= axis < xa.ndim:
        raise ValueError(f"{op}: axis {axis} is out of bounds for x with {xa.ndim} dimensions")
    ax = axis % xa.ndim
    if w.size != xa.shape[ax]:
        raise ValueError(f"{op}: weight has length {w.size} but x.shape[{axis}] is {xa.shape[ax]}")
    wb = w.astype(dt or np.dtype(np.float64), copy=False).reshape((w.size,) + (1,) * (xa.ndim - ax - 1))
    return xa, wb, ax


def prelu(x, weight, axis=1, *, inplace=False, out=None, **kwargs):
    """Parametric ReLU: ``x < 0 ? x * weight[c] : x`` with one slope per channel.

    Parameters
    ----------
    x : array_like
        Input.
    weight : float or 1-D array_like
        One slope, or one per channel (length ``x.shape[axis]``).
    axis : int, optional
        The channel axis (default 1, PyTorch's NCHW).
    inplace : bool, optional
        torch's keyword: True writes the result into `x` (``out=x``) and returns `x`.
    out : ndarray, optional
        Where to store the result.
    **kwargs
        Ufunc keywords.

    Returns
    -------
    ndarray
        The result, exact.

    Raises
    ------
    ValueError
        Weight of the wrong length or shape, NaN weight, bad axis.
    """
    if inplace:
        out = _inplace_out("prelu", x, out)
    dt = x.dtype if type(x) is np.ndarray else None  # the common call, inline
    if dt is None or kwargs or dt.kind != "f" or not (out is None or (
            type(out) is np.ndarray and out.dtype is dt)):
        x, dt = _prep(x, out, kwargs)
    xa, wb, _ = _prelu_weight("prelu", x, weight, axis, dt)
    uf = _U["leaky_relu"] if dt is None or dt.itemsize != 2 else _ufunc("leaky_relu", dt, wb)
    return _call("prelu", uf, xa, wb, out=out, **kwargs)


def _acc_dtype(dt):
    return np.float64 if dt == np.float64 else np.float32


def _prelu_wgrad_into(g, x, axis, acc):
    """acc[c] += sum of g*x where x < 0 over every axis but `axis`, in blocks of
    at most _BLOCK elements (no temporary the size of x)."""
    if x.size <= _BLOCK:
        t = np.zeros(x.shape, dtype=acc.dtype)
        other = tuple(i for i in range(x.ndim) if i != axis)
        with np.errstate(all="ignore"):  # inf + -inf is NaN here, without a warning
            np.multiply(g, x, out=t, where=x < 0, casting="unsafe")
            acc += t.sum(axis=other) if axis is not None else t.sum()
        return
    dims = [i for i in range(x.ndim) if i != axis and x.shape[i] > 1]
    if not dims:  # only the channel axis is long: split it
        dims = [axis]
    split = max(dims, key=lambda i: x.shape[i])
    h = x.shape[split] // 2
    lo = [slice(None)] * x.ndim
    hi = [slice(None)] * x.ndim
    lo[split], hi[split] = slice(0, h), slice(h, None)
    if split == axis:
        _prelu_wgrad_into(g[tuple(lo)], x[tuple(lo)], axis, acc[:h])
        _prelu_wgrad_into(g[tuple(hi)], x[tuple(hi)], axis, acc[h:])
    else:
        _prelu_wgrad_into(g[tuple(lo)], x[tuple(lo)], axis, acc)
        _prelu_wgrad_into(g[tuple(hi)], x[tuple(hi)], axis, acc)


def prelu_backward(g, x, weight, axis=1, *, out=None):
    """Gradients of :func:`prelu` with respect to ``x`` and ``weight``.

    Parameters
    ----------
    g : array_like
        Incoming gradient dL/dy, broadcastable to ``x``.
    x : array_like
        The forward input.
    weight : float or 1-D array_like
        The forward call's weight.
    axis : int, optional
        The channel axis (default 1).
    out : ndarray or tuple of (ndarray or None), optional
        Where to store dL/dx, or a pair ``(grad_x, grad_weight)`` of preallocated
        arrays (either may be None); ``grad_weight`` must have the shape of
        `weight` and a float dtype the result casts to (``same_kind``).

    Returns
    -------
    grad_x : ndarray
        ``g`` where ``x > 0``, else ``g * weight[c]`` (NaN where x is NaN).
    grad_weight : ndarray
        Shape of `weight`: the sum over every axis but `axis` of ``g * x`` where
        ``x < 0``, accumulated blockwise (float32 for float16/32, float64 for
        float64) without a temporary the size of `x`.

    Raises
    ------
    ValueError, TypeError
        A bad weight or axis (as :func:`prelu`), or an `out` that is neither an
        array nor a pair of arrays of the right shapes; nothing is written then.
    """
    gx_out, gw_out = _prelu_outs(out)
    g, x, dt = _operands2(g, x, gx_out, None)
    xa, wb, ax = _prelu_weight("prelu_backward", x, weight, axis, dt)
    wdt = _float_dtype(xa) or np.dtype(np.float64)
    w = np.asarray(weight)
    lazy = _is_lazy(xa) or _is_lazy(g)
    if gw_out is not None:
        if lazy:
            raise TypeError("prelu_backward: a preallocated grad_weight needs NumPy inputs, "
                            "not lazy arrays (pass out=grad_x alone)")
        if gw_out.shape != w.shape:
            raise ValueError(f"prelu_backward: out's grad_weight has shape {gw_out.shape}, "
                             f"but weight has shape {w.shape}")
        if not np.can_cast(wdt, gw_out.dtype, "same_kind"):
            raise TypeError(f"prelu_backward: out's grad_weight of dtype {gw_out.dtype} cannot "
                            f"hold the {wdt} weight gradient")
        if not gw_out.flags.writeable:
            raise ValueError("prelu_backward: out's grad_weight is read-only")
    # on x itself, so that a duck array (Dask, xarray) gives its own kind back
    uf = _U["leaky_relu_backward"] if dt is None or dt.itemsize != 2 else _ufunc("leaky_relu_backward", dt, wb)
    gx = _call("prelu_backward", uf, g, xa, wb, out=gx_out)
    if lazy:
        # a lazy array (Dask): the same sum, as array operations that stay lazy
        other = tuple(i for i in range(xa.ndim) if i != ax)
        return gx, _lazy_wgrad(g, xa, other, _acc_dtype(wdt)).astype(wdt).reshape(w.shape)
    xa = np.asarray(xa)
    gb = np.broadcast_to(np.asarray(g), xa.shape)
    acc = np.zeros(w.size if ax is not None else (), dtype=_acc_dtype(wdt))
    _prelu_wgrad_into(gb, xa, ax, acc)
    if gw_out is not None:
        np.copyto(gw_out, acc.astype(wdt).reshape(w.shape), casting="same_kind")
        return gx, gw_out
    return gx, acc.astype(wdt).reshape(w.shape)


def _prelu_outs(out):
    """prelu_backward's ``out``: (grad_x's array or None, grad_weight's or None)."""
    if out is None:
        return None, None
    if type(out) is tuple or type(out) is list:
        if len(out) in (1, 2) and all(o is None or isinstance(o, np.ndarray) for o in out):
            return out[0], (out[1] if len(out) == 2 else None)
    elif isinstance(out, np.ndarray) or hasattr(out, "__array_ufunc__"):
        return out, None
    length = f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""
    raise TypeError("prelu_backward: out must be an array for grad_x, or a pair "
                    f"(grad_x, grad_weight) of arrays or None, not {type(out).__name__}{length}")


def _wgrad_terms(g, x, acc_dt):
    """g*x where x < 0, else 0, in acc_dt (one block)."""
    t = np.zeros(np.broadcast_shapes(np.shape(g), np.shape(x)), dtype=acc_dt)
    with np.errstate(all="ignore"):
        np.multiply(g, x, out=t, where=x < 0, casting="unsafe")
    return t


def _quiet_sum(a, axis=None, keepdims=False, **kwargs):
    with np.errstate(all="ignore"):  # inf + -inf is NaN, without a warning
        return np.sum(a, axis=axis, keepdims=keepdims, **kwargs)


def _lazy_wgrad(g, x, axes, acc_dt):
    """prelu's weight gradient of lazy arrays, summed over `axes`: for Dask
    blockwise with the same quiet arithmetic as for NumPy arrays (dask.array is
    imported only here, when the input is already one); for any other array
    with __array_function__, through NumPy's functions."""
    if type(x).__module__.split(".")[0] == "dask" or type(g).__module__.split(".")[0] == "dask":
        import dask.array as da

        # both operands as dask arrays of the broadcast shape, chunked alike
        shape = np.broadcast_shapes(np.shape(g), np.shape(x))
        like = next((a for a in (x, g) if isinstance(a, da.Array) and a.shape == shape), None)
        g, x = (da.broadcast_to(da.asarray(a), shape) for a in (g, x))
        if like is not None:
            g, x = g.rechunk(like.chunks), x.rechunk(like.chunks)
        else:
            x = x.rechunk(g.chunks)
        terms = da.map_blocks(_wgrad_terms, g, x, acc_dt, dtype=acc_dt)
        return da.reduction(terms, _quiet_sum, _quiet_sum, axis=axes, dtype=acc_dt)
    with np.errstate(all="ignore"):
        return np.where(x < 0, np.multiply(g, x, dtype=acc_dt), acc_dt(0)).sum(axis=axes)


def _is_lazy(a):
    """An array that implements NumPy's array-function protocol itself (Dask):
    np.where, sum and friends stay in its own kind, without materializing it."""
    return not isinstance(a, (np.ndarray, np.generic)) and hasattr(a, "__array_function__")


# ---------------------------------------------------------------- rrelu
def rrelu(x, lower=1.0 / 8, upper=1.0 / 3, training=False, rng=None, *, inplace=False, out=None,
          **kwargs):
    """Randomized leaky ReLU.

    Parameters
    ----------
    x : array_like
        Input.
    lower, upper : float, optional
        Bounds of the uniform slope distribution, ``0 <= lower <= upper``.
    training : bool, optional
        False (default): leaky ReLU with slope ``(lower + upper) / 2``.
        True: a slope per element drawn from U(lower, upper).
    rng : numpy.random.Generator or int, optional
        The generator (or a seed for one) used when training.
    inplace : bool, optional
        torch's keyword: True writes the result into `x` (``out=x``) and returns `x`.
    out : ndarray, optional
        Where to store the result.
    **kwargs
        Ufunc keywords.

    Returns
    -------
    y : ndarray
        The result (exact given the slopes).
    noise : ndarray
        Only when ``training=True``: the multiplier applied to each element
        (its slope where ``x <= 0``, as torch, 1 elsewhere), of the same kind as
        `y` (an xarray or pandas object for one); pass it to :func:`rrelu_backward`.

    Raises
    ------
    ValueError
        ``lower`` > ``upper``, a negative or NaN bound.
    """
    x, xdt = _operand(x)
    if inplace:
        out = _inplace_out("rrelu", x, out)
    # the bounds in the dtype x computes in (float32 for float16), as relukit.cuda
    # takes them, so that a seed draws the same noise on both
    bdt = _loop_dtype(xdt, None, None)
    lo = _param("rrelu", "lower", lower, bdt)
    hi = _param("rrelu", "upper", upper, bdt)
    if np.ndim(lo) or np.ndim(hi):
        raise ValueError("rrelu: lower and upper must be scalars")
    lo, hi = float(lo), float(hi)
    if lo < 0 or hi < 0:
        raise ValueError(f"rrelu: lower and upper must be >= 0 (got lower={lo!r}, upper={hi!r})")
    if lo > hi:
        raise ValueError(f"rrelu: lower must be <= upper (got lower={lo!r}, upper={hi!r})")
    if not training:
        dt = _loop_dtype(xdt, out, kwargs)
        s = _param("rrelu", "slope", (lo + hi) / 2, dt)
        uf = _U["leaky_relu"] if dt is None or dt.itemsize != 2 else _ufunc("leaky_relu", dt, s)
        return _call("rrelu", uf, x, s, out=out, **kwargs)
    lazy = _is_lazy(x) and hasattr(x, "map_blocks")
    xa = x if lazy else np.asarray(x)
    if _float_dtype(xa) is None and np.dtype(xa.dtype).kind not in "iub":
        raise TypeError(f"rrelu: x must be an array of reals (float, integer or bool), not {xa.dtype}")
    dt = _float_dtype(xa) or np.dtype(np.float64)
    gen = _rrelu_rng(rng)
    if lazy:
        # a chunked lazy array (Dask): each block draws its slopes from its own
        # stream, seeded from `gen` and the block's index, when it is computed
        base = int(gen.integers(0, 2**63))
        noise = xa.map_blocks(_rrelu_block_noise, base, lo, hi, dt, dtype=dt)
    else:
        noise = _rrelu_noise(gen, xa, lo, hi, dt)
    # on x itself, so that a duck array (xarray) gives its own kind back
    y = _call("rrelu", _U["leaky_relu"], x, noise, out=out, **kwargs)
    return y, _like(y, noise)


def _rrelu_rng(rng):
    """rrelu's generator: `rng` itself, or a new one from a seed (None, an int, a
    sequence of ints, a SeedSequence or a BitGenerator)."""
    if isinstance(rng, np.random.Generator):
        return rng
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise TypeError("rrelu: rng must be a numpy.random.Generator, a seed (an int or a "
                        "sequence of ints), a SeedSequence, a BitGenerator or None, not "
                        f"{type(rng).__module__}.{type(rng).__qualname__}") from exc


def _like(y, a):
    """The ndarray `a` (of y's shape) in the kind of container `y` is: an xarray
    object or a pandas Series/DataFrame gets its coordinates or index; anything
    else (ndarray, Dask) is returned as it is."""
    if isinstance(y, np.ndarray) or not isinstance(a, np.ndarray):
        return a
    mod = type(y).__module__.split(".")[0]
    if mod == "xarray":
        return y.copy(data=a)
    if mod == "pandas" and hasattr(y, "iloc"):
        c = y.copy()
        c.iloc[...] = a
        return c
    return a


def _rrelu_noise(gen, x, lo, hi, dt):
    """Slopes from U(lo, hi) where x <= 0 (as torch: x == 0 included), 1 elsewhere
    (x > 0, and NaN), in dtype dt."""
    noise = gen.random(x.shape, dtype=np.float64 if dt == np.float64 else np.float32)
    noise = (lo + (hi - lo) * noise).astype(dt, copy=False)
    noise[~(x <= 0)] = 1
    return noise


def _rrelu_block_noise(xb, base, lo, hi, dt, block_id=None):
    return _rrelu_noise(np.random.default_rng([base, *block_id]), xb, lo, hi, dt)


def rrelu_backward(g, x, noise, *, out=None, **kwargs):
    """Gradient of :func:`rrelu` in training mode: ``g * noise`` (``g`` where x > 0).

    Parameters
    ----------
    g : array_like
        Incoming gradient.
    x : array_like
        The forward input.
    noise : array_like
        The multiplier returned by ``rrelu(..., training=True)``.
    out : ndarray, optional
        Where to store dL/dx.
    **kwargs
        Ufunc keywords.

    Returns
    -------
    ndarray
        dL/dx; NaN where `x` is NaN.
    """
    dt = x.dtype if type(x) is np.ndarray else None  # the common call, inline
    if dt is None or kwargs or dt.kind != "f" or type(g) is not np.ndarray or g.dtype is not dt \
            or not (out is None or (type(out) is np.ndarray and out.dtype is dt)):
        g, x, dt = _operands2(g, x, out, kwargs)
    n = _param("rrelu_backward", "noise", noise, dt)
    uf = _U["leaky_relu_backward"] if dt is None or dt.itemsize != 2 else _ufunc("leaky_relu_backward", dt, n)
    return _call("rrelu_backward", uf, g, x, n, out=out, **kwargs)


# ---------------------------------------------------------------- ops without parameters
_MISSING = object()
# the ufunc attributes an op without parameters carries as its own (set again
# after the bfloat16 loops are added, which change types and ntypes)
_UFUNC_ATTRS = ("nin", "nout", "nargs", "ntypes", "types", "identity", "signature",
                "at", "reduce", "accumulate", "reduceat", "outer")


_P = __import__("inspect").Parameter
_OP_SIGNATURE = __import__("inspect").Signature([
    _P("x", _P.POSITIONAL_OR_KEYWORD), _P("out", _P.POSITIONAL_OR_KEYWORD, default=None),
    _P("inplace", _P.KEYWORD_ONLY, default=False), _P("kwargs", _P.VAR_KEYWORD)])


def _op(name):
    """A parameterless forward op: its ufunc, behind a thin function that adds
    what a ufunc cannot take, the operand by keyword (``x=``) and torch's
    ``inplace=``.  The ufunc itself is the ``ufunc`` attribute; its other
    attributes (``types``, ``nin``, ``at``, ``reduce``, ...) are copied onto the
    function.  (A plain function, not a callable class: CPython calls it through
    vectorcall, a class instance's __call__ through a slower generic path.)"""
    uf = _U[name]

    def op(x=_MISSING, out=None, *more, inplace=False, **kwargs):
        # (x) or (x=), and out positionally as a ufunc takes it: (x, out)
        if x is _MISSING or more:
            n = (x is not _MISSING) + (out is not None) + len(more)
            raise TypeError(f"{name}() takes one operand x (and out), not "
                            f"{n} positional argument{'s' * (n != 1)}")
        if type(x) is not np.ndarray and not isinstance(getattr(x, "dtype", None), np.dtype) \
                and not hasattr(x, "__array_ufunc__"):
            x = np.asarray(x)  # as the ufunc would, for a list or a torch tensor
        if inplace:
            out = _inplace_out(name, x, out)
        try:
            return uf(x, out=out, **kwargs)
        except (TypeError, ValueError) as exc:
            raise _naming(name, exc, kwargs) from exc

    op.__name__ = op.__qualname__ = name
    op.__module__ = "relukit"
    op.__signature__ = _OP_SIGNATURE  # (x, out=None, *, inplace=False, **kwargs): not the sentinels
    body = uf.__doc__.split("\n\n", 1)[1]
    op.__doc__ = (f"{name}(x, out=None, *, inplace=False, **kwargs)\n\n{body}\n"
                  "inplace=True (torch's keyword) writes the result into `x` and "
                  f"returns it; ``{name}.ufunc`` is the ufunc itself.\n")
    op.ufunc = uf
    _share_ufunc_attributes(op)
    return op


def _share_ufunc_attributes(op):
    for attr in _UFUNC_ATTRS:
        setattr(op, attr, getattr(op.ufunc, attr))


def _backward_wrapper(op, from_output_ufunc):
    """The backward of a parameterless op: its ufunc, plus from_output=True where
    the gradient can be computed exactly from the forward's output."""
    uf = _U[f"{op}_backward"]
    name = f"{op}_backward"

    def backward(g, x, *, from_output=False, out=None, **kwargs):
        g, x = _arrays2(g, x)
        if from_output:
            if from_output_ufunc is None:
                raise ValueError(f"{name}: from_output=True is not exact for {op} (its "
                                 "input cannot be recovered from its output); pass the input")
            return _call(name, _U[from_output_ufunc], g, x, out=out, **kwargs)
        return _call(name, uf, g, x, out=out, **kwargs)

    backward.__name__ = backward.__qualname__ = name
    backward.__module__ = "relukit"
    how = ("not available: ValueError" if from_output_ufunc is None else
           "`x` may hold the forward's output")
    backward.__doc__ = (f"{name}(g, x, *, from_output=False, out=None, **kwargs)\n\n"
                        f"{uf.__doc__.split(chr(10) + chr(10), 1)[1]}\n"
                        f"This wrapper adds ``from_output`` ({how}) to the ufunc "
                        f"``relukit._ufuncs.UFUNCS[{name!r}]``.\n")
    return backward


# ---------------------------------------------------------------- the table's ops
# hardtanh, threshold, leaky_relu, elu, celu, softplus, gelu, the parameterless ops and
# every backward of them: generated from the op table (relukit/_optable.py) by
# relukit/_opgen.py, with their checks inline, into this module's namespace.
from relukit import _opgen  # noqa: E402

globals().update(_opgen.build("cpu", globals(), (
    _op, lambda op, fo: _backward_wrapper(op, op + "_backward" if fo == "" else fo))))
OPS_WITHOUT_PARAMETERS = tuple(globals()[op.name] for op in _opgen.OPS if op.kind == "plain")


# ---------------------------------------------------------------- the gated family
# Each forward op takes two forms: op(a, b) = act(a) * b, a real 2-input ufunc call
# (broadcasting, out=, where=, dtype=), and op(x, axis=-1), the split form on one
# array: a and b are the first and second halves of x along `axis`, passed to the
# ufunc as views (no copy).  glu follows torch.nn.functional.glu: only the split
# form, glu(x, axis=-1) = first half * sigmoid(second half); its ufunc (a, b) is
# ``glu.ufunc``.  Backward: op_backward(g, a, b) -> (grad_a, grad_b), one pass; the
# split form op_backward(g, x, axis=-1) returns one gradient of x's shape (out= an
# array of x's shape).  Dask: the forward goes through Dask's ufunc protocol; the
# backward, two outputs, which that protocol leaves to NumPy, blockwise here.
import functools as _functools  # noqa: E402
import sys as _sys  # noqa: E402

from relukit._ufuncs import GATED_UFUNCS as _GU  # noqa: E402

_GEGLU = {"none": ("geglu", "geglu_backward"), "tanh": ("geglu_tanh", "geglu_tanh_backward")}


def _dask_in(*operands):
    """Whether an operand is a Dask array.  dask.array is not imported for the
    check: an operand can be one only where dask.array is loaded already."""
    mod = _sys.modules.get("dask.array")
    arr = getattr(mod, "Array", None)
    return arr is not None and any(isinstance(o, arr) for o in operands)


def _gated_bwd_block(uf, slots, consts, kwargs, *blocks):
    """One block of a gated backward on Dask arrays: the ufunc on the block's
    operands, the scalar operands (consts) put back in their places."""
    ops = list(consts)
    for i, blk in zip(slots, blocks):
        ops[i] = blk
    return uf(*ops, **kwargs)


def _dask_out_error(op):
    return TypeError(f"{op}: out= is not supported for Dask arrays (they are immutable): "
                     "use the returned arrays")


def _dask_gated_backward(op, uf, operands, out, kwargs):
    """The gated backward ``(g, a, b) -> (ga, gb)`` of operands among which is a Dask
    array, lazily: Dask's ufunc protocol takes only the two-output ufuncs it knows
    (frexp, modf), so the ufunc is applied blockwise (``dask.array.apply_gufunc``)
    to the operands broadcast against each other and chunked alike.  Array operands
    become Dask arrays; scalars (Python numbers, NumPy scalars, 0-d arrays) stay
    what they are in every block's call, so the result dtypes follow NumPy's rules
    for the same operands.  Nothing is computed: the result dtypes, and the errors
    of a bad dtype or keyword, come from the ufunc on one-element arrays."""
    import dask.array as da  # loaded already: an operand is a Dask array

    if out is not None and any(o is not None for o in (out if type(out) is tuple else (out,))):
        raise _dask_out_error(op)
    if kwargs.get("where", True) is not True:
        raise TypeError(f"{op}: where= is not supported for Dask arrays")
    kwargs = {k: v for k, v in kwargs.items() if k != "where"}
    consts, slots, arrays, probe = [], [], [], []
    for i, o in enumerate(operands):
        if not isinstance(o, da.Array) and (np.ndim(o) == 0 or isinstance(o, np.generic)):
            consts.append(o)
            probe.append(o)
            continue
        if not isinstance(o, da.Array):
            o = da.asarray(np.asarray(o))
        consts.append(None)
        slots.append(i)
        arrays.append(o)
        probe.append(np.zeros(1, dtype=o.dtype))
    dtypes = [r.dtype for r in _call(op, uf, *probe, **kwargs)]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    like = next((a for a in arrays if a.shape == shape), None)
    arrays = [da.broadcast_to(a, shape) for a in arrays]
    chunks = like.chunks if like is not None else arrays[0].chunks
    arrays = [a.rechunk(chunks) for a in arrays]
    block = _functools.partial(_gated_bwd_block, uf, tuple(slots), tuple(consts), kwargs)
    sig = ",".join(["()"] * len(arrays)) + "->(),()"
    return da.apply_gufunc(block, sig, *arrays, output_dtypes=dtypes)


def _halves(op, x, axis):
    """The two halves of x along `axis`, as views, and the index tuples used."""
    x, _ = _operand(x)
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) == 0:
        raise ValueError(f"{op}: the split form needs an array with at least one axis")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, not {type(axis).__name__}")
    nd = len(shape)
    if not -nd <= axis < nd:
        raise ValueError(f"{op}: axis {axis} is out of bounds for an array of {nd} dimension(s)")
    ax = axis % nd
    n = shape[ax]
    if n % 2:
        raise ValueError(f"{op}: the split form halves axis {axis}, whose size {n} is odd")
    h = n // 2
    i1 = (slice(None),) * ax + (slice(0, h),)
    i2 = (slice(None),) * ax + (slice(h, n),)
    return x, x[i1], x[i2], i1, i2


def _gated_forward(op, name, a, b, axis, out, kwargs):
    uf = _GU[name]
    if b is None:
        x, a, b, i1, _ = _halves(op, a, axis)
        if out is not None:
            o = out[0] if type(out) is tuple and len(out) == 1 else out
            if getattr(o, "shape", None) != a.shape:
                raise ValueError(f"{op}: out= of the split form must have the shape of one "
                                 f"half, {a.shape}, not {getattr(o, 'shape', None)}")
        return _call(op, uf, a, b, out=out, **kwargs)
    if axis != -1:
        raise TypeError(f"{op}: axis= is taken by the split form op(x) only, not op(a, b)")
    return _call(op, uf, a, b, out=out, **kwargs)


def _gated_backward(op, name, g, a, b, axis, out, kwargs):
    uf = _GU[name]
    if b is not None:
        if axis != -1:
            raise TypeError(f"{op}: axis= is taken by the split form op(g, x) only")
        try:  # (_call inline: Dask is looked for only where the ufunc call fails)
            return uf(g, a, b, out=(None, None) if out is None else out, **kwargs)
        except (TypeError, ValueError) as exc:
            if _dask_in(g, a, b):
                return _dask_gated_backward(op, uf, (g, a, b), out, kwargs)
            raise _naming(op, exc, kwargs) from exc
    x, a, b, i1, i2 = _halves(op, a, axis)
    g, _ = _operand(g)
    if type(out) is tuple:
        if len(out) != 1:
            raise TypeError(f"{op}: out= of the split form is one array of x's shape")
        out = out[0]
    if out is not None:
        if getattr(out, "shape", None) != x.shape:
            raise ValueError(f"{op}: out= of the split form must have x's shape {x.shape}, "
                             f"not {getattr(out, 'shape', None)}")
        try:
            uf(g, a, b, out=(out[i1], out[i2]), **kwargs)
        except (TypeError, ValueError) as exc:
            if _dask_in(g, x):
                raise _dask_out_error(op) from None
            raise _naming(op, exc, kwargs) from exc
        return out
    if type(x) is np.ndarray and (type(g) is np.ndarray or np.isscalar(g)):
        try:
            dt = uf.resolve_dtypes((np.asarray(g).dtype, x.dtype, x.dtype, None, None),
                                   **({"signature": kwargs["signature"]} if "signature" in kwargs else {}))[3]
        except (TypeError, ValueError, KeyError) as exc:
            raise _naming(op, exc) from exc
        if "dtype" in kwargs and kwargs["dtype"] is not None:
            dt = np.dtype(kwargs["dtype"])
        res = np.empty(x.shape, dtype=dt)
        _call(op, uf, g, a, b, out=(res[i1], res[i2]), **kwargs)
        return res
    if _dask_in(g, x):
        ga, gb = _dask_gated_backward(op, uf, (g, a, b), None, kwargs)
    else:
        ga, gb = _call(op, uf, g, a, b, **kwargs)  # other duck arrays (xarray)
    return np.concatenate([ga, gb], axis=axis)  # their concatenate (Dask's: lazy)


def glu(x, axis=-1, *, out=None, **kwargs):
    """Gated linear unit, torch's ``F.glu``: the first half of `x` along `axis`
    times the sigmoid of the second half.

    Parameters
    ----------
    x : array_like
        Input; its size along `axis` must be even.
    axis : int, optional
        The axis to halve (default -1).
    out : ndarray, optional
        Where to store the result (the shape of one half).
    **kwargs
        Ufunc keywords (``where``, ``dtype``, ...).

    Returns
    -------
    ndarray
        ``a * sigmoid(b)`` with ``a, b`` the halves (views into `x`, no copy).
        The two-operand ufunc ``glu(a, b)`` is ``glu.ufunc``.

    Raises
    ------
    ValueError
        The size along `axis` is odd, or `axis` is out of bounds; nothing is written to `out`.
    """
    return _gated_forward("glu", "glu", x, None, axis, out, kwargs)


def glu_backward(g, x, axis=-1, *, out=None, **kwargs):
    """Gradient of :func:`glu` (torch's ``glu_backward``): one array of `x`'s shape,
    ``[g * s, g * a * s * (1 - s)]`` with ``s = sigmoid(b)``, both halves in one pass.

    Parameters
    ----------
    g : array_like
        Incoming gradient (the shape of one half).
    x : array_like
        The forward input.
    axis : int, optional
        The forward call's axis.
    out : ndarray, optional
        Where to store dL/dx (`x`'s shape).
    **kwargs
        Ufunc keywords.

    Returns
    -------
    ndarray
        dL/dx. The two-operand ufunc ``(g, a, b) -> (ga, gb)`` is ``glu_backward.ufunc``.

    Notes
    -----
    Dask arrays give a Dask array, lazily: the ufunc runs blockwise (``out=`` and
    ``where=`` are not taken for them).
    """
    return _gated_backward("glu_backward", "glu_backward", g, x, None, axis, out, kwargs)


def _gated_doc(name, act, formula, grads):
    title = {"reglu": "ReGLU", "swiglu": "SwiGLU", "geglu": "GEGLU"}[name]
    fwd = f"""{title}: ``{formula}``, fused (one pass over a and b).

    Two forms: ``{name}(a, b)`` (a 2-input ufunc: broadcasting, ``out=``, ``where=``,
    ``dtype=``) and ``{name}(x, axis=-1)``, the split form: ``a`` and ``b`` are the
    first and second halves of `x` along `axis` (views, no copy; vLLM's layout of
    the fused gate/up projection).

    Parameters
    ----------
    a : array_like
        The activated operand, or `x` of the split form.
    b : array_like, optional
        The other operand; omitted for the split form.{{approx}}
    axis : int, optional
        Split form only: the axis to halve (default -1).
    out : ndarray, optional
        Where to store the result (split form: the shape of one half).
    **kwargs
        Ufunc keywords.

    Returns
    -------
    ndarray
        ``{act}(a) * b``. float16 and bfloat16 are computed in float32 and rounded
        once. NaN in either operand gives NaN; an infinite b times a finite
        nonzero a gives an infinity; ``{act}(-inf) * inf`` is NaN.

    Raises
    ------
    ValueError
        Split form with an odd size along `axis`{{approx_err}}; nothing is written to `out`.
    """
    bwd = f"""Gradients of :func:`{name}`, both in one pass: ``{grads}``.

    Parameters
    ----------
    g : array_like
        Incoming gradient dL/dy.
    a : array_like
        The forward's a, or its `x` (split form).
    b : array_like, optional
        The forward's b; omitted for the split form.{{approx}}
    axis : int, optional
        Split form only: the forward call's axis.
    out : tuple of two ndarrays, or (split form) one ndarray of x's shape, optional
        Where to store the gradients.
    **kwargs
        Ufunc keywords.

    Returns
    -------
    (ndarray, ndarray) or ndarray
        ``(dL/da, dL/db)``; the split form: dL/dx, one array of x's shape.

    Notes
    -----
    Dask arrays (any operand) give Dask arrays, lazily: the ufunc runs blockwise on
    the operands broadcast and chunked alike (``out=`` and ``where=`` are not taken
    for them).
    """
    return fwd, bwd


_APPROX_DOC = """
    approximate : {'none', 'tanh'}, optional
        gelu's form: ``'none'`` (erf, default) or ``'tanh'``."""


def reglu(a, b=None, *, axis=-1, out=None, **kwargs):
    return _gated_forward("reglu", "reglu", a, b, axis, out, kwargs)


def reglu_backward(g, a, b=None, *, axis=-1, out=None, **kwargs):
    return _gated_backward("reglu_backward", "reglu_backward", g, a, b, axis, out, kwargs)


def swiglu(a, b=None, *, axis=-1, out=None, **kwargs):
    return _gated_forward("swiglu", "swiglu", a, b, axis, out, kwargs)


def swiglu_backward(g, a, b=None, *, axis=-1, out=None, **kwargs):
    return _gated_backward("swiglu_backward", "swiglu_backward", g, a, b, axis, out, kwargs)


def _geglu_pick(op, approximate, which):
    try:
        return _GEGLU[approximate][which]
    except (KeyError, TypeError):
        raise ValueError(f"{op}: approximate must be 'none' or 'tanh', not {approximate!r}") from None


def geglu(a, b=None, approximate="none", *, axis=-1, out=None, **kwargs):
    return _gated_forward("geglu", _geglu_pick("geglu", approximate, 0), a, b, axis, out, kwargs)


def geglu_backward(g, a, b=None, approximate="none", *, axis=-1, out=None, **kwargs):
    return _gated_backward("geglu_backward", _geglu_pick("geglu_backward", approximate, 1),
                           g, a, b, axis, out, kwargs)


for _f, _act, _formula, _grads in (
        (reglu, "relu", "relu(a) * b", "ga = a > 0 ? g * b : 0, gb = g * relu(a)"),
        (swiglu, "silu", "silu(a) * b = a * sigmoid(a) * b",
         "ga = g * b * s * (1 + a * (1 - s)), gb = g * silu(a), s = sigmoid(a)"),
        (geglu, "gelu", "gelu(a) * b", "ga = g * b * gelu'(a), gb = g * gelu(a)")):
    _fd, _bd = _gated_doc(_f.__name__, _act, _formula, _grads)
    _ap = _APPROX_DOC if _f is geglu else ""
    _ae = ", or `approximate` neither 'none' nor 'tanh'" if _f is geglu else ""
    _f.__doc__ = _fd.replace("{approx}", _ap).replace("{approx_err}", _ae)
    _b = globals()[_f.__name__ + "_backward"]
    _b.__doc__ = _bd.replace("{approx}", _ap)
    _f.ufunc = _GU[_f.__name__]
    _b.ufunc = _GU[_f.__name__ + "_backward"]
glu.ufunc = _GU["glu"]
glu_backward.ufunc = _GU["glu_backward"]
del _f, _act, _formula, _grads, _fd, _bd, _ap, _ae, _b

GATED_OPS = (glu, glu_backward, reglu, reglu_backward, geglu, geglu_backward,
             swiglu, swiglu_backward)
