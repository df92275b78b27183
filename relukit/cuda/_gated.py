"""relukit.cuda's gated family: glu, reglu, geglu, swiglu and their backward,
the GPU twins of :func:`relukit.glu` ... :func:`relukit.swiglu_backward`.

Each forward op takes two forms: ``op(a, b)`` = act(a) * b on two GPU arrays of
one shape and dtype (no broadcasting on the GPU), and ``op(x, axis=-1)``, the
split form: a and b are the first and second halves of x along `axis`, read in
place by the kernels (no copy; x is C-contiguous, so its halves are the two
halves of each of its rows of ``2 * x.shape[axis] // 2 * prod(x.shape[axis+1:])``
elements, contiguous themselves where every axis before `axis` has size 1).
glu, as torch's, has only the split form.  Backward: ``op_backward(g, a, b)``
returns ``(grad_a, grad_b)`` from one pass over (g, a, b); the split form
``op_backward(g, x, axis=-1)`` returns one gradient of x's shape, its halves
written in place.

Validation and errors as on the CPU (they name the op), before anything is
allocated or launched.  Importing this module does not import numba.
"""
from math import prod

import numpy as np

_ARRAYS = []

_GEGLU = {"none": ("geglu", "geglu_bwd"), "tanh": ("geglu_tanh", "geglu_tanh_bwd")}


def _A():
    """relukit.cuda._arrays (imported on first use: it imports numba-cuda)."""
    if _ARRAYS:
        return _ARRAYS[0]
    from relukit.cuda import _arrays
    _ARRAYS.append(_arrays)
    return _arrays


def _stream(A, op, stream, x):
    """The int handle (or Numba stream) the call runs on."""
    return A._default_stream(x) if stream is None else A.stream_handle(op, stream, x.obj)


def _split(op, x, axis):
    """(shape of a half, L, outer) of the split form of operand x along `axis`:
    x is `outer` rows of 2L elements, a and b the first and second L of each."""
    shape = tuple(x.shape)
    nd = len(shape)
    if nd == 0:
        raise ValueError(f"{op}: the split form needs an array with at least one axis")
    if type(axis) is not int:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int, not {type(axis).__name__}")
        axis = int(axis)
    if not -nd <= axis < nd:
        raise ValueError(f"{op}: axis {axis} is out of bounds for an array of {nd} dimension(s)")
    ax = axis + nd if axis < 0 else axis
    n2 = shape[ax]
    if n2 % 2:
        raise ValueError(f"{op}: the split form halves axis {axis}, whose size {n2} is odd")
    h = n2 // 2
    return shape[:ax] + (h,) + shape[ax + 1:], h * prod(shape[ax + 1:]), prod(shape[:ax])


def _forward(op, row, a, b, axis, out, stream):
    A = _ARRAYS[0] if _ARRAYS else _A()
    if b is None:
        xo = A.operand(op, "x", a, stream)
        half, L, outer = _split(op, xo, axis)
        st = _stream(A, op, stream, xo)
        res, o = A.output_shaped(op, xo, half, out, st, ref="the split form's half of x")
        A.run_gated(row, (xo,), (o,), st, (L, outer))
        return A._finish(res)
    if axis != -1:
        raise TypeError(f"{op}: axis= is taken by the split form op(x) only, not op(a, b)")
    ao = A.operand(op, "a", a, stream)
    bo = A.operand(op, "b", b, stream)
    A.same_layout(op, "b", bo, ao, "a")
    st = _stream(A, op, stream, ao)
    res, o = A.output_shaped(op, ao, ao.shape, out, st, ref="a")
    A.run_gated(row, (ao, bo), (o,), st)
    return A._finish(res)


def _backward(op, row, g, a, b, axis, out, stream):
    A = _ARRAYS[0] if _ARRAYS else _A()
    if b is None:
        if type(out) is tuple:
            if len(out) != 1:
                raise TypeError(f"{op}: out= of the split form is one array of x's shape")
            out = out[0]
        xo = A.operand(op, "x", a, stream)
        half, L, outer = _split(op, xo, axis)
        go = A.operand(op, "g", g, stream)
        A.same_layout(op, "g", go, xo, "the split form's half of x", half)
        st = _stream(A, op, stream, xo)
        res, o = A.output_shaped(op, xo, xo.shape, out, st, ref="x")
        A.run_gated(row, (go, xo), (o,), st, (L, outer))
        return A._finish(res)
    if axis != -1:
        raise TypeError(f"{op}: axis= is taken by the split form op(g, x) only")
    if out is None:
        out = (None, None)
    elif type(out) not in (tuple, list) or len(out) != 2:
        raise TypeError(f"{op}: out= of op(g, a, b) is a tuple of two arrays (grad_a, grad_b), "
                        "either of them None")
    ao = A.operand(op, "a", a, stream)
    bo = A.operand(op, "b", b, stream)
    go = A.operand(op, "g", g, stream)
    A.same_layout(op, "b", bo, ao, "a")
    A.same_layout(op, "g", go, ao, "a")
    st = _stream(A, op, stream, ao)
    ra, oa = A.output_shaped(op, ao, ao.shape, out[0], st, ref="a", name="out[0]")
    rb, ob = A.output_shaped(op, ao, ao.shape, out[1], st, ref="a", name="out[1]")
    A.run_gated(row, (go, ao, bo), (oa, ob), st)
    return A._finish(ra), A._finish(rb)


def glu(x, axis=-1, *, out=None, stream=None):
    """Gated linear unit on the GPU, torch's ``F.glu``: the first half of `x`
    along `axis` times the sigmoid of the second half.

    Parameters
    ----------
    x : GPU array
        Contiguous float16/float32/float64/bfloat16 GPU array (anything with
        ``__dlpack__`` on a CUDA device or ``__cuda_array_interface__``); its
        size along `axis` must be even.
    axis : int, optional
        The axis to halve (default -1).
    out : GPU array, optional
        Where to store the result (the shape of one half, x's dtype).
    stream : stream or int, optional
        CUDA stream (Numba, CuPy or PyTorch stream, or a handle); default: the
        input library's current stream.

    Returns
    -------
    GPU array
        ``a * sigmoid(b)`` with a, b the halves (read in place, no copy), of
        x's kind, or `out`.

    Raises
    ------
    TypeError
        x is not a GPU array of a supported dtype, or `axis` is not an int.
    ValueError
        x is not contiguous, the size along `axis` is odd, or `axis` is out of
        bounds; nothing is launched.
    """
    return _forward("glu", "glu", x, None, axis, out, stream)


def glu_backward(g, x, axis=-1, *, out=None, stream=None):
    """Gradient of :func:`glu` on the GPU: one array of x's shape,
    ``[g * s, g * a * s * (1 - s)]`` with ``s = sigmoid(b)``, both halves in one pass.

    Parameters
    ----------
    g : GPU array
        Incoming gradient dL/dy (the shape of one half, x's dtype).
    x : GPU array
        The forward input.
    axis : int, optional
        The forward call's axis.
    out : GPU array, optional
        Where to store dL/dx (x's shape).
    stream : stream or int, optional
        CUDA stream.

    Returns
    -------
    GPU array
        dL/dx, of x's kind.
    """
    return _backward("glu_backward", "glu_bwd", g, x, None, axis, out, stream)


def _doc(name, act, formula, grads, approx):
    title = {"reglu": "ReGLU", "swiglu": "SwiGLU", "geglu": "GEGLU"}[name]
    ap = ("""
    approximate : {'none', 'tanh'}, optional
        gelu's form: ``'none'`` (erf, default) or ``'tanh'``.""" if approx else "")
    ae = ", or `approximate` neither 'none' nor 'tanh'" if approx else ""
    fwd = f"""{title} on the GPU: ``{formula}``, fused (one pass over a and b).

    Two forms: ``{name}(a, b)`` (a and b of one shape and dtype: no broadcasting
    on the GPU) and ``{name}(x, axis=-1)``, the split form: a and b are the first
    and second halves of `x` along `axis`, read in place (no copy).

    Parameters
    ----------
    a : GPU array
        The activated operand, or `x` of the split form: contiguous float16,
        float32, float64 or bfloat16.
    b : GPU array, optional
        The other operand; omitted for the split form.{ap}
    axis : int, optional
        Split form only: the axis to halve (default -1).
    out : GPU array, optional
        Where to store the result (split form: the shape of one half).
    stream : stream or int, optional
        CUDA stream; default: the input library's current stream.

    Returns
    -------
    GPU array
        ``{act}(a) * b``, of a's kind. float16 and bfloat16 are computed in
        float32 (bfloat16 as the float32 result rounded once). NaN in either
        operand gives NaN; an infinite b times a finite nonzero a gives an
        infinity; ``{act}(-inf) * inf`` is NaN.

    Raises
    ------
    TypeError
        An operand is not a GPU array of a supported dtype, or the dtypes
        differ, or ``axis=`` is given with two operands.
    ValueError
        The shapes differ, split form with an odd size along `axis`{ae};
        nothing is launched or written to `out`.
    """
    bwd = f"""Gradients of :func:`{name}` on the GPU, both in one pass: ``{grads}``.

    Parameters
    ----------
    g : GPU array
        Incoming gradient dL/dy (a's shape; split form: the shape of one half).
    a : GPU array
        The forward's a, or its `x` (split form).
    b : GPU array, optional
        The forward's b; omitted for the split form.{ap}
    axis : int, optional
        Split form only: the forward call's axis.
    out : tuple of two GPU arrays, or (split form) one GPU array of x's shape, optional
        Where to store the gradients (a tuple entry may be None).
    stream : stream or int, optional
        CUDA stream.

    Returns
    -------
    (GPU array, GPU array) or GPU array
        ``(dL/da, dL/db)``; the split form: dL/dx, one array of x's shape.
    """
    return fwd, bwd


def reglu(a, b=None, *, axis=-1, out=None, stream=None):
    return _forward("reglu", "reglu", a, b, axis, out, stream)


def reglu_backward(g, a, b=None, *, axis=-1, out=None, stream=None):
    return _backward("reglu_backward", "reglu_bwd", g, a, b, axis, out, stream)


def swiglu(a, b=None, *, axis=-1, out=None, stream=None):
    return _forward("swiglu", "swiglu", a, b, axis, out, stream)


def swiglu_backward(g, a, b=None, *, axis=-1, out=None, stream=None):
    return _backward("swiglu_backward", "swiglu_bwd", g, a, b, axis, out, stream)


def _geglu_row(op, approximate, which):
    try:
        return _GEGLU[approximate][which]
    except (KeyError, TypeError):
        raise ValueError(f"{op}: approximate must be 'none' or 'tanh', not {approximate!r}") from None


def geglu(a, b=None, approximate="none", *, axis=-1, out=None, stream=None):
    return _forward("geglu", _geglu_row("geglu", approximate, 0), a, b, axis, out, stream)


def geglu_backward(g, a, b=None, approximate="none", *, axis=-1, out=None, stream=None):
    return _backward("geglu_backward", _geglu_row("geglu_backward", approximate, 1),
                     g, a, b, axis, out, stream)


for _f, _b, _act, _formula, _grads in (
        (reglu, reglu_backward, "relu", "relu(a) * b",
         "ga = a > 0 ? g * b : 0, gb = g * relu(a)"),
        (swiglu, swiglu_backward, "silu", "silu(a) * b = a * sigmoid(a) * b",
         "ga = g * b * s * (1 + a * (1 - s)), gb = g * silu(a), s = sigmoid(a)"),
        (geglu, geglu_backward, "gelu", "gelu(a) * b",
         "ga = g * b * gelu'(a), gb = g * gelu(a)")):
    _f.__doc__, _b.__doc__ = _doc(_f.__name__, _act, _formula, _grads, _f is geglu)
del _f, _b, _act, _formula, _grads

GATED_OPS = (glu, glu_backward, reglu, reglu_backward, geglu, geglu_backward,
             swiglu, swiglu_backward)
