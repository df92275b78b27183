"""bfloat16 loops (where ml_dtypes is installed): every ufunc on all 65536
bfloat16 inputs against the float64 reference, the rounding of the float32
result (once, to nearest even, NaN kept quiet), and the ufunc machinery (out=,
where=, broadcasting, strides, in place, parameter arrays, the wrappers)."""
import subprocess
import sys

import numpy as np
import pytest
from conftest import LENGTHS, assert_same

ml_dtypes = pytest.importorskip("ml_dtypes", reason="bfloat16 loops need the ml_dtypes package")

import relukit  # noqa: E402
from relukit import _reference, _ufuncs  # noqa: E402

BF16 = np.dtype(ml_dtypes.bfloat16)
ALL_UFUNCS = sorted(_ufuncs.UFUNCS)


# ---------------------------------------------------------------- helpers (independent of the C code)
def all_bf16():
    """Every bfloat16 bit pattern, signalling NaNs included."""
    return np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(BF16)


def widen(a):
    """bfloat16 -> float32, exactly: the bits are the upper half."""
    return (np.asarray(a).view(np.uint16).astype(np.uint32) << 16).view(np.float32)


def round_bf16(f):
    """float32 -> bfloat16 bits, to nearest even; NaN: quiet, sign and high payload kept."""
    u = np.asarray(f, dtype=np.float32).view(np.uint32).astype(np.uint64)
    nan = (u & 0x7FFFFFFF) > 0x7F800000
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    q = ((u >> 16) | 0x40).astype(np.uint16)
    return np.where(nan, q, r)


def bits(a):
    return np.asarray(a).view(np.uint16)


def bf16_params(name):
    """The sample parameters of ufunc `name`, rounded to bfloat16 (what the loop gets)."""
    return tuple(np.asarray(p, dtype=np.float64).astype(BF16) for p in _reference.SAMPLE_PARAMS.get(name, ()))


def exact_in_bf16(name):
    """Ops whose values are x, a constant or x times a parameter are exact for
    every dtype (the float16 column of the published bounds is 0 for them)."""
    return _reference.ULP_BOUNDS[name]["float16"] == 0


def ulp_error_bf16(got, want, g=None, op=None, x=None):
    """|got - want| in bfloat16 ULPs at the reference rounded to bfloat16 (as
    _reference.ulp_error does for NumPy's dtypes); for gradients, within
    the window around a zero of op's derivative (_reference.DERIVATIVE_ROOTS), the unit is
    max(ULP, eps |g| / 2), eps = 2^-7.  NaN/NaN and equal infinities: 0."""
    got = widen(got).astype(np.float64)
    want = np.asarray(want, dtype=np.float64)
    with np.errstate(all="ignore"):
        wr = widen(round_bf16(want.astype(np.float32))).astype(np.float64)
        # the binade of the rounded reference; bfloat16 has float32's exponent range
        _, e = np.frexp(np.abs(wr))
        sp = np.ldexp(1.0, np.maximum(e - 1, -126) - 7)
        if g is not None:
            floor = 2.0 ** -7 * np.abs(widen(g).astype(np.float64)) / 2
            sp = np.where(_reference.near_root(op, widen(x)), np.fmax(sp, floor), sp)
        err = np.abs(got - want) / sp
    both_nan = np.isnan(got) & np.isnan(want)
    same_inf = np.isinf(got) & (got == wr)
    err = np.where(both_nan | same_inf, 0.0, err)
    return np.where(np.isnan(err), np.inf, err)


def operands(name, x):
    """(g, x) with g = 1 for backward ufuncs, (x,) for forward ones."""
    if _reference.is_backward(name):
        return (np.ones_like(x), x)
    return (x,)


# ---------------------------------------------------------------- registration
def test_registered_at_import():
    assert relukit._bfloat16_dtype == BF16
    for name in ALL_UFUNCS:
        uf = _ufuncs.UFUNCS[name]
        x = np.zeros(3, BF16)
        ops = operands(name, x) + bf16_params(name)
        assert uf(*ops).dtype == BF16, name


def test_import_without_ml_dtypes():
    code = ("import sys, time; sys.modules['ml_dtypes'] = None; t = time.perf_counter();\n"
            "import relukit, numpy as np; assert relukit._bfloat16_dtype is None\n"
            "assert relukit.relu(np.float32(-1)) == 0; assert 'ml_dtypes' not in [m for m in sys.modules if sys.modules[m]]")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]


# ---------------------------------------------------------------- all 65536 inputs
@pytest.mark.parametrize("name", ALL_UFUNCS)
def test_all_bfloat16_inputs(name):
    uf = _ufuncs.UFUNCS[name]
    x = all_bf16()
    ops = operands(name, x)
    params = bf16_params(name)
    with np.errstate(all="raise"):   # no floating-point warning for any input
        got = uf(*ops, *params)
    assert got.dtype == BF16

    # 1. computed in float32 and rounded once, to nearest even
    y32 = _ufuncs.UFUNCS[name](*(widen(a) for a in ops), *(widen(p) for p in params))
    want_bits = round_bf16(y32)
    differ = bits(got) != want_bits
    assert not differ.any(), (
        f"{name}: {int(differ.sum())} results are not the float32 result rounded once, e.g. "
        f"x={x[differ][:3]!r} got bits {bits(got)[differ][:3]} want {want_bits[differ][:3]}")

    # 2. NaN in -> NaN out, quiet; no NaN from a non-NaN input
    xnan = np.isnan(widen(x))
    gnan = np.isnan(widen(got))
    assert gnan[xnan].all(), f"{name}: a NaN input lost"
    assert not gnan[~xnan].any(), f"{name}: NaN from a non-NaN input at {x[gnan & ~xnan][:5]!r}"
    assert ((bits(got)[gnan] & 0x7FC0) == 0x7FC0).all(), f"{name}: a signalling NaN out"

    # 3. against the float64 reference: exact ops bit for bit, others <= 1 ULP
    want = _reference.reference(name, *(widen(a) for a in ops), *(widen(p) for p in params),
                                dtype=np.float32)
    if exact_in_bf16(name):
        ref_bits = round_bf16(want.astype(np.float32))   # exact values: float32 holds them
        bad = (ref_bits != bits(got)) & ~(xnan & gnan)
        assert not bad.any(), f"{name}: not exact at x={x[bad][:5]!r}"
    else:
        err = ulp_error_bf16(got, want, g=ops[0] if len(ops) == 2 else None, op=name, x=ops[-1])
        worst = int(np.argmax(err))
        assert err.max() <= 1, f"{name}: {err.max():.3g} ULP at x={x[worst]!r}"
        # a float32 result within 2 float32 ULPs (2^-15 bfloat16 ULP), rounded once:
        # within half an ULP plus a sliver -- the rounding is the only error left
        assert err.max() <= 0.5 + 2.0 ** -12, f"{name}: {err.max():.6g} ULP at x={x[worst]!r}"


def test_specials():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -3.0, 3.0, 6.0], dtype=BF16)
    assert_same(bits(relukit.relu(x)), bits(np.array([0.0, -0.0, np.inf, 0, np.nan, 0, 3, 6], BF16)), "relu")
    assert_same(bits(relukit.relu6(x)), bits(np.array([0.0, -0.0, 6, 0, np.nan, 0, 3, 6], BF16)), "relu6")
    y = relukit.gelu(x)
    assert widen(y)[2] == np.inf and widen(y)[3] == 0 and np.signbit(widen(y)[3])   # gelu(-inf) = -0
    s = relukit.silu(x)
    assert widen(s)[3] == 0 and np.signbit(widen(s)[3])
    # the largest finite bfloat16 and overflow to inf in the rounding
    big = np.array([3.3895313892515355e38], BF16)
    assert widen(relukit.relu(big))[0] == widen(big)[0]
    assert round_bf16(np.float32(3.4e38)) == 0x7F80          # above the last bfloat16: inf


# ---------------------------------------------------------------- the ufunc machinery
def sample(n, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 1.0], n) * np.exp2(rng.uniform(-12, 8, n))
    x[::17] = 0.0
    return x.astype(BF16)


def as_f32(name, *ops):
    """The bfloat16 ufunc's result computed independently: float32 ufunc, rounded."""
    return round_bf16(_ufuncs.UFUNCS[name](*(widen(a) for a in ops)))


@pytest.mark.parametrize("name", ALL_UFUNCS)
def test_every_length_scalar_and_array_params(name):
    # every length 0..147 (conftest.LENGTHS) and around the loop's 1024-element blocks
    uf = _ufuncs.UFUNCS[name]
    params = bf16_params(name)
    for n in [*LENGTHS, 1023, 1024, 1025, 2049]:
        ops = operands(name, sample(n, seed=n))
        if _reference.is_backward(name):
            ops = (sample(n, seed=n + 1000), ops[1])
        want = as_f32(name, *ops, *params)
        assert (bits(uf(*ops, *params)) == want).all(), f"{name} n={n}"
        if params:
            arrs = [np.full(n, p, dtype=BF16) for p in params]
            assert (bits(uf(*ops, *arrs)) == want).all(), f"{name} n={n} array parameters"


@pytest.mark.parametrize("name", ["relu", "gelu", "elu", "hardtanh", "softplus_backward", "mish_backward"])
def test_out_where_strides_in_place(name):
    uf = _ufuncs.UFUNCS[name]
    n = 5003   # several blocks of the bfloat16 loop, and a partial one
    x = sample(n)
    ops = operands(name, x)
    params = bf16_params(name)
    want = as_f32(name, *ops, *params)
    got = uf(*ops, *params)
    assert (bits(got) == want).all()
    # out=
    out = np.empty(n, BF16)
    r = uf(*ops, *params, out=out)
    assert r is out and (bits(out) == want).all()
    # where=: elsewhere out keeps what it had
    mask = np.arange(n) % 3 == 0
    out = np.full(n, 42.0, BF16)
    uf(*ops, *params, out=out, where=mask)
    assert (bits(out)[mask] == want[mask]).all() and (widen(out)[~mask] == 42).all()
    # strided and reversed views
    for step in (-1, 2, -3):
        v = tuple(a[::step] for a in ops)
        assert (bits(uf(*v, *params)) == want[::step]).all(), f"stride {step}"
    # in place on x
    xc = ops[-1].copy()
    uf(*ops[:-1], xc, *params, out=xc)
    assert (bits(xc) == want).all()
    # a strided output
    out2 = np.zeros(2 * n, BF16)
    uf(*ops, *params, out=out2[::2])
    assert (bits(out2[::2]) == want).all() and (widen(out2[1::2]) == 0).all()


def test_broadcasting_and_parameter_arrays():
    x = sample(60).reshape(3, 1, 20)
    alpha = np.array([0.5, 1.0, 2.0, 0.25], dtype=BF16).reshape(1, 4, 1)
    got = _ufuncs.UFUNCS["elu"](x, alpha)
    assert got.shape == (3, 4, 20) and got.dtype == BF16
    xb, ab = np.broadcast_arrays(x, alpha)
    assert (bits(got) == as_f32("elu", xb, ab)).all()
    # an array of equal parameters gives the bits of the scalar parameter
    one = np.full(x.shape, 1.0, BF16)
    assert (bits(_ufuncs.UFUNCS["elu"](x, one)) == bits(_ufuncs.UFUNCS["elu"](x, np.array(1.0, BF16)))).all()


def test_wrappers_keep_bfloat16():
    x = sample(300)
    g = sample(300, seed=8)
    x32, g32 = widen(x), widen(g)

    def same(got, want32, what):
        assert got.dtype == BF16, what
        assert (bits(got) == round_bf16(want32)).all(), what

    same(relukit.elu(x, alpha=0.5), relukit.elu(x32, alpha=0.5), "elu")
    same(relukit.elu_backward(g, x, alpha=0.5), relukit.elu_backward(g32, x32, alpha=0.5), "elu_backward")
    same(relukit.celu(x, alpha=2.0), relukit.celu(x32, alpha=2.0), "celu")
    same(relukit.hardtanh(x, -0.5, 0.75), relukit.hardtanh(x32, -0.5, 0.75), "hardtanh")
    # scalar parameters in float32 (torch's opmath rule): the float32 op, rounded once
    same(relukit.leaky_relu(x, 0.01), relukit.leaky_relu(x32, 0.01), "leaky_relu")
    same(relukit.threshold(x, 0.1, -2.0), relukit.threshold(x32, 0.1, -2.0), "threshold")
    same(relukit.softplus(x, beta=2.0, threshold=10.0), relukit.softplus(x32, beta=2.0, threshold=10.0), "softplus")
    same(relukit.gelu(x, approximate="tanh"), relukit.gelu(x32, approximate="tanh"), "gelu tanh")
    same(relukit.gelu_backward(g, x), relukit.gelu_backward(g32, x32), "gelu_backward")
    same(relukit.silu_backward(g, x), relukit.silu_backward(g32, x32), "silu_backward")
    y = relukit.elu(x, alpha=1.0)
    same(relukit.elu_backward(g, y, alpha=1.0, from_output=True),
         relukit.elu_backward(g32, widen(y), alpha=1.0, from_output=True), "elu_backward from output")
    # array parameters of another dtype are rounded to bfloat16 first
    alpha = np.linspace(0.25, 2.0, 300)
    same(relukit.elu(x, alpha=alpha), relukit.elu(x32, alpha=widen(alpha.astype(BF16))), "elu array alpha")
    # prelu with one weight per channel
    xc = x.reshape(3, 100)
    w = np.array([0.25, 0.5, 0.125])
    same(relukit.prelu(xc, w, axis=0), relukit.prelu(widen(xc), w.astype(np.float32), axis=0), "prelu")
    # rrelu in training returns bfloat16 noise
    y, noise = relukit.rrelu(x, training=True, rng=0)
    assert y.dtype == BF16 and noise.dtype == BF16
    same(y, relukit.leaky_relu(x32, widen(noise)), "rrelu")
    with pytest.raises(ValueError, match="alpha"):
        relukit.elu(x, alpha=np.array([np.nan], BF16))
