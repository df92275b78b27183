"""relu and relu_backward (src/piecewise.c) against the float64 reference:
every float dtype, every length 0..147, strides -4..4, in place, misaligned,
special values, integer dtypes, no floating-point warnings."""
import numpy as np
import pytest
from conftest import FLOATS, LENGTHS, assert_same, random_values, special_values

import relukit
from relukit import _reference, _ufuncs

STRIDES = [s for s in range(-4, 5) if s != 0]


def ref_relu(x):
    with np.errstate(invalid="ignore"):  # numpy's own casts flag signalling NaNs
        return _reference.reference("relu", x, dtype=x.dtype).astype(x.dtype)


def ref_relu_bwd(g, x):
    with np.errstate(invalid="ignore"):
        return _reference.reference("relu_backward", g, x, dtype=x.dtype).astype(x.dtype)


def test_loop_types_narrowest_first():
    relu_backward = _ufuncs.UFUNCS["relu_backward"]
    assert relukit.relu.types[:3] == ["e->e", "f->f", "d->d"]
    assert relu_backward.types == ["ee->e", "ff->f", "dd->d"]
    # relukit.relu is a thin callable around its ufunc (x=, inplace=; see the README)
    assert isinstance(relukit.relu.ufunc, np.ufunc) and isinstance(relu_backward, np.ufunc)
    assert (relukit.relu.nin, relukit.relu.nout) == (1, 1)
    assert (relu_backward.nin, relu_backward.nout) == (2, 1)


@pytest.mark.parametrize("n", LENGTHS)
def test_relu_every_length(fdtype, n, rng):
    # lengths 0..147 cover the unrolled loop (twice), the one-vector loop and every tail
    x = random_values(fdtype, n, rng)
    with np.errstate(all="raise"):
        y = relukit.relu(x)
    assert_same(y, ref_relu(x), f"relu n={n}")
    g = random_values(fdtype, n, rng)
    with np.errstate(all="raise"):
        gx = relukit.relu_backward(g, x)
    assert_same(gx, ref_relu_bwd(g, x), f"relu_backward n={n}")


@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("n", [0, 1, 7, 16, 33, 67, 300, 1000])
def test_relu_strides(fdtype, stride, n, rng):
    base = random_values(fdtype, n * abs(stride) + 3, rng)
    x = base[1::stride] if stride > 0 else base[::stride]
    x = x[:n]
    want = ref_relu(np.ascontiguousarray(x))
    with np.errstate(all="raise"):
        assert_same(relukit.relu(x), want, f"relu stride={stride}")
        # strided output too
        out = np.full(n * abs(stride) + 1, 7, dtype=fdtype)[:: stride][:n]
        relukit.relu(x, out=out)
    assert_same(out, want, f"relu strided out stride={stride}")
    g = random_values(fdtype, len(x), rng)[::-1]
    with np.errstate(all="raise"):
        got = relukit.relu_backward(g, x)
    assert_same(got, ref_relu_bwd(np.ascontiguousarray(g), np.ascontiguousarray(x)),
                f"relu_backward stride={stride}")


def test_relu_broadcast_zero_stride(fdtype):
    x = np.broadcast_to(np.array(-2.5, dtype=fdtype), (50,))
    assert_same(relukit.relu(x), np.zeros(50, fdtype))
    g = np.arange(50, dtype=fdtype)
    assert_same(relukit.relu_backward(g, np.broadcast_to(np.array(1, dtype=fdtype), (50,))), g)


@pytest.mark.parametrize("n", [0, 1, 5, 31, 64, 67, 1000])
def test_relu_in_place(fdtype, n, rng):
    x = random_values(fdtype, n, rng)
    want = ref_relu(x)
    r = relukit.relu(x, out=x)
    assert r is x
    assert_same(x, want, "relu in place")
    g = random_values(fdtype, n, rng)
    x2 = random_values(fdtype, n, rng)
    want = ref_relu_bwd(g, x2)
    relukit.relu_backward(g, x2, out=g)
    assert_same(g, want, "relu_backward in place over g")


@pytest.mark.parametrize("offset", [1, 2, 3, 5])
def test_relu_misaligned_start(fdtype, offset, rng):
    base = random_values(fdtype, 200, rng)
    x = base[offset:]
    out = np.empty(200 + offset, dtype=fdtype)[offset:-offset or None][: len(x)]
    relukit.relu(x, out=out)
    assert_same(out, ref_relu(x), "misaligned")


def test_relu_unaligned_bytes(rng):
    # float32 data starting at an odd byte address
    raw = np.zeros(4 * 100 + 1, dtype=np.uint8)
    x = np.frombuffer(raw.data, dtype=np.float32, count=100, offset=1)
    assert not x.flags.aligned
    vals = random_values(np.float32, 100, rng)
    raw[1:] = vals.view(np.uint8)
    assert_same(relukit.relu(x), ref_relu(vals), "unaligned")


def test_special_values(fdtype):
    x = special_values(fdtype)
    with np.errstate(all="raise"):
        y = relukit.relu(x)
        gx = relukit.relu_backward(np.ones_like(x), x)
    assert_same(y, ref_relu(x), "relu specials")
    assert np.signbit(y[1]) and y[1] == 0, "relu(-0.0) must be -0.0"
    assert np.isnan(y[4]) and np.isnan(y[5])
    assert y[2] == np.inf and y[3] == 0 and not np.signbit(y[3])
    assert_same(gx, ref_relu_bwd(np.ones_like(x), x), "relu_backward specials")
    assert np.isnan(gx[4]) and gx[0] == 0 and gx[1] == 0, "relu'(0) = 0, NaN propagates"


def test_nan_payload_kept():
    x = np.array([0x7FC01234, 0xFFC00042], dtype=np.uint32).view(np.float32)
    y = relukit.relu(x)
    assert (y.view(np.uint32) == x.view(np.uint32)).all()


def test_backward_grad_nan_where_inactive():
    # g is only passed where x > 0: a NaN gradient where x <= 0 is dropped (as in PyTorch)
    g = np.array([np.nan, np.nan, np.nan], np.float32)
    x = np.array([-1.0, 0.0, 1.0], np.float32)
    assert_same(relukit.relu_backward(g, x), np.array([0.0, 0.0, np.nan], np.float32))


def test_no_fp_warnings_any_float16():
    # all 65536 float16 bit patterns, signalling NaNs included
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    with np.errstate(all="raise"):
        y = relukit.relu(x)
        gx = relukit.relu_backward(x, x)
        yf = relukit.relu(x.astype(np.float32))
    assert_same(y, ref_relu(x), "all float16")
    assert_same(gx, ref_relu_bwd(x, x), "all float16 backward")
    assert_same(yf, ref_relu(x.astype(np.float32)), "float16 values in float32")


INT_TYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
             np.uint64, np.intc, np.uintc, np.longlong, np.ulonglong]


@pytest.mark.parametrize("itype", INT_TYPES, ids=lambda t: np.dtype(t).name + np.dtype(t).char)
@pytest.mark.parametrize("n", [0, 1, 13, 64, 131])
def test_relu_integers_keep_dtype(itype, n, rng):
    info = np.iinfo(itype)
    x = rng.integers(info.min, info.max, size=n, dtype=itype, endpoint=True)
    if n:
        x[0] = info.min
    y = relukit.relu(x)
    assert y.dtype == np.dtype(itype)
    want = np.where(x < 0, 0, x).astype(itype)
    np.testing.assert_array_equal(y, want)
    np.testing.assert_array_equal(relukit.relu(x[::-3]), want[::-3])
    relukit.relu(x, out=x)
    np.testing.assert_array_equal(x, want)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_dtype_preserved(dtype):
    x = np.linspace(-3, 3, 11).astype(dtype)
    assert relukit.relu(x).dtype == dtype
    assert relukit.relu_backward(x, x).dtype == dtype
    assert type(relukit.relu(dtype(-1.5))) is dtype


# ---------------------------------------------------------------------------
# The parametric wrappers: validation (nothing written to out), from_output,
# prelu, rrelu, and agreement with PyTorch on kinks and signed zeros.

BAD_CALLS = [
    ("hardtanh", lambda x, o: relukit.hardtanh(x, 2.0, 1.0, out=o), ValueError, "hardtanh: min_val"),
    ("hardtanh", lambda x, o: relukit.hardtanh(x, np.nan, 1.0, out=o), ValueError, "hardtanh: min_val must not be NaN"),
    ("hardtanh_backward", lambda x, o: relukit.hardtanh_backward(x, x, 1.0, -1.0, out=o), ValueError, "hardtanh_backward: min_val"),
    ("threshold", lambda x, o: relukit.threshold(x, np.nan, 0.0, out=o), ValueError, "threshold: threshold must not be NaN"),
    ("threshold", lambda x, o: relukit.threshold(x, 0.0, np.nan, out=o), ValueError, "threshold: value must not be NaN"),
    ("threshold_backward", lambda x, o: relukit.threshold_backward(x, x, 0.0, value=1.0, from_output=True, out=o), ValueError, "exact only when value <= threshold"),
    ("threshold_backward", lambda x, o: relukit.threshold_backward(x, x, 0.0, from_output=True, out=o), ValueError, "needs the forward's value"),
    ("leaky_relu", lambda x, o: relukit.leaky_relu(x, np.nan, out=o), ValueError, "leaky_relu: negative_slope must not be NaN"),
    ("leaky_relu", lambda x, o: relukit.leaky_relu(x, "a", out=o), TypeError, "leaky_relu: negative_slope"),
    ("leaky_relu_backward", lambda x, o: relukit.leaky_relu_backward(x, x, -0.5, from_output=True, out=o), ValueError, "negative_slope >= 0"),
    ("prelu", lambda x, o: relukit.prelu(x.reshape(2, 3), [0.1, 0.2], out=o.reshape(2, 3)), ValueError, "prelu: weight has length 2"),
    ("prelu", lambda x, o: relukit.prelu(x, [[0.1]], out=o), ValueError, "prelu: weight must be a scalar or 1-D"),
    ("prelu", lambda x, o: relukit.prelu(x, [0.1, np.nan], axis=0, out=o), ValueError, "prelu: weight must not be NaN"),
    ("rrelu", lambda x, o: relukit.rrelu(x, 0.5, 0.1, out=o), ValueError, "rrelu: lower must be <= upper"),
    ("rrelu", lambda x, o: relukit.rrelu(x, -0.1, 0.1, out=o), ValueError, "rrelu: lower and upper must be >= 0"),
    ("rrelu", lambda x, o: relukit.rrelu(x, np.nan, 0.1, out=o), ValueError, "rrelu: lower must not be NaN"),
]


@pytest.mark.parametrize("op,call,exc,msg", BAD_CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)])
def test_bad_parameters_leave_out_untouched(op, call, exc, msg):
    x = np.linspace(-2, 2, 6).astype(np.float32)
    out = np.full(6, 42.0, np.float32)
    with pytest.raises(exc, match=msg.replace("(", r"\(").replace(")", r"\)")):
        call(x, out)
    assert (out == 42.0).all(), f"{op} wrote to out before rejecting"


def test_from_output_matches_from_input(rng):
    x = random_values(np.float32, 1000, rng)
    g = random_values(np.float32, 1000, rng)
    assert_same(relukit.hardtanh_backward(g, relukit.hardtanh(x, -0.5, 2.0), -0.5, 2.0, from_output=True),
                relukit.hardtanh_backward(g, x, -0.5, 2.0))
    assert_same(relukit.leaky_relu_backward(g, relukit.leaky_relu(x, 0.2), 0.2, from_output=True),
                relukit.leaky_relu_backward(g, x, 0.2))
    assert_same(relukit.threshold_backward(g, relukit.threshold(x, 0.5, -1.0), 0.5, value=-1.0, from_output=True),
                relukit.threshold_backward(g, x, 0.5))
    assert_same(relukit.relu6_backward(g, relukit.relu6(x), from_output=True), relukit.relu6_backward(g, x))
    # hardsigmoid: exact except where (x + 3)/6 rounds to 0 or 1 (|x| within a few ULP of 3)
    xs = x[np.abs(np.abs(x) - 3) > 1e-5]
    gs = g[np.abs(np.abs(x) - 3) > 1e-5]
    assert_same(relukit.hardsigmoid_backward(gs, relukit.hardsigmoid(xs), from_output=True),
                relukit.hardsigmoid_backward(gs, xs))
    with pytest.raises(ValueError, match="hardswish_backward: from_output=True is not exact"):
        relukit.hardswish_backward(g, x, from_output=True)
    assert_same(relukit.relu_backward(g, relukit.relu(x)), relukit.relu_backward(g, x))


def test_parameters_round_to_dtype_and_keep_it():
    x = np.array([-1.0, -3.0, 2.0], np.float32)
    slope = np.array([0.1, 0.3, 0.5])  # float64 slopes: rounded to float32 first
    y = relukit.leaky_relu(x, slope)
    assert y.dtype == np.float32
    assert_same(y, (x.astype(np.float64) * slope.astype(np.float32)).astype(np.float32) * (x < 0) + x * (x >= 0))
    h = np.array([-1.0, 2.0], np.float16)
    assert relukit.leaky_relu(h, 0.1).dtype == np.float16
    assert relukit.hardtanh(h, -0.5, 0.5).dtype == np.float16


def test_broadcast_parameters_per_channel(rng):
    x = rng.standard_normal((4, 3, 5)).astype(np.float32)
    lo = np.array([-0.1, -0.5, -1.0], np.float32)[:, None]
    hi = np.float32(0.5)
    got = relukit.hardtanh(x, lo, hi)
    want = np.clip(x, np.broadcast_to(lo, x.shape), hi)
    assert_same(got, want)


@pytest.mark.parametrize("axis", [1, -1, 0])
def test_prelu_per_channel(axis, rng, fdtype):
    x = random_values(fdtype, 4 * 3 * 6, rng).reshape(4, 3, 6)
    x[np.isnan(x)] = 1  # NaN makes the weight gradient NaN; checked separately
    x = np.clip(x, -100, 100).astype(fdtype)
    C = x.shape[axis]
    w = np.linspace(0.05, 0.5, C).astype(fdtype)
    shape = [1] * 3
    shape[axis] = C
    wb = w.reshape(shape)
    y = relukit.prelu(x, w, axis=axis)
    want = np.where(x < 0, x.astype(np.float64) * wb.astype(np.float64), x).astype(fdtype)
    assert_same(y, want, "prelu")
    g = rng.standard_normal(x.shape).astype(fdtype)
    gx, gw = relukit.prelu_backward(g, x, w, axis=axis)
    assert_same(gx, relukit.leaky_relu_backward(g, x, wb), "prelu grad_x")
    other = tuple(i for i in range(3) if i != axis % 3)
    want_gw = np.where(x < 0, g.astype(np.float64) * x, 0).sum(axis=other)
    assert gw.shape == w.shape and gw.dtype == fdtype
    np.testing.assert_allclose(gw.astype(np.float64), want_gw, rtol=2e-3 if fdtype == np.float16 else 1e-5, atol=1e-3)


def test_prelu_weight_grad_blocks_large(monkeypatch, rng):
    from relukit import _api
    monkeypatch.setattr(_api, "_BLOCK", 50)  # force many blocks on a small array
    x = rng.standard_normal((3, 7, 40)).astype(np.float64)
    g = rng.standard_normal((3, 7, 40))
    w = np.full(7, 0.25)
    _, gw = relukit.prelu_backward(g, x, w, axis=1)
    np.testing.assert_allclose(gw, np.where(x < 0, g * x, 0).sum(axis=(0, 2)), rtol=1e-12)
    _, gw_scalar = relukit.prelu_backward(g, x, 0.25)
    np.testing.assert_allclose(gw_scalar, np.where(x < 0, g * x, 0).sum(), rtol=1e-12)


def test_rrelu_eval_and_training(rng):
    x = random_values(np.float32, 2000, rng)
    x[np.isnan(x)] = -1
    assert_same(relukit.rrelu(x), relukit.leaky_relu(x, (1 / 8 + 1 / 3) / 2))
    y, noise = relukit.rrelu(x, 0.1, 0.3, training=True, rng=np.random.default_rng(7))
    y2, noise2 = relukit.rrelu(x, 0.1, 0.3, training=True, rng=np.random.default_rng(7))
    assert_same(y, y2)
    assert_same(noise, noise2)
    neg = x <= 0  # as torch: a random slope at x == 0 too
    assert (noise[~neg] == 1).all()
    assert ((noise[neg] >= np.float32(0.1)) & (noise[neg] <= np.float32(0.3))).all()
    assert len(np.unique(noise[neg])) > 100, "slopes must be drawn per element"
    assert_same(y, np.where(neg, (x.astype(np.float64) * noise).astype(np.float32), x))
    g = rng.standard_normal(x.shape).astype(np.float32)
    gx = relukit.rrelu_backward(g, x, noise)
    assert_same(gx, np.where(x > 0, g, (g.astype(np.float64) * noise).astype(np.float32)))


def test_matches_torch_kinks_and_signed_zeros():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = np.array([-6.0, -3.0, -1.0, -0.0, 0.0, 1.0, 3.0, 6.0, 7.0], np.float32)
    cases = {
        "relu": (relukit.relu, F.relu, relukit.relu_backward),
        "relu6": (relukit.relu6, F.relu6, relukit.relu6_backward),
        "hardtanh": (relukit.hardtanh, F.hardtanh, relukit.hardtanh_backward),
        "leaky_relu": (lambda a: relukit.leaky_relu(a, 0.1), lambda t: F.leaky_relu(t, 0.1),
                       lambda g, a: relukit.leaky_relu_backward(g, a, 0.1)),
        "threshold": (lambda a: relukit.threshold(a, 1.0, -2.0), lambda t: F.threshold(t, 1.0, -2.0),
                      lambda g, a: relukit.threshold_backward(g, a, 1.0)),
        "hardsigmoid": (relukit.hardsigmoid, F.hardsigmoid, relukit.hardsigmoid_backward),
        "hardswish": (relukit.hardswish, F.hardswish, relukit.hardswish_backward),
    }
    for name, (fwd, tfwd, bwd) in cases.items():
        t = torch.tensor(x, requires_grad=True)
        ty = tfwd(t)
        ty.sum().backward()
        for ours, theirs, what in ((fwd(x), ty.detach().numpy(), "forward"),
                                   (bwd(np.ones_like(x), x), t.grad.numpy(), "backward")):
            if name in ("hardsigmoid", "hardswish"):
                # rational pieces: PyTorch rounds differently inside (ours is <= 2 ULP
                # from float64); kinks, zeros and their signs must agree exactly
                np.testing.assert_allclose(ours, theirs, rtol=3e-7, err_msg=f"{name} {what}")
                assert (np.signbit(ours) == np.signbit(theirs)).all(), f"{name} {what} zero signs"
                assert ((ours == 0) == (theirs == 0)).all(), f"{name} {what} zeros"
            else:
                assert_same(ours, theirs, f"{name} {what} vs torch")
