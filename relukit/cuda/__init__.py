"""relukit.cuda: the ReLU family on the GPU, Numba-CUDA twins of the CPU ops.

The same op names, parameters, defaults, backward functions and semantics as
:mod:`relukit`, for GPU arrays: PyTorch CUDA tensors and CuPy arrays (read
directly: pointer, shape, dtype), Numba device arrays, and anything else with
``__dlpack__`` on a CUDA device (JAX, ...) or ``__cuda_array_interface__``;
contiguous, float16, float32, float64 or bfloat16 (ml_dtypes' dtype for NumPy-
style arrays).  bfloat16 is computed through the float32 rows and rounded once,
to nearest even, as the CPU's bfloat16 loops do.  The result is of the input's
kind (a CuPy array for CuPy input, a torch tensor for torch input, the
producer's own kind through its namespace's ``from_dlpack`` for other DLPack
input, else a Numba device array); ``out=`` writes into a given array
(``op(x, out=x)`` works in place) and ``stream=`` picks the CUDA stream
(default: the input library's current stream; a DLPack producer is asked to
order its work before it, the protocol's stream argument).

Parameters are scalars (rounded to x's dtype first, like the CPU); prelu takes
a per-channel weight, rrelu_backward a per-element noise array.  Bad
parameters raise the CPU's ValueErrors before anything is launched.

Importing this module does not import numba; the kernels are generated and
compiled on first use (see :mod:`relukit.cuda._kernels`).
"""
import numpy as np

from relukit._optable import public_names as _public_names

# every op of the op table (relukit/_optable.py), the gated family included
__all__ = ["is_available", *_public_names()]


def is_available(explain=False):
    """Whether relukit.cuda can run here: numba-cuda imports and sees a GPU
    (or Numba's CUDA simulator is enabled).

    Parameters
    ----------
    explain : bool, optional
        Also return why not (or what was found).

    Returns
    -------
    bool or (bool, str)
        The answer; with ``explain=True``, the answer and its reason: numba-cuda
        is not installed, it does not import (for example with a NumPy too new
        for it), there is no CUDA driver, or the driver sees no GPU.
    """
    ok, why = _availability()
    return (ok, why) if explain else ok


def _availability():
    import importlib.util

    if importlib.util.find_spec("numba") is None:
        return False, "numba-cuda is not installed (pip install 'relukit[cuda]')"
    try:
        from numba import cuda
    except Exception as exc:  # e.g. a NumPy newer than this Numba supports
        why = f"numba does not import: {type(exc).__name__}: {exc}".strip()
        if "numpy" in str(exc).lower():
            why += f" (NumPy here is {np.__version__}; it may be too new for this Numba)"
        return False, why
    try:
        if cuda.is_available():
            return True, ("Numba's CUDA simulator" if getattr(cuda, "simulator_enabled", False)
                          else f"{len(cuda.gpus)} GPU(s) visible to numba-cuda")
    except Exception as exc:
        return False, f"numba-cuda failed to query CUDA: {exc}"
    try:
        from numba.cuda.cudadrv import driver

        n = driver.driver.get_device_count()
    except Exception as exc:
        return False, "no usable CUDA driver: " + " ".join(str(exc).split())
    if n == 0:
        return False, "the CUDA driver sees no GPU"
    return False, f"the CUDA driver sees {n} GPU(s), but numba-cuda cannot use them"


_ARRAYS = []


def _A():
    """relukit.cuda._arrays (imported on first use: it imports numba-cuda)."""
    if _ARRAYS:
        return _ARRAYS[0]
    from relukit.cuda import _arrays
    _ARRAYS.append(_arrays)
    return _arrays


def _scalar(op, name, value, dtype):
    """A scalar parameter, checked as on the CPU and rounded to x's dtype."""
    if type(value) is float:  # the common case, checked cheaply
        if value != value:
            raise ValueError(f"{op}: {name} must not be NaN")
        if -65504.0 <= value <= 65504.0:  # representable range of every dtype: no overflow
            return dtype.type(value)
    if hasattr(value, "__cuda_array_interface__") or np.ndim(value) != 0:
        raise ValueError(f"{op}: {name} must be a scalar on the GPU (relukit.cuda takes scalar "
                         "parameters; per-channel slopes: relukit.cuda.prelu)")
    arr = np.asarray(value)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{op}: {name} must be a real number, not {type(value).__name__}")
    if arr.dtype.kind == "f" and np.isnan(arr):
        raise ValueError(f"{op}: {name} must not be NaN")
    with np.errstate(over="ignore"):
        return dtype.type(arr)


def _unary(op, row, x, params=(), out=None, stream=None):
    A = _ARRAYS[0] if _ARRAYS else _A()
    xo = A.operand(op, "x", x, stream)
    return A, xo, [_scalar(op, n, v, xo.dtype) for n, v in params]


def _binary(op, g, x, params=(), out=None, stream=None):
    A = _A()
    xo = A.operand(op, "x", x, stream)
    go = A.operand(op, "g", g, stream)
    A.same_layout(op, "g", go, xo)
    ps = [_scalar(op, n, v, xo.dtype) for n, v in params]
    return (go, xo), ps


def _run2(op, row, gx, ps, out, stream):
    return _A().run(op, row, gx, out, ps, stream)


# ---------------------------------------------------------------- ops without parameters
def _simple_forward(op):
    """The GPU wrapper of a parameterless op (its docstring: from the op table)."""
    def forward(x, *, out=None, stream=None):
        A = _ARRAYS[0] if _ARRAYS else _A()
        return A.run(op, op, (A.operand(op, "x", x, stream),), out, (), stream)
    forward.__name__ = forward.__qualname__ = op
    return forward


def _simple_backward(op, from_output_row):
    """The GPU backward of a parameterless op: from_output=True runs `from_output_row`
    (None: not available, ValueError)."""
    row = op + "_bwd"
    name = f"{op}_backward"

    def backward(g, x, *, from_output=False, out=None, stream=None):
        gx, ps = _binary(name, g, x, (), out, stream)
        r = row
        if from_output:
            if from_output_row is None:
                raise ValueError(f"{name}: from_output=True is not exact for {op} (its "
                                 "input cannot be recovered from its output); pass the input")
            r = from_output_row
        return _run2(name, r, gx, ps, out, stream)

    backward.__name__ = backward.__qualname__ = name
    return backward


# ---------------------------------------------------------------- checks
def _check_bounds(op, lo, hi):
    if lo > hi:
        raise ValueError(f"{op}: min_val must be <= max_val (got min_val={float(lo)!r}, "
                         f"max_val={float(hi)!r})")


def _nonzero(op, name, p):
    if p == 0:
        raise ValueError(f"{op}: {name} must not be 0")


def _value_le(op, name, t, value, dtype):
    """from_output of threshold's backward: the forward's ``value=`` given and <= the threshold."""
    if value is None:
        raise ValueError(f"{op}: from_output=True needs the forward's value=")
    v = float(_scalar(op, "value", value, dtype))
    t = float(t)
    if not v <= t:
        raise ValueError(f"{op}: from_output=True is exact only when value <= {name} "
                         f"(got value={v!r}, {name}={t!r}); pass the input instead")


# ---------------------------------------------------------------- prelu, rrelu
def _host_values(op, name, w):
    """The values of a small parameter array (host or GPU) as a NumPy array."""
    if hasattr(w, "__cuda_array_interface__") or type(w).__module__.startswith("numba"):
        from numba import cuda
        return cuda.as_cuda_array(w).copy_to_host() if hasattr(w, "__cuda_array_interface__") \
            else w.copy_to_host()
    if type(w).__module__.split(".")[0] == "torch":
        w = w.detach().cpu().numpy()
    return np.asarray(w)


def _prelu_weight(op, xo, weight, axis):
    """(scalar weight or None, device weight array or None, inner, weight shape)."""
    w = _host_values(op, "weight", weight)
    if w.dtype.kind not in "fiub" and w.dtype != _A().BF16:
        raise TypeError(f"{op}: weight must be real, not {w.dtype}")
    if w.dtype.kind not in "iub" and np.isnan(w).any():
        raise ValueError(f"{op}: weight must not be NaN")
    if w.ndim > 1:
        raise ValueError(f"{op}: weight must be a scalar or 1-D, got shape {w.shape}")
    if w.size == 1:
        return xo.dtype.type(w.reshape(())), None, 1, w.shape
    nd = len(xo.shape)
    if nd == 0:
        raise ValueError(f"{op}: a weight of length {w.size} needs an x with a channel axis")
    if not -nd <= axis < nd:
        raise ValueError(f"{op}: axis {axis} is out of bounds for x with {nd} dimensions")
    ax = axis % nd
    if w.size != xo.shape[ax]:
        raise ValueError(f"{op}: weight has length {w.size} but x.shape[{axis}] is {xo.shape[ax]}")
    inner = int(np.prod(xo.shape[ax + 1:], dtype=np.int64))
    wd = np.ascontiguousarray(w, dtype=xo.dtype)
    return None, wd.view(_A()._storage(xo.dtype)), inner, w.shape  # bfloat16: its bits


def prelu(x, weight, axis=1, *, out=None, stream=None):
    """Parametric ReLU on the GPU: ``x < 0 ? x * weight[c] : x``, one slope per channel.

    Parameters
    ----------
    x : GPU array
        Input.
    weight : float or 1-D array (host or GPU)
        One slope, or one per channel (length ``x.shape[axis]``).
    axis : int, optional
        The channel axis (default 1, NCHW).
    out : GPU array, optional
        Where to store the result.
    stream : stream or int, optional
        CUDA stream.

    Returns
    -------
    GPU array
        The result, exact.
    """
    A = _A()
    xo = A.operand("prelu", "x", x)
    ws, wh, inner, _ = _prelu_weight("prelu", xo, weight, axis)
    if ws is not None:
        return A.run("prelu", "leaky_relu", (xo,), out, [ws], stream)
    st = A.resolve_stream("prelu", stream, xo.obj)
    return A.run_chan("prelu", "leaky_relu", (xo,), out, A.cuda.to_device(wh, stream=st), inner, st)


def prelu_backward(g, x, weight, axis=1, *, out=None, stream=None):
    """Gradients of :func:`prelu` with respect to x and weight, on the GPU.

    Parameters
    ----------
    g, x : GPU arrays
        Incoming gradient and forward input.
    weight : float or 1-D array (host or GPU)
        The forward call's weight.
    axis : int, optional
        The channel axis (default 1).
    out : GPU array, optional
        Where to store dL/dx.
    stream : stream or int, optional
        CUDA stream.

    Returns
    -------
    grad_x : GPU array
        g where ``x > 0``, else ``g * weight[c]``.
    grad_weight : GPU array
        weight's shape: the sum over every other axis of ``g * x`` where
        ``x < 0``, accumulated in float32 (float64 for float64) with atomic
        adds (so the summation order, and the last bits, can vary run to run).
    """
    A = _A()
    op = "prelu_backward"
    gx, _ = _binary(op, g, x, stream=stream)
    xo = gx[1]
    ws, wh, inner, wshape = _prelu_weight(op, xo, weight, axis)
    st = A.resolve_stream(op, stream, xo.obj)
    if ws is not None:
        grad_x = A.run(op, "leaky_relu_bwd", gx, out, [ws], st)
        nch = 1
    else:
        grad_x = A.run_chan(op, "leaky_relu_bwd", gx, out, A.cuda.to_device(wh, stream=st), inner, st)
        nch = wh.size
    acc_dt = np.float64 if xo.dtype == np.float64 else np.float32
    if xo.dtype == A.BF16:
        # bfloat16: the sums on the host, in float32, from copies of g and x
        gw = np.zeros(nch, dtype=acc_dt)
        if xo.size:
            gh, xh = (a.flat().copy_to_host(stream=st).view(A.BF16).astype(np.float32)
                      for a in (gx[0], xo))
            if st != 0:
                st.synchronize()
            neg = xh < 0
            ch = (np.arange(xo.size) // inner) % nch
            np.add.at(gw, ch[neg], gh[neg] * xh[neg])
    else:
        acc = A.cuda.to_device(np.zeros(nch, dtype=acc_dt), stream=st)
        if xo.size:
            from relukit.cuda import _kernels as K
            K.aux_launch("prelu_wgrad", xo.dtype, st, xo.size,
                         (gx[0].flat(), xo.flat(), np.int64(inner), np.int64(nch), acc))
        gw = acc.copy_to_host(stream=st)
        if st != 0:
            st.synchronize()
    gw_dev = A.cuda.to_device(gw.astype(xo.dtype).reshape(wshape).view(A._storage(xo.dtype)),
                              stream=st)
    return grad_x, A.of_kind(xo, gw_dev)


def rrelu(x, lower=1.0 / 8, upper=1.0 / 3, training=False, rng=None, *, out=None, stream=None):
    """Randomized leaky ReLU on the GPU.

    Parameters
    ----------
    x : GPU array
        Input.
    lower, upper : float, optional
        Bounds of the slope distribution, ``0 <= lower <= upper``.
    training : bool, optional
        False: leaky ReLU with slope ``(lower + upper) / 2``. True: a slope per
        element from U(lower, upper), drawn on the host with the NumPy
        Generator `rng` exactly as :func:`relukit.rrelu` draws them (so the
        same seed gives the same noise on CPU and GPU), then copied over.
    rng : numpy.random.Generator or int, optional
        The generator or a seed.
    out : GPU array, optional
        Where to store the result.
    stream : stream or int, optional
        CUDA stream.

    Returns
    -------
    y : GPU array
        The result.
    noise : GPU array
        Only when ``training=True``: the slope of each element (1 where
        ``x > 0``), of x's kind; pass it to :func:`rrelu_backward`.
    """
    A = _A()
    op = "rrelu"
    xo = A.operand(op, "x", x)
    lo = float(_scalar(op, "lower", lower, xo.dtype))
    hi = float(_scalar(op, "upper", upper, xo.dtype))
    if lo < 0 or hi < 0:
        raise ValueError(f"rrelu: lower and upper must be >= 0 (got lower={lo!r}, upper={hi!r})")
    if lo > hi:
        raise ValueError(f"rrelu: lower must be <= upper (got lower={lo!r}, upper={hi!r})")
    if not training:
        return A.run(op, "leaky_relu", (xo,), out, [xo.dtype.type((lo + hi) / 2)], stream)
    st = A.resolve_stream(op, stream, xo.obj)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    u = gen.random(xo.shape, dtype=np.float64 if xo.dtype == np.float64 else np.float32)
    noise_h = np.ascontiguousarray((lo + (hi - lo) * u).astype(xo.dtype, copy=False))
    bf16 = xo.dtype == A.BF16
    if bf16 and xo.size:  # bfloat16: the slope 1 where x >= 0 (or NaN) set on the host
        xh = xo.flat().copy_to_host(stream=st).view(A.BF16).reshape(xo.shape)
        if st != 0:
            st.synchronize()
        noise_h[~(xh.astype(np.float32) < 0)] = 1
    noise = A.cuda.to_device(noise_h.view(A._storage(xo.dtype)), stream=st)
    if xo.size:
        from relukit.cuda import _kernels as K
        if not bf16:
            K.aux_launch("rrelu_noise", xo.dtype, st, xo.size, (xo.flat(), noise.reshape(xo.size)))
        y = A.run_chan(op, "leaky_relu", (xo,), out, noise.reshape(xo.size), 1, st)
    else:
        y = A.output(op, xo, out, st)[0]
    return y, A.of_kind(xo, noise)


def rrelu_backward(g, x, noise, *, out=None, stream=None):
    """Gradient of :func:`rrelu` in training mode: ``g * noise`` where ``x <= 0``, g elsewhere.

    Parameters
    ----------
    g, x : GPU arrays
        Incoming gradient and forward input.
    noise : GPU array or float
        The noise returned by ``rrelu(..., training=True)`` (x's shape), or a slope.
    out : GPU array, optional
        Where to store dL/dx.
    stream : stream or int, optional
        CUDA stream.

    Returns
    -------
    GPU array
        dL/dx; NaN where x is NaN.
    """
    A = _A()
    op = "rrelu_backward"
    gx, _ = _binary(op, g, x, stream=stream)
    if np.ndim(noise) == 0 and not hasattr(noise, "__cuda_array_interface__") \
            and not type(noise).__module__.startswith("numba"):
        return _run2(op, "leaky_relu_bwd", gx, [_scalar(op, "noise", noise, gx[1].dtype)], out, stream)
    no = A.operand(op, "noise", noise)
    A.same_layout(op, "noise", no, gx[1])
    st = A.resolve_stream(op, stream, gx[1].obj)
    return A.run_chan(op, "leaky_relu_bwd", gx, out, no.flat(), 1, st)


# ---------------------------------------------------------------- the table's ops
# relu, relu6, hardtanh, threshold, leaky_relu, hardsigmoid, hardswish, elu, celu, selu,
# silu (swish), mish, softplus, gelu and their backwards: generated from the op table
# (relukit/_optable.py) by relukit/_opgen.py into this module's namespace, as the CPU's.
from relukit import _opgen  # noqa: E402

globals().update(_opgen.build("gpu", globals(), (
    _simple_forward, lambda op, fo: _simple_backward(op, op + "_bwd" if fo == "" else fo))))


# the gated family (two operands, two gradients): written by hand in
# relukit/cuda/_gated.py, as on the CPU
from relukit.cuda._gated import (  # noqa: E402
    geglu, geglu_backward, glu, glu_backward, reglu, reglu_backward, swiglu, swiglu_backward)


def __dir__():
    return list(__all__)
