"""Property-based tests (hypothesis) of every ufunc through the Python API.

Each example draws a ufunc of the kernel list (forward, backward and
from-output), a float dtype (float16, float32, float64), a shape of 0 to 6
dimensions (empty ones included), a memory layout for every operand (C order,
transposed, negative and non-unit steps, zero strides from ``broadcast_to``),
parameters as scalars or as arrays broadcasting against ``x``, a ``where=``
mask, and an ``out=`` that is fresh, the input itself, or a view partly
overlapping the input.  Every result is compared with the float64 (long
double for float64 results) reference within the published bound
(``relukit._reference.ULP_BOUNDS``), and every aliased result with the
non-aliased one, bit for bit.

Examples per run: ``EXAMPLES`` = 400 per test (5 tests, 2000 examples in
all), set in the ``relukit`` settings profile; ``RELUKIT_HYPOTHESIS_EXAMPLES``
sets it (e.g. 10000 for a long soak).  The file takes about 20 s of CPU time
on a 2-core x86-64 machine (AVX2).
"""
import os

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from conftest import assert_same  # noqa: E402
from relukit import _reference, _ufuncs  # noqa: E402

EXAMPLES = int(os.environ.get("RELUKIT_HYPOTHESIS_EXAMPLES", "400"))
settings.register_profile(
    "relukit", max_examples=EXAMPLES, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("relukit")

ALL_UFUNCS = sorted(_ufuncs.UFUNCS)
FLOATS = [np.float16, np.float32, np.float64]

# Valid parameter values per ufunc, one tuple of choices per parameter (operand
# order); they keep every call inside the domain the published bounds cover
# (hardtanh min < max, celu/softplus non-zero, from-output gradients where
# they are exact).
PARAM_CHOICES = {
    "hardtanh": ([-1.0, -0.5, 0.0], [1.0, 2.0, 6.0]),
    "hardtanh_backward": ([-1.0, -0.5, 0.0], [1.0, 2.0, 6.0]),
    "threshold": ([0.25, 0.0, -1.0], [-3.0, 0.0, 20.0]),
    "threshold_backward": ([0.25, 0.0, -1.0],),
    "leaky_relu": ([0.01, 0.2, 0.0, 1.5, -0.5],),
    "leaky_relu_backward": ([0.01, 0.2, 0.0, 1.5, -0.5],),
    "elu": ([1.0, 0.5, 2.0],),
    "elu_backward": ([1.0, 0.5, 2.0],),
    "elu_backward_from_output": ([1.0, 0.5, 2.0],),
    "celu": ([1.0, 0.5, 2.0],),
    "celu_backward": ([1.0, 0.5, 2.0],),
    "celu_backward_from_output": ([1.0, 0.5, 2.0],),
    "softplus": ([1.0, 2.0, 0.5], [20.0, 10.0, 5.0]),
    "softplus_backward": ([1.0, 2.0, 0.5], [20.0, 10.0, 5.0]),
    "softplus_backward_from_output": ([1.0, 2.0, 0.5], [20.0, 10.0, 5.0]),
}


def _nin(name):
    return 2 if _reference.is_backward(name) else 1


# ---------------------------------------------------------------- strategies
shapes = hnp.array_shapes(min_dims=0, max_dims=6, min_side=0, max_side=3)


@st.composite
def layouts(draw, shape, dtype):
    """An array of `shape` and `dtype` with values hypothesis picks (NaN, +-inf,
    subnormals, signed zeros included), in a drawn memory layout."""
    kind = draw(st.sampled_from(["c", "steps", "transposed", "broadcast"]))
    elements = st.floats(width=np.dtype(dtype).itemsize * 8, allow_nan=True, allow_infinity=True)
    if kind == "broadcast" and len(shape) > 0:
        # zero strides: some axes of length 1 stretched to the full shape
        small = tuple(draw(st.sampled_from([1, s])) for s in shape)
        base = draw(hnp.arrays(dtype, small, elements=elements))
        return np.broadcast_to(base, shape)
    if kind == "steps" and len(shape) > 0:
        steps = [draw(st.sampled_from([1, 2, -1, -2, 3])) for _ in shape]
        big = tuple(max(1, s * abs(k)) for s, k in zip(shape, steps))
        base = draw(hnp.arrays(dtype, big, elements=elements))
        view = base[tuple(slice(None, None, k) for k in steps)]
        return view[tuple(slice(0, s) for s in shape)]
    if kind == "transposed" and len(shape) > 1:
        perm = draw(st.permutations(range(len(shape))))
        base = draw(hnp.arrays(dtype, tuple(shape[p] for p in perm), elements=elements))
        inverse = np.argsort(perm)
        return base.transpose(inverse)
    return draw(hnp.arrays(dtype, shape, elements=elements))


@st.composite
def broadcastable_shape(draw, shape):
    """A shape that broadcasts to `shape` (fewer dimensions, some axes 1)."""
    nd = draw(st.integers(0, len(shape)))
    tail = shape[len(shape) - nd:]
    return tuple(draw(st.sampled_from([1, s])) for s in tail)


@st.composite
def parameters(draw, name, shape, dtype):
    """Parameters of ufunc `name`, each a 0-d array or an array broadcasting
    against `shape`, in `dtype` (as the wrappers pass them)."""
    out = []
    for choices in PARAM_CHOICES.get(name, ()):
        if draw(st.booleans()):
            out.append(np.asarray(draw(st.sampled_from(choices)), dtype=dtype))
        else:
            pshape = draw(broadcastable_shape(shape))
            out.append(draw(hnp.arrays(dtype, pshape, elements=st.sampled_from(choices))))
    return out


@st.composite
def calls(draw):
    """(name, dtype, input arrays, parameter arrays)."""
    name = draw(st.sampled_from(ALL_UFUNCS))
    dtype = draw(st.sampled_from(FLOATS))
    shape = draw(shapes)
    arrays = [draw(layouts(shape, dtype)) for _ in range(_nin(name))]
    if len(arrays) == 2 and draw(st.booleans()):
        # a gradient broadcasting against x (e.g. a scalar or per-channel g)
        arrays[0] = draw(hnp.arrays(dtype, draw(broadcastable_shape(shape)),
                                    elements=st.floats(width=np.dtype(dtype).itemsize * 8)))
    params = draw(parameters(name, shape, dtype))
    fwd = _reference.forward_of(name)
    if fwd:
        # a gradient from the output takes what the forward can output (softplus
        # y > 0, celu y >= -alpha, ...): outside that range it is not defined
        with np.errstate(all="ignore"):
            arrays[-1] = _ufuncs.UFUNCS[fwd](arrays[-1], *params)
    return name, dtype, arrays, params


# ---------------------------------------------------------------- the check
def _check(name, dtype, arrays, params, got, mask=None):
    """`got` (where `mask` is True) against the reference within the bound."""
    shape = np.broadcast_shapes(*(a.shape for a in arrays), *(p.shape for p in params))
    want = _reference.reference(name, *arrays, *params, dtype=dtype)
    want = np.broadcast_to(want, shape)
    got = np.broadcast_to(got, shape)
    if mask is not None:
        m = np.broadcast_to(mask, shape)
        got, want = got[m], want[m]
        g = np.broadcast_to(arrays[0], shape)[m] if len(arrays) == 2 else None
        x = np.broadcast_to(arrays[-1], shape)[m]
    else:
        g = np.broadcast_to(arrays[0], shape) if len(arrays) == 2 else None
        x = np.broadcast_to(arrays[-1], shape)
    bound = _reference.ULP_BOUNDS[name][np.dtype(dtype).name]
    if bound == 0:
        with np.errstate(invalid="ignore"):
            assert_same(np.asarray(got), np.asarray(want).astype(dtype), f"{name} {np.dtype(dtype).name}")
        return
    err = _reference.ulp_error(got, want, dtype, g=g, op=name, x=x)
    if err.size and err.max() > bound:
        i = int(np.argmax(err))
        operands = [np.broadcast_to(a, shape) if mask is None else np.broadcast_to(a, shape)[m]
                    for a in (*arrays, *params)]
        raise AssertionError(f"{name} {np.dtype(dtype).name}: {err.max():.3g} ULP > {bound} with "
                             f"operands {[np.asarray(o).ravel()[i] for o in operands]}: "
                             f"got {np.asarray(got).ravel()[i]!r}")


def _call(name, arrays, params, **kw):
    with np.errstate(all="raise"):  # no floating-point warning for any input
        return _ufuncs.UFUNCS[name](*arrays, *params, **kw)


# ---------------------------------------------------------------- properties
@PROFILE
@given(calls())
def test_against_reference(call):
    name, dtype, arrays, params = call
    got = _call(name, arrays, params)
    assert got.dtype == dtype
    _check(name, dtype, arrays, params, got)
    # the same values through contiguous copies give the same bits (any route)
    same = _call(name, [a.copy(order="C") for a in arrays], params)
    assert_same(same, got, f"{name}: strided vs contiguous")


@PROFILE
@given(calls(), st.data())
def test_where_mask(call, data):
    name, dtype, arrays, params = call
    shape = np.broadcast_shapes(*(a.shape for a in arrays), *(p.shape for p in params))
    mask = data.draw(hnp.arrays(np.bool_, data.draw(broadcastable_shape(shape))))
    sentinel = dtype(0.125)
    out = np.full(shape, sentinel, dtype=dtype)
    res = _call(name, arrays, params, out=out, where=mask)
    assert res is out
    m = np.broadcast_to(mask, shape)
    assert (out[~m] == sentinel).all(), f"{name}: where=False elements were written"
    _check(name, dtype, arrays, params, out, mask=mask)


@PROFILE
@given(calls(), st.data())
def test_out_is_an_input(call, data):
    """op(x, out=x) (and out=g for a backward) equals the non-aliased call."""
    name, dtype, arrays, params = call
    shape = np.broadcast_shapes(*(a.shape for a in arrays), *(p.shape for p in params))
    which = data.draw(st.sampled_from(range(len(arrays))))
    target = np.array(np.broadcast_to(arrays[which], shape))  # writeable, of the full shape
    if data.draw(st.booleans()) and target.ndim:
        target = np.asfortranarray(target)
    arrays = list(arrays)
    arrays[which] = target
    want = _call(name, [a.copy() for a in arrays], params)
    res = _call(name, arrays, params, out=target)
    assert res is target
    assert_same(target, want, f"{name}: out aliasing operand {which}")


@PROFILE
@given(st.sampled_from(ALL_UFUNCS), st.sampled_from(FLOATS), st.integers(1, 200),
       st.integers(-7, 7), st.booleans(), st.data())
def test_out_overlaps_input_partly(name, dtype, n, shift, reverse, data):
    """out is a view of the same buffer as x, shifted by `shift` elements
    (optionally reversed): NumPy sees the overlap and copies; the result equals
    the non-aliased one and the reference."""
    k = abs(shift)
    elements = st.floats(width=np.dtype(dtype).itemsize * 8)
    buf = data.draw(hnp.arrays(dtype, n + k, elements=elements))
    x = buf[k:] if shift >= 0 else buf[:n]
    out = buf[:n] if shift >= 0 else buf[k:]
    if reverse:
        out = out[::-1]
    params = data.draw(parameters(name, (n,), dtype))
    fwd = _reference.forward_of(name)
    if fwd:  # a gradient from the output takes what the forward can output
        with np.errstate(all="ignore"):
            x[...] = _ufuncs.UFUNCS[fwd](x.copy(), *params)
    arrays = [x]
    if _nin(name) == 2:
        arrays = [data.draw(hnp.arrays(dtype, n, elements=elements)), x]
    inputs = [a.copy() for a in arrays]
    want = _call(name, inputs, params)
    res = _call(name, arrays, params, out=out)
    assert res is out
    assert_same(out, want, f"{name}: partly overlapping out (shift {shift}, reverse {reverse})")
    _check(name, dtype, inputs, params, out)


@PROFILE
@given(calls())
def test_in_place_matches_reference(call):
    """The in-place result (out=x) is within the bound of the reference of the
    original x."""
    name, dtype, arrays, params = call
    shape = np.broadcast_shapes(*(a.shape for a in arrays), *(p.shape for p in params))
    x = np.array(np.broadcast_to(arrays[-1], shape))
    original = [*arrays[:-1], x.copy()]
    _call(name, [*arrays[:-1], x], params, out=x)
    _check(name, dtype, original, params, x)
