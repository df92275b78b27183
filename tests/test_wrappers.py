"""The Python surface of the ops: the dtype a scalar parameter is taken in, torch's
opmath rule for float16 and bfloat16, array-likes that are not ndarrays (torch
tensors), keyword names and torch's inplace=, prelu_backward's pair of outputs and
rrelu's generator and noise."""
import numpy as np
import pytest
from conftest import GATED, assert_same, public_ops

import relukit

SENTINEL = 12345.0


def all_float16():
    """Every finite float16 value."""
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    return x[np.isfinite(x)]


# ---------------------------------------------------------------- parameter dtype
def test_dtype_float64_takes_the_parameter_in_float64():
    x = np.float32([-1.0, -3.0, 2.5])
    x64 = x.astype(np.float64)
    # the reference: NumPy's own float64 arithmetic with the Python float
    want = np.where(x64 < 0, x64 * 0.1, x64)
    assert_same(relukit.leaky_relu(x, 0.1, dtype=np.float64), want)
    assert relukit.leaky_relu(np.float32([-1]), 0.1, dtype=np.float64)[0] == -0.1
    out = np.zeros(3)
    relukit.leaky_relu(x, 0.1, out=out)
    assert_same(out, want)
    # elu: the same as the float64 op on the widened input
    assert_same(relukit.elu(x, 0.3, dtype=np.float64), relukit.elu(x64, 0.3))
    out = np.zeros(3)
    assert_same(relukit.elu(x, 0.3, out=out), relukit.elu(x64, 0.3))
    assert_same(relukit.celu(x, 0.3, dtype="float64"), relukit.celu(x64, 0.3))
    g = np.float32([0.5, 1.5, 2.0])
    assert_same(relukit.elu_backward(g, x, 0.3, dtype=np.float64),
                relukit.elu_backward(g.astype(np.float64), x64, 0.3))
    assert_same(relukit.softplus(x, 0.3, 7.1, dtype=np.float64), relukit.softplus(x64, 0.3, 7.1))


def test_float16_scalar_parameters_are_float32():
    """float16 computes in float32 with float32 parameters (torch's opmath rule)
    and rounds once: leaky_relu is then exactly float32(x) * float32(slope)."""
    x = all_float16()
    want = (x.astype(np.float32) * np.float32(0.01)).astype(np.float16)
    got = relukit.leaky_relu(x, 0.01)
    assert_same(got, np.where(x < 0, want, x))
    assert relukit.leaky_relu(np.float16([-249.9]), 0.01)[0] == np.float16(-2.498)
    # the ops with transcendental parts: the float32 op with the float32 parameter, rounded once
    x32 = x.astype(np.float32)
    for name, args in [("elu", (0.3,)), ("celu", (0.3,)), ("softplus", (2.0, 10.0)),
                       ("hardtanh", (-0.3, 0.7)), ("threshold", (0.1, -0.3))]:
        f = getattr(relukit, name)
        assert_same(f(x, *args), f(x32, *args).astype(np.float16), name)
    g = np.full(x.shape, 0.7, np.float16)
    assert_same(relukit.leaky_relu_backward(g, x, 0.01),
                relukit.leaky_relu_backward(g.astype(np.float32), x32, 0.01).astype(np.float16))
    assert_same(relukit.rrelu(x), relukit.leaky_relu(x32, (1 / 8 + 1 / 3) / 2).astype(np.float16))


def test_float16_parameters_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = all_float16()
    t = torch.from_numpy(x)
    assert_same(relukit.leaky_relu(x, 0.01), F.leaky_relu(t, 0.01).numpy())
    assert_same(relukit.hardtanh(x, -0.3, 0.7), F.hardtanh(t, -0.3, 0.7).numpy())


def test_bfloat16_scalar_parameters_are_float32():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf16 = np.dtype(ml_dtypes.bfloat16)
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(bf16)
    x = x[np.isfinite(x.astype(np.float32))]
    x32 = x.astype(np.float32)
    want = np.where(x32 < 0, x32 * np.float32(0.01), x32).astype(bf16)
    got = relukit.leaky_relu(x, 0.01)
    assert got.dtype == bf16
    assert (got.view(np.uint16) == want.view(np.uint16)).all()
    got = relukit.elu(x, 0.3)
    assert (got.view(np.uint16) == relukit.elu(x32, 0.3).astype(bf16).view(np.uint16)).all()


# ---------------------------------------------------------------- array-likes
WRAPPED = {
    "leaky_relu": lambda x: relukit.leaky_relu(x, 0.1),
    "elu": lambda x: relukit.elu(x, 0.5),
    "prelu": lambda x: relukit.prelu(x, [0.1, 0.2], axis=1),
    "rrelu": lambda x: relukit.rrelu(x),
    "rrelu[training]": lambda x: relukit.rrelu(x, training=True, rng=3),
    "prelu_backward": lambda x: relukit.prelu_backward(x, x, [0.1, 0.2]),
    "elu_backward": lambda x: relukit.elu_backward(x, x, 0.5),
    "softplus": lambda x: relukit.softplus(x, 2.0, 10.0),
    "gelu": lambda x: relukit.gelu(x),
    "relu": lambda x: relukit.relu(x),
}


@pytest.mark.parametrize("name", sorted(WRAPPED))
def test_torch_tensors_work_like_arrays(name):
    torch = pytest.importorskip("torch")
    xn = np.array([[-1.0, 2.0], [-0.5, 0.0], [3.0, -4.0]], np.float32)
    f = WRAPPED[name]
    want = f(xn)
    got = f(torch.from_numpy(xn.copy()))
    for a, b in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        assert_same(np.asarray(a), b, name)


# ---------------------------------------------------------------- rrelu
def test_rrelu_training_draws_a_slope_at_zero():
    x = np.array([0.0, -0.0, -1.0, 1.0, np.nan, -np.inf], np.float32)
    y, noise = relukit.rrelu(x, 0.1, 0.3, training=True, rng=np.random.default_rng(1))
    assert ((noise[:3] >= np.float32(0.1)) & (noise[:3] <= np.float32(0.3))).all()
    assert noise[3] == 1 and noise[4] == 1  # x > 0, and NaN (not x <= 0), as torch
    assert_same(y[:4], np.float32([0.0, -0.0, -noise[2], 1.0]))
    # the backward uses the slope at 0, as leaky_relu'(0) does
    g = np.ones(6, np.float32)
    assert relukit.rrelu_backward(g, x, noise)[0] == noise[0]


def test_rrelu_training_at_zero_matches_torch():
    torch = pytest.importorskip("torch")
    x = torch.tensor([0.0, -0.0, -1.0, 1.0])
    noise = torch.empty(4)
    torch.ops.aten.rrelu_with_noise(x, noise, 0.1, 0.3, True)
    _, ours = relukit.rrelu(x.numpy(), 0.1, 0.3, training=True, rng=0)
    assert ((noise.numpy() == 1) == (ours == 1)).all()


@pytest.mark.parametrize("rng", [object(), "seed", 1.5, -1])
def test_rrelu_bad_rng_names_rrelu_and_rng(rng):
    x = np.float32([-1.0, 1.0])
    out = np.full(2, SENTINEL, np.float32)
    with pytest.raises(TypeError, match=r"^rrelu: rng must be"):
        relukit.rrelu(x, training=True, rng=rng, out=out)
    assert (out == SENTINEL).all()


def test_rrelu_bad_rng_torch_generator():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"rrelu: rng .*torch"):
        relukit.rrelu(np.float32([-1.0]), training=True, rng=torch.Generator())


def test_rrelu_noise_is_wrapped_like_y():
    x = np.array([-1.0, 0.5, -2.0, 3.0], np.float32)
    xr = pytest.importorskip("xarray")
    xa = xr.DataArray(x, dims=["n"], coords={"n": [10, 11, 12, 13]})
    y, noise = relukit.rrelu(xa, training=True, rng=4)
    assert type(y) is type(noise) is xr.DataArray
    assert noise.dims == y.dims and (noise["n"] == xa["n"]).all()
    assert_same(relukit.rrelu_backward(np.ones(4, np.float32), x, noise.values),
                np.where(x > 0, 1, noise.values).astype(np.float32))
    pd = pytest.importorskip("pandas")
    s = pd.Series(x, index=list("abcd"))
    y, noise = relukit.rrelu(s, training=True, rng=4)
    assert type(y) is type(noise) is pd.Series
    assert list(noise.index) == list("abcd")
    _, want = relukit.rrelu(x, training=True, rng=4)
    assert_same(noise.to_numpy(), want)


# ---------------------------------------------------------------- prelu_backward's outputs
def test_prelu_backward_pair_of_outputs():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 5))
    g = rng.standard_normal((4, 3, 5))
    w = np.array([0.1, 0.2, 0.3])
    want_gx, want_gw = relukit.prelu_backward(g, x, w)
    gx, gw = np.empty_like(x), np.empty(3)
    rx, rw = relukit.prelu_backward(g, x, w, out=(gx, gw))
    assert rx is gx and rw is gw
    assert_same(gx, want_gx)
    assert_same(gw, want_gw)
    # the reference of the weight gradient: the sum of g*x where x < 0, per channel
    np.testing.assert_allclose(gw, np.where(x < 0, g * x, 0).sum(axis=(0, 2)), rtol=1e-12)
    gw32 = np.empty(3, np.float32)
    _, r = relukit.prelu_backward(g, x, w, out=(None, gw32))
    assert r is gw32 and np.allclose(gw32, want_gw)


@pytest.mark.parametrize("out, problem", [
    ((np.empty((4, 3, 5)), np.empty(4)), "grad_weight has shape"),
    ((np.empty((4, 3, 5)), np.empty(3, np.int64)), "cannot hold"),
    ((np.empty((4, 3, 5)), np.empty(3), np.empty(3)), "a pair"),
    ("nope", "a pair"),
])
def test_prelu_backward_bad_outputs(out, problem):
    x = np.ones((4, 3, 5))
    if isinstance(out, tuple):
        for o in out:
            o[...] = SENTINEL
    with pytest.raises((TypeError, ValueError), match=rf"^prelu_backward: .*{problem}"):
        relukit.prelu_backward(x, x, [0.1, 0.2, 0.3], out=out)
    if isinstance(out, tuple):
        assert all((o == SENTINEL).all() for o in out)


# ---------------------------------------------------------------- keywords and inplace
OPS = [n for n in public_ops() if n not in GATED]  # (the gated family: test_gated.py)
FORWARD = [n for n in OPS if not n.endswith("_backward")]
BACKWARD = [n for n in OPS if n.endswith("_backward")]
ARGS = {"threshold": (0.5, -2.0), "threshold_backward": (0.5,), "prelu": ([0.25, 0.5],),
        "prelu_backward": ([0.25, 0.5],), "rrelu_backward": (np.full((3, 2), 0.2),)}


def _x():
    return np.array([[-1.5, 2.0], [0.0, -0.25], [7.0, -3.0]])


@pytest.mark.parametrize("name", FORWARD)
def test_forward_ops_take_x_by_keyword_and_inplace(name):
    f = getattr(relukit, name)
    args = ARGS.get(name, ())
    want = f(_x(), *args)
    assert_same(f(*args, x=_x()) if not args else f(x=_x(), **_kw(f, args)), want, name)
    x = _x()
    got = f(x, *args, inplace=True)
    assert got is x, name
    assert_same(x, want, name)
    out = np.full(x.shape, SENTINEL)
    with pytest.raises(ValueError, match=rf"^{f.__name__}: pass inplace=True or out="):
        f(_x(), *args, inplace=True, out=out)
    assert (out == SENTINEL).all()


def _kw(f, args):
    import inspect

    names = [p for p in inspect.signature(f).parameters if p != "x"]
    return dict(zip(names, args))


@pytest.mark.parametrize("name", BACKWARD)
def test_backward_ops_take_g_and_x_by_keyword(name):
    f = getattr(relukit, name)
    args = ARGS.get(name, ())
    g = np.linspace(-1, 1, 6).reshape(3, 2)
    want = f(g, _x(), *args)
    got = f(g=g, x=_x(), **_kw_bwd(f, args))
    for a, b in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        assert_same(a, b, name)
    # torch has no inplace on gradients: refused, saying where to write instead
    refused = rf"^{f.__name__}(: inplace=|\(\) got an unexpected keyword argument 'inplace')"
    with pytest.raises(TypeError, match=refused):
        f(g, _x(), *args, inplace=True)


def _kw_bwd(f, args):
    import inspect

    names = [p for p in inspect.signature(f).parameters if p not in ("g", "x")]
    return dict(zip(names, args))


def test_ops_without_parameters_keep_their_ufunc():
    for name in ("relu", "relu6", "hardsigmoid", "hardswish", "selu", "silu", "swish", "mish"):
        op = getattr(relukit, name)
        assert callable(op) and isinstance(op.ufunc, np.ufunc)
        assert op.types == op.ufunc.types and op.nin == 1
    a = np.array([-1.0, 2.0, -3.0])
    relukit.relu.at(a, [0, 1])
    assert_same(a, np.array([0.0, 2.0, -3.0]))
    out = np.empty(3)
    assert relukit.relu(np.array([-1.0, 2.0, 3.0]), out) is out  # positional out, as a ufunc
    with pytest.raises(TypeError, match=r"^relu\(\) got multiple values for argument 'x'"):
        relukit.relu(a, x=a)


def test_input_keyword_says_the_name_is_x():
    with pytest.raises(TypeError, match=r"^elu: the operand is named x"):
        relukit.elu(np.ones(2), input=np.ones(2))


def test_relu_backward_from_output():
    x = np.array([-2.0, -0.0, 0.0, 1e-300, 3.0, np.nan, np.inf, -np.inf])
    g = np.arange(1.0, 9.0)
    y = relukit.relu(x)
    assert_same(relukit.relu_backward(g, y, from_output=True), relukit.relu_backward(g, x))
    assert_same(relukit.relu_backward(g, x), np.where(x > 0, g, np.where(np.isnan(x), np.nan, 0.0)))


def test_softplus_from_output_near_the_threshold():
    """Documented, not torch's: where beta*y > threshold the gradient is g, so at
    x = 5, beta = 2, threshold = 10 (beta*x == threshold: the log branch, whose
    y = 5.0000227 puts beta*y above it) it is 1, where torch gives 0.9999546; the
    difference is within exp(-threshold) relative, as the docstring and README say."""
    x = np.array([5.0])
    y = relukit.softplus(x, 2.0, 10.0)
    got = relukit.softplus_backward(np.ones(1), y, 2.0, 10.0, from_output=True)
    true = 1 / (1 + np.exp(-10.0))  # sigmoid(beta x)
    assert got[0] == 1.0
    assert abs(got[0] - true) <= np.exp(-10.0) * true
    assert_same(relukit.softplus_backward(np.ones(1), x, 2.0, 10.0), np.array([true]))
    import pathlib

    readme = pathlib.Path(__file__).resolve().parent.parent / "README.md"
    if readme.exists():
        row = next(line for line in readme.read_text().splitlines() if line.startswith("| `softplus("))
        assert "within `exp(-threshold)`" in row
    assert "within ``exp(-threshold)``" in relukit.softplus_backward.__doc__
