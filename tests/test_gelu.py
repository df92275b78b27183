"""GELU, exact and tanh forms (src/gelu.c): the negative tail's relative accuracy,
limits, the approximate= switch, PyTorch agreement where PyTorch is accurate.
Accuracy on every length, stride, dtype and all float16 inputs: test_ufuncs.py."""
import numpy as np
import pytest
from conftest import FLOATS, assert_same

import relukit
from relukit import _reference


def test_negative_tail_keeps_relative_accuracy():
    # gelu(-6) = -6 * Phi(-6) = -5.9204e-9: 1 + erf(-6/sqrt2) would round to 0 in float32
    y = relukit.gelu(np.float32(-6.0))
    want = _reference.reference("gelu", np.float32(-6.0), dtype=np.float32)
    assert y != 0 and abs(float(y) - float(want)) <= abs(float(np.spacing(np.float32(want))))
    assert abs(float(y) + 5.92e-9) < 0.01e-9
    # float64 down to the subnormal results
    x = -np.linspace(20, 38.5, 200)
    err = _reference.ulp_error(relukit.gelu(x), _reference.reference("gelu", x), np.float64)
    assert err.max() <= 4


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_limits(dtype, approximate):
    x = np.array([-np.inf, np.inf, -0.0, 0.0], dtype)
    with np.errstate(all="raise"):
        assert_same(relukit.gelu(x, approximate), np.array([-0.0, np.inf, -0.0, 0.0], dtype))
        g = np.array([2.0, 2.0, 2.0, 2.0], dtype)
        assert_same(relukit.gelu_backward(g, x, approximate), np.array([0.0, 2.0, 1.0, 1.0], dtype))
        ginf = np.full(4, np.inf, dtype)
        assert not np.isnan(relukit.gelu_backward(ginf, x, approximate)).any()


def test_approximate_switch_and_errors():
    x = np.linspace(-3, 3, 7)
    assert_same(relukit.gelu(x, "none"), relukit.gelu(x))
    assert not np.array_equal(relukit.gelu(x, "tanh"), relukit.gelu(x))
    out = np.full(7, 5.0)
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', not 'fast'"):
        relukit.gelu(x, "fast", out=out)
    with pytest.raises(ValueError, match="gelu_backward: approximate"):
        relukit.gelu_backward(x, x, None, out=out)
    with pytest.raises(ValueError, match="gelu_backward: from_output=True is not exact"):
        relukit.gelu_backward(x, x, from_output=True, out=out)
    assert (out == 5.0).all()


def test_matches_torch_where_torch_is_accurate():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = np.random.default_rng(5).standard_normal(5000) * 2.5
    x = x[x > -3]   # below, PyTorch's 1 + erf(x/sqrt2) loses the relative accuracy that relukit keeps
    for approximate in ("none", "tanh"):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        ty = F.gelu(t, approximate=approximate)
        ty.sum().backward()
        np.testing.assert_allclose(relukit.gelu(x, approximate), ty.detach().numpy(), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(relukit.gelu_backward(np.ones_like(x), x, approximate), t.grad.numpy(),
                                   rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_infinite_gradient_takes_the_derivatives_sign_near_its_zero(dtype, approximate):
    # the derivative changes sign at -0.75179 (exact form) and -0.75246 (tanh form)
    x = np.linspace(-0.7535, -0.7510, 41).astype(dtype)
    x = np.unique(x)
    d = relukit.gelu_backward(np.ones_like(x), x, approximate).astype(np.float64)
    got = relukit.gelu_backward(np.full_like(x, np.inf), x, approximate)
    nz = d != 0
    assert (np.sign(got[nz]) == np.sign(d[nz])).all(), x[nz][np.sign(got[nz]) != np.sign(d[nz])]


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_infinite_gradient_at_the_floats_next_to_the_zero(dtype, approximate):
    """the floats on either side of the derivative's zero, the nearest ones included:
    an infinite g takes the sign of the exact derivative there (the reference's),
    which needs the zero rounded up, not to nearest (gelu' at -0.75179154 in float32
    and -0.7517915246935645 in float64 returned +inf)"""
    from mpmath import mp, mpf, erfc, exp, sqrt, pi, tanh, diff, findroot
    with mp.workdps(30):
        if approximate == "none":
            z = -findroot(lambda a: erfc(a / sqrt(2)) / 2 - a * exp(-a * a / 2) / sqrt(2 * pi), mpf("0.75"))
        else:
            f = lambda t: t / 2 * (1 + tanh(sqrt(2 / pi) * (t + mpf("0.044715") * t ** 3)))
            z = findroot(lambda t: diff(f, t), mpf("-0.75"))
    dt = np.dtype(dtype).type
    c = dt(float(z))
    xs = [c]
    for _ in range(3):
        xs = [np.nextafter(xs[0], dt(-1))] + xs + [np.nextafter(xs[-1], dt(0))]
    x = np.array(xs, dtype=dtype)
    for ginf in (np.inf, -np.inf):
        g = np.full_like(x, ginf)
        got = relukit.gelu_backward(g, x, approximate)
        name = "gelu_backward" if approximate == "none" else "gelu_tanh_backward"
        want = _reference.reference(name, g, x, dtype=dtype)
        assert (np.sign(got) == np.sign(want)).all() and np.isinf(got).all(), (x, got, want)
        left = np.array([mpf(float(v)) < z for v in x])
        assert (np.sign(got) == np.where(left, -1, 1) * np.sign(ginf)).all()


@pytest.mark.parametrize("gv", [3e38, -1e30, 6.9e8, 2.0 ** 32, 1e10, 1.0, 1e-30])
def test_float32_backward_tail_with_large_gradient(gv):
    # [-14.5, -20] takes the asymptotic series, |g| >= 2^32 the pre-scaled path
    x = np.concatenate([np.linspace(-21.5, -13, 2000), np.linspace(-3, 0, 300)]).astype(np.float32)
    g = np.full_like(x, gv)
    want = _reference.reference("gelu_backward", g, x, dtype=np.float32)
    err = _reference.ulp_error(relukit.gelu_backward(g, x), want, np.float32, g=g,
                               op="gelu_backward", x=x)
    assert err.max() <= 2, f"{err.max():.3g} ULP"


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_float64_backward_tail_with_huge_gradient(approximate):
    # the derivative underflows near x = -38.7 (gelu) and v = -745 (gelu_tanh), g times
    # it only near -54 and v = -1464 for g = DBL_MAX: once -0 * g, or e^-1100 g
    x = np.concatenate([np.linspace(-54.5, -36, 300), np.linspace(-36, -24, 300)])
    for gv in (1e300, -3e250, 7e100, 1.0, 1e-300):
        g = np.full_like(x, gv)
        name = "gelu_backward" if approximate == "none" else "gelu_tanh_backward"
        want = _reference.reference(name, g, x)
        err = _reference.ulp_error(relukit.gelu_backward(g, x, approximate), want, np.float64,
                                   g=g, op=name, x=x)
        assert err.max() <= 4, f"{name} g={gv}: {err.max():.3g} ULP at x={x[np.argmax(err)]!r}"


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_an_underflowed_negative_derivative_gives_a_signed_zero(dtype, approximate):
    """Far left, where gelu' (and gelu_tanh') is negative but below every float,
    g times it is a zero with the sign of the true product: -0 for g > 0, +0 for
    g < 0, as the correctly rounded result and every other dtype give (float32
    gelu_tanh' gave +0 below x = -26, where its float64 path's e^-|v| underflows)."""
    x = np.array([-26.5, -30.0, -39.0, -60.0, -1000.0, -30000.0], dtype)
    for sg in (1.0, -1.0):
        g = np.full_like(x, sg)
        y = relukit.gelu_backward(g, x, approximate)
        ref = np.asarray(_reference.reference(
            "gelu_backward" if approximate == "none" else "gelu_tanh_backward", g, x,
            dtype=np.dtype(dtype))).astype(dtype)
        tail = ref == 0
        assert tail.sum() >= 3
        assert np.all(y[tail] == 0), (sg, y)
        assert np.array_equal(np.signbit(y[tail]), np.full(tail.sum(), sg > 0)), (sg, y, ref)
