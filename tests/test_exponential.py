"""ELU, CELU, SELU, SiLU, Softplus, Mish (src/exponential.c): limits at +-inf,
kinks, parameter validation, infinite and huge gradients, PyTorch agreement.
Accuracy on every length, stride, dtype and all float16 inputs: test_ufuncs.py."""
import numpy as np
import pytest
from conftest import FLOATS, assert_same, random_values, special_values

import relukit
from relukit import _reference

SELU_SCALE, SELU_ALPHA = 1.0507009873554805, 1.6732632423543772
SELU_SA = 1.7580993408473768599402175208123  # scale * alpha, correctly rounded
EXP_FORWARD = {
    "elu": lambda x: relukit.elu(x),
    "celu": lambda x: relukit.celu(x, 0.5),
    "selu": relukit.selu,
    "silu": relukit.silu,
    "softplus": lambda x: relukit.softplus(x),
    "mish": relukit.mish,
}
EXP_BACKWARD = {
    "elu": lambda g, x: relukit.elu_backward(g, x),
    "celu": lambda g, x: relukit.celu_backward(g, x, 0.5),
    "selu": relukit.selu_backward,
    "silu": relukit.silu_backward,
    "softplus": lambda g, x: relukit.softplus_backward(g, x),
    "mish": relukit.mish_backward,
}


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_limits_at_infinity(dtype):
    x = np.array([-np.inf, np.inf], dtype)
    with np.errstate(all="raise"):
        assert_same(relukit.elu(x, 2.0), np.array([-2.0, np.inf], dtype))
        assert_same(relukit.celu(x, 0.5), np.array([-0.5, np.inf], dtype))
        assert_same(relukit.selu(x), np.array([-SELU_SA, np.inf], dtype))
        assert_same(relukit.silu(x), np.array([-0.0, np.inf], dtype))
        assert_same(relukit.softplus(x), np.array([0.0, np.inf], dtype))
        assert_same(relukit.mish(x), np.array([-0.0, np.inf], dtype))
        g = np.array([3.0, 3.0], dtype)
        assert_same(relukit.silu_backward(g, x), np.array([0.0, 3.0], dtype))
        assert_same(relukit.mish_backward(g, x), np.array([0.0, 3.0], dtype))
        assert_same(relukit.elu_backward(g, x), np.array([0.0, 3.0], dtype))
        assert_same(relukit.softplus_backward(g, x), np.array([0.0, 3.0], dtype))


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_kinks_take_the_negative_branch(dtype):
    z = np.array([0.0, -0.0], dtype)
    one = np.ones(2, dtype)
    assert_same(relukit.elu_backward(one, z, 2.0), np.array([2.0, 2.0], dtype))
    assert_same(relukit.celu_backward(one, z, 0.5), np.array([1.0, 1.0], dtype))
    assert_same(relukit.selu_backward(one, z), np.full(2, SELU_SA, dtype))
    # identity branches and odd functions keep the sign of zero
    for name, f in EXP_FORWARD.items():
        if name == "softplus":
            continue
        y = f(z)
        assert (y == 0).all() and np.signbit(y[1]), f"{name}(-0.0) must be -0.0"


@pytest.mark.parametrize("name", sorted(EXP_BACKWARD))
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_no_nan_from_huge_or_infinite_gradients(name, dtype, rng):
    fi = np.finfo(dtype)
    x = np.concatenate([special_values(dtype), random_values(dtype, 500, rng),
                        np.array([-1e4, -800, -120, -90, -30, 30, 1e4], dtype)])
    x = x[~np.isnan(x)]
    for gv in (np.inf, -np.inf, float(fi.max), -float(fi.max), float(fi.tiny)):
        g = np.full(x.shape, gv, dtype)
        with np.errstate(all="raise"):
            got = EXP_BACKWARD[name](g, x)
        assert not np.isnan(got).any(), f"{name}_backward: NaN for g={gv} at x={x[np.isnan(got)][:4]}"
        if np.isfinite(gv):
            # overflow only where the exact result overflows
            want = _reference.reference(f"{name}_backward", g, x,
                                        *[np.asarray(p, dtype) for p in _params(name)], dtype=dtype)
            with np.errstate(over="ignore"):
                bad = np.isinf(got) & np.isfinite(want.astype(dtype))
            assert not bad.any(), f"{name}_backward overflowed at x={x[bad][:4]}"


def _params(name):
    return {"elu": (1.0,), "celu": (0.5,), "softplus": (1.0, 20.0)}.get(name, ())


BAD = [
    (lambda x, o: relukit.celu(x, 0.0, out=o), ValueError, "celu: alpha must not be 0"),
    (lambda x, o: relukit.celu_backward(x, x, 0.0, out=o), ValueError, "celu_backward: alpha must not be 0"),
    (lambda x, o: relukit.softplus(x, 0.0, out=o), ValueError, "softplus: beta must not be 0"),
    (lambda x, o: relukit.softplus(x, 1.0, np.nan, out=o), ValueError, "softplus: threshold must not be NaN"),
    (lambda x, o: relukit.softplus_backward(x, x, 0.0, out=o), ValueError, "softplus_backward: beta"),
    (lambda x, o: relukit.elu(x, np.nan, out=o), ValueError, "elu: alpha must not be NaN"),
    (lambda x, o: relukit.elu(x, "1", out=o), TypeError, "elu: alpha"),
    (lambda x, o: relukit.elu_backward(x, x, -1.0, from_output=True, out=o), ValueError,
     "elu_backward: from_output=True is exact only for alpha >= 0"),
    (lambda x, o: relukit.silu_backward(x, x, from_output=True, out=o), ValueError,
     "silu_backward: from_output=True is not exact for silu"),
    (lambda x, o: relukit.mish_backward(x, x, from_output=True, out=o), ValueError, "mish_backward"),
]


@pytest.mark.parametrize("call,exc,msg", BAD, ids=range(len(BAD)))
def test_bad_parameters_leave_out_untouched(call, exc, msg):
    x = np.linspace(-2, 2, 5).astype(np.float32)
    out = np.full(5, 7.0, np.float32)
    with pytest.raises(exc, match=msg):
        call(x, out)
    assert (out == 7.0).all()


def test_softplus_threshold_and_beta():
    x = np.array([-3.0, 0.5, 10.0, 10.5, 30.0], np.float64)
    y = relukit.softplus(x, 2.0, 20.0)
    assert y[3] == 10.5 and y[4] == 30.0, "beta*x > threshold is linear"
    np.testing.assert_allclose(y[:3], np.log1p(np.exp(2 * x[:3])) / 2, rtol=1e-15)
    assert relukit.softplus(np.float64(-800.0)) == 0.0
    # per-element beta
    b = np.array([1.0, 2.0, 3.0, 0.5, -1.0])
    got = relukit.softplus(x, b)
    want = np.where(b * x > 20, x, np.logaddexp(0, b * x) / b)
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.standard_normal(4000) * 6, [-0.0, 0.0, 1e-30, -1e-30, 40, -40]])
    pairs = {
        "elu": (lambda a: relukit.elu(a, 1.3), lambda t: F.elu(t, 1.3)),
        "celu": (lambda a: relukit.celu(a, 0.5), lambda t: F.celu(t, 0.5)),  # 1/alpha exact: PyTorch rounds it to float32
        "selu": (relukit.selu, F.selu),
        "silu": (relukit.silu, F.silu),
        "softplus": (lambda a: relukit.softplus(a, 1.5, 15.0), lambda t: F.softplus(t, 1.5, 15.0)),
        "mish": (relukit.mish, F.mish),
    }
    back = {
        "elu": lambda g, a: relukit.elu_backward(g, a, 1.3),
        "celu": lambda g, a: relukit.celu_backward(g, a, 0.5),
        "selu": relukit.selu_backward, "silu": relukit.silu_backward,
        "softplus": lambda g, a: relukit.softplus_backward(g, a, 1.5, 15.0),
        "mish": relukit.mish_backward,
    }
    for name, (ours, theirs) in pairs.items():
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        ty = theirs(t)
        ty.sum().backward()
        # relukit is within a few ULP of the exact value; PyTorch float64 is close too
        np.testing.assert_allclose(ours(x), ty.detach().numpy(), rtol=1e-12, atol=1e-300, err_msg=name)
        np.testing.assert_allclose(back[name](np.ones_like(x), x), t.grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name + " backward")


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_from_output_matches_from_input(dtype, rng):
    x = random_values(dtype, 3000, rng)
    x = x[np.isfinite(x)]
    x = np.clip(x, -60, 60).astype(dtype)
    g = np.ones_like(x)
    cases = [
        (lambda a: relukit.elu(a, 1.5), lambda gg, a, **k: relukit.elu_backward(gg, a, 1.5, **k)),
        (lambda a: relukit.celu(a, 0.5), lambda gg, a, **k: relukit.celu_backward(gg, a, 0.5, **k)),
        (relukit.selu, relukit.selu_backward),
        (lambda a: relukit.softplus(a, 2.0, 20.0), lambda gg, a, **k: relukit.softplus_backward(gg, a, 2.0, 20.0, **k)),
    ]
    tol = {np.float16: 4e-3, np.float32: 2e-6, np.float64: 1e-13}[dtype]
    for fwd, bwd in cases:
        y = fwd(x)
        a = bwd(g, x).astype(np.float64)
        b = bwd(g, y, from_output=True).astype(np.float64)
        # the output y is rounded, so the two agree to the dtype's precision
        # (relative to g: the gradients are at most about 1.8 g here)
        np.testing.assert_allclose(b, a, rtol=0, atol=tol * 4)


@pytest.mark.parametrize("beta", [3.0, 0.7, 10.0, 0.25])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_with_beta_keeps_its_left_tail(beta, dtype):
    """beta*x is rounded: without its rounding error carried, the left tail (where
    softplus ~ e^(beta x)/beta) loses |beta x| ULP, ~50 ULP at beta x = -70.  With
    beta != 1 the bound is 3 ULP (the division by beta adds half of one), for
    results above 1e-30 (below, e^z is subnormal before the division)."""
    from relukit import _reference
    rng = np.random.default_rng(int(beta * 100))
    x = np.concatenate([rng.uniform(-85 / beta, 25 / beta, 100_000),
                        -np.exp2(rng.uniform(-10, 6.4, 50_000)) / beta]).astype(dtype)
    b, t = np.array(beta, dtype), np.array(20.0, dtype)
    want = _reference.reference("softplus", x, b, t, dtype=dtype)
    keep = want > 1e-30
    err = _reference.ulp_error(relukit.softplus(x, beta, 20.0), want, dtype)[keep]
    assert err.max() <= 3, f"softplus beta={beta}: {err.max():.2f} ULP"
    g = np.ones_like(x)
    wantb = _reference.reference("softplus_backward", g, x, b, t, dtype=dtype)
    errb = _reference.ulp_error(relukit.softplus_backward(g, x, beta, 20.0), wantb, dtype, g=g,
                                op="softplus_backward", x=x)
    assert errb.max() <= 2, f"softplus_backward beta={beta}: {errb.max():.2f} ULP"


def test_silu_backward_tail_is_not_flushed():
    # silu'(x) = e^x (1 + x) to working precision far left: normal float32 numbers
    # down to about -87, subnormal float64 ones below -708 (once returned as -0.0)
    for x, want in ((-85.0, -1.0215e-35), (-90.0, -7.2927e-38)):
        got = float(relukit.silu_backward(np.float32(1.0), np.float32(x)))
        assert got == pytest.approx(want, rel=1e-4), (x, got)
    got = float(relukit.silu_backward(1.0, -720.0))
    assert got == pytest.approx(-1.4612e-310, rel=1e-4)
    # a huge gradient brings even deeper derivatives back into range
    assert float(relukit.silu_backward(np.float32(1e30), np.float32(-150.0))) == pytest.approx(
        1e30 * np.exp(-150.0) * -149.0, rel=1e-6)


def _next_to(dtype, c):
    """40 consecutive values on each side of max/c (both signs): inputs whose
    product with c lies next to the overflow threshold."""
    m = dtype(np.finfo(dtype).max / c)
    vals = [m]
    lo = hi = m
    for _ in range(40):
        lo, hi = np.nextafter(lo, dtype(0)), np.nextafter(hi, dtype(np.inf))
        vals += [lo, hi]
    vals = np.array(vals, dtype=dtype)
    return np.concatenate([vals, -vals])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op, x", [("selu", None), ("selu_backward", 1.0),
                                   ("selu_backward_from_output", 1.0), ("silu_backward", 2.4),
                                   ("mish_backward", 1.5), ("gelu_backward", 1.4),
                                   ("gelu_tanh_backward", 1.4)])
def test_results_next_to_the_largest_float(op, x, dtype):
    """A result that rounds to the largest float is not inf, and one past it is:
    selu's S x (and g S) once overflowed early without an FMA (baseline), where
    g S was rounded twice.  float64 silu' and gelu' are within their bound, not
    correctly rounded, so there a g S whose exact value lies within that bound
    below the largest float may give inf: only there, and nowhere else."""
    from relukit import _ufuncs
    ufunc = _ufuncs.UFUNCS[op]
    if x is None:
        args = (_next_to(dtype, SELU_SCALE),)
    else:
        d = float(_reference.reference(op, np.ones(1), np.full(1, x))[0])
        g = _next_to(dtype, d)
        args = (g, np.full(g.shape, x, dtype))
    with np.errstate(over="ignore"):
        got = ufunc(*args)
    want = _reference.reference(op, *args, dtype=dtype)
    kw = dict(g=args[0], op=op, x=args[1]) if x is not None else {}
    err = _reference.ulp_error(got, want, dtype, **kw)
    assert np.isinf(got).any() and np.isfinite(got).any()
    if dtype == np.float64 and op in ("silu_backward", "gelu_backward"):
        big = np.finfo(dtype).max
        ulp = np.spacing(np.nextafter(big, dtype(0)))
        with np.errstate(over="ignore"):
            early = np.isinf(got) & np.isfinite(want.astype(dtype))
        assert (np.abs(want[early]) >= big - 4 * ulp).all()
        err = err[~early]
    bound = _reference.ULP_BOUNDS[op][np.dtype(dtype).name]
    assert err.max() <= bound, f"{op} {np.dtype(dtype).name}: {err.max()} ULP"
