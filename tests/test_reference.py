"""The scalar C reference (src/reference.c), the ground truth of every accuracy
check, against mpmath at 40 digits: a few hundred inputs per op, forward and
backward (from the input and from the output), over every range including the
left tails down to the float64 subnormals.  The long double reference (for
float64 results) must be within 0.01 ULP of float64 of the exact value, the
double one (for float16/float32 results) within 0.01 ULP of float32 -- in the
unit the checks use (relukit._reference.ulp_error: ULP of the result, and
max(ULP, eps |g| / 2) in the windows around the zeros of the derivatives)."""
import zlib

import numpy as np
import pytest

from relukit import _reference, _ufuncs

mp = pytest.importorskip("mpmath")
mp.mp.dps = 40

S = mp.mpf("1.0507009873554804934193349852946")            # SELU scale
SA = S * mp.mpf("1.6732632423543772848170429916717")        # scale * alpha
GT_C, GT_K = mp.mpf("0.044715"), mp.sqrt(2 / mp.pi)          # gelu_tanh's constants


def sig(z):
    return 1 / (1 + mp.exp(-z))


def softplus(x, beta, th):
    return x if x * beta > th else mp.log1p(mp.exp(beta * x)) / beta


def tanh_sp(x):
    return mp.tanh(mp.log1p(mp.exp(x)))


def gelu_tanh_parts(x):
    u = GT_K * (x + GT_C * x ** 3)
    return u, GT_K * (1 + 3 * GT_C * x ** 2)


# exact values: name -> f(x, *params) (backward: the derivative, g = 1)
EXACT = {
    "elu": lambda x, a: x if x > 0 else a * mp.expm1(x),
    "elu_backward": lambda x, a: 1 if x > 0 else a * mp.exp(x),
    "celu": lambda x, a: x if x > 0 else a * mp.expm1(x / a),
    "celu_backward": lambda x, a: 1 if x > 0 else mp.exp(x / a),
    "selu": lambda x: S * x if x > 0 else SA * mp.expm1(x),
    "selu_backward": lambda x: S if x > 0 else SA * mp.exp(x),
    "silu": lambda x: x * sig(x),
    "silu_backward": lambda x: sig(x) * (1 + x * (1 - sig(x))),
    "softplus": softplus,
    "softplus_backward": lambda x, b, th: 1 if x * b > th else sig(b * x),
    "mish": lambda x: x * tanh_sp(x),
    "mish_backward": lambda x: tanh_sp(x) + x * sig(x) * (1 - tanh_sp(x) ** 2),
    "gelu": lambda x: x * mp.ncdf(x),
    "gelu_backward": lambda x: mp.ncdf(x) + x * mp.npdf(x),
    # (1 + tanh u)/2 = sigmoid(2u), (1 - tanh^2 u)/2 = 2 sigmoid(2u) sigmoid(-2u):
    # no cancellation in the left tail, where tanh u rounds to -1 even at 40 digits
    "gelu_tanh": lambda x: x * sig(2 * gelu_tanh_parts(x)[0]),
    "gelu_tanh_backward": lambda x: (sig(2 * gelu_tanh_parts(x)[0])
                                     + x * 2 * sig(2 * gelu_tanh_parts(x)[0])
                                     * sig(-2 * gelu_tanh_parts(x)[0]) * gelu_tanh_parts(x)[1]),
    "hardswish": lambda x: 0 if x <= -3 else (x if x >= 3 else x * (x + 3) / 6),
    "hardswish_backward": lambda x: 0 if x <= -3 else (1 if x >= 3 else (2 * x + 3) / 6),
    "hardsigmoid": lambda x: 0 if x <= -3 else (1 if x >= 3 else (x + 3) / 6),
    "hardsigmoid_backward": lambda x: mp.mpf(1) / 6 if -3 < x < 3 else 0,
    # from the forward's output y
    "elu_backward_from_output": lambda y, a: 1 if y > 0 else y + a,
    "celu_backward_from_output": lambda y, a: 1 if y > 0 else y / a + 1,
    "selu_backward_from_output": lambda y: S if y > 0 else y + SA,
    "softplus_backward_from_output": lambda y, b, th: 1 if y * b > th else -mp.expm1(-b * y),
    "hardsigmoid_backward_from_output": lambda y: mp.mpf(1) / 6 if 0 < y < 1 else 0,
}
# parameters: each op's sample parameters, and others whose products with x are
# not exact (the reference carries their rounding errors)
PARAMS = {"elu": [(1.0,), (1.7,)], "celu": [(1.0,), (0.7,)], "softplus": [(1.0, 20.0), (3.0, 20.0)]}


def inputs(name, rng):
    """~300 inputs: the centre, both sides to +-40, the left tail down to where the
    float64 result underflows, and in and just around the window around a zero of
    the derivative."""
    tail = {"gelu": 38.5, "gelu_backward": 38.5, "gelu_tanh": 26.0, "gelu_tanh_backward": 26.0}
    lo = tail.get(name, 745.0)
    x = [rng.uniform(-4, 4, 100), rng.uniform(-40, 20, 60),
         -np.exp(rng.uniform(np.log(4), np.log(lo), 100)),
         -np.exp2(rng.uniform(-40, 0, 20)), np.exp2(rng.uniform(-40, 0, 20))]
    if name in _reference.DERIVATIVE_ROOTS:
        r, w = _reference.DERIVATIVE_ROOTS[name]
        x.append(r + rng.uniform(-w, w, 20))
        # just outside it the plain ULP criterion holds, with the least margin
        x.append(r + rng.choice([-1, 1], 40) * w * rng.uniform(1, 1.5, 40))
    return np.concatenate(x)


def to_mpf(v):
    """A long double (or double) as an exact mpf: its mantissa's double part and
    the rest, times its power of two (so that subnormal doubles lose nothing)."""
    m, e = np.frexp(np.longdouble(v))
    hi = float(m)
    return mp.ldexp(mp.mpf(hi) + mp.mpf(float(m - np.longdouble(hi))), int(e))


def ops():
    for name in sorted(EXACT):
        base = name.split("_backward")[0]
        for p in PARAMS.get(base, [_reference.SAMPLE_PARAMS.get(name, ())]):
            yield name, p


@pytest.mark.parametrize("name,params", list(ops()), ids=lambda v: str(v))
def test_reference_against_mpmath(name, params):
    rng = np.random.default_rng(zlib.crc32(f"{name} {params}".encode()))
    x = inputs(name, rng)
    fwd = _reference.forward_of(name)
    if fwd:   # from-output gradients take what the forward outputs
        x = np.array([float(EXACT[fwd](mp.mpf(float(v)), *params)) for v in x])
    ref = _ufuncs.REFERENCE_UFUNCS[name]
    bwd = _reference.is_backward(name)
    exact = [EXACT[name](mp.mpf(float(v)), *(mp.mpf(p) for p in params)) for v in x]
    for work, dtype in ((np.longdouble, np.float64), (np.float64, np.float32)):
        ops_ = (np.ones_like(x, dtype=work), x.astype(work)) if bwd else (x.astype(work),)
        got = ref(*ops_, *(np.asarray(p, dtype=work) for p in params))
        # the error against the exact value, in the unit of the checks, as mpf
        err = []
        for gv, xv, e in zip(got, x, exact):
            e = mp.mpf(e)
            unit = mp.mpf(float(np.spacing(np.abs(np.asarray(float(e), dtype=dtype)))))
            if bwd and _reference.near_root(name, xv):
                unit = max(unit, mp.mpf(float(np.finfo(dtype).eps)) / 2)
            err.append(float(abs(to_mpf(gv) - e) / unit))
        err = np.array(err)
        worst = int(np.argmax(err))
        assert err.max() <= 0.01, (f"{name}{params} ({work.__name__} reference): "
                                   f"{err.max():.3g} ULP of {np.dtype(dtype).name} at x={x[worst]!r}")
