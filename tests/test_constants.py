"""Every numeric constant of the C sources has its generator in the repository.

The kernels' polynomials and constants are generated files (src/vmath_coeffs.h,
src/gelu_tables.h: `python -m relukit fit`, checked by tests/test_fit.py).  The
scalar reference (src/reference.c) keeps its own constants, written out so that it
stays independent of that generator; here each one is recomputed from its
definition with mpmath: hi/lo splits rounded to nearest at their precision (53 or
64 bits), decimals to the digits they print, the derivatives' zeros by root finding.
A constant added to reference.c without an entry here fails the test."""
import re
from pathlib import Path

import pytest

mp = pytest.importorskip("mpmath").mp
import mpmath  # noqa: E402

SRC = Path(__file__).resolve().parent.parent / "src"

SELU_ALPHA = "1.6732632423543772848170429916717"   # PyTorch's decimals: the definitions
SELU_SCALE = "1.0507009873554804934193349852946"


def _round(v, bits):
    m, e = mpmath.frexp(v)
    return mpmath.ldexp(mpmath.nint(m * 2 ** bits), e - bits)


def _literal(text):
    """the exact value of a C literal: hex with an integer or fractional mantissa, or decimal"""
    t = text.strip().strip("()").rstrip("L").rstrip("f")
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("-")
    if t.lower().startswith("0x"):
        mant, exp = t[2:].lower().split("p")
        if "." in mant:
            ip, fp = mant.split(".")
            val = mpmath.mpf(int(ip or "0", 16)) + mpmath.mpf(int(fp or "0", 16)) / mpmath.mpf(16) ** len(fp)
        else:
            val = mpmath.mpf(int(mant, 16))
        return sign * mpmath.ldexp(val, int(exp))
    return sign * mpmath.mpf(t)


def _defines(path):
    out = {}
    for m in re.finditer(r"^#define\s+(RK[DL]_\w+)\s+(\(?-?(?:0x[0-9A-Fa-f.]+[pP][-+]?\d+|\d+\.\d*)L?\)?)\s*$",
                         path.read_text(), re.M):
        out[m.group(1)] = (m.group(2), _literal(m.group(2)))
    return out


def _split(v, bits):
    hi = _round(v, bits)
    lo = _round(v - hi, bits)
    return hi, lo, _round(v - hi - lo, bits)


def _expected():
    """name -> (exact value it must equal, or (value, tolerance) for decimals)"""
    S, A = mpmath.mpf(SELU_SCALE), mpmath.mpf(SELU_ALPHA)
    defs = {
        "INV_SQRT2": 1 / mpmath.sqrt(2),
        "SQRT_2_OVER_PI": mpmath.sqrt(2 / mpmath.pi),
        "GT_C": mpmath.mpf("0.044715"),
    }
    exp = {}
    for name, v in defs.items():
        for pre, bits in (("RKD_", 53), ("RKL_", 64)):
            hi, lo, _ = _split(v, bits)
            exp[f"{pre}{name}_HI"], exp[f"{pre}{name}_LO"] = hi, lo
    for pre in ("RKD_", "RKL_"):
        exp[pre + "INV_SQRT_2PI"] = (1 / mpmath.sqrt(2 * mpmath.pi), 1e-37)
        exp[pre + "2_OVER_SQRTPI"] = (2 / mpmath.sqrt(mpmath.pi), 1e-37)
    exp["RKL_SELU_ALPHA"] = (A, 0)
    exp["RKL_SELU_SCALE"] = (S, 0)
    exp["RKL_SELU_SCALE_ALPHA"] = (S * A, 1e-37)
    hi, lo, lo2 = _split(S * A, 53)
    exp["RKD_SELU_SA_HI"], exp["RKD_SELU_SA_LO"], exp["RKD_SELU_SA_LO2"] = hi, lo, lo2
    # thresholds (not values of a function): where the reference's formulas underflow
    exp["RKD_PHI_CUT"] = None
    exp["RKL_PHI_CUT"] = None
    return exp


def test_reference_constants_are_their_definitions():
    with mp.workdps(60):
        found = _defines(SRC / "reference.c")
        exp = _expected()
        assert set(found) == set(exp), f"constants without a generator here: {set(found) ^ set(exp)}"
        for name, (text, got) in found.items():
            want = exp[name]
            if want is None:
                continue
            if isinstance(want, tuple):
                v, tol = want
                assert abs(got - v) <= tol * abs(v), (name, text)
            else:
                assert got == want, (name, text, mpmath.nstr(want, 40))


def _roots():
    S = lambda x: 1 / (1 + mpmath.exp(-x))
    silu = lambda x: x * S(x)
    mish = lambda x: x * mpmath.tanh(mpmath.log1p(mpmath.exp(x)))
    gelu = lambda x: x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2
    k, c = mpmath.sqrt(2 / mpmath.pi), mpmath.mpf("0.044715")
    gelu_t = lambda x: x / 2 * (1 + mpmath.tanh(k * (x + c * x ** 3)))
    r = {}
    for name, f, x0 in (("silu", silu, -1.28), ("mish", mish, -1.19), ("gelu", gelu, -0.75),
                        ("gelu_tanh", gelu_t, -0.75)):
        r[name] = mpmath.findroot(lambda x: mpmath.diff(f, x), mpmath.mpf(x0))
    return r


def test_reference_derivative_zeros_are_the_zeros():
    text = (SRC / "reference.c").read_text()
    with mp.workdps(60):
        roots = _roots()
        rows = re.findall(r'\{"(\w+)_bwd", \{(-?[0-9.]+), ', text)
        assert len(rows) >= 4
        act = {"silu": "silu", "mish": "mish", "gelu": "gelu", "gelu_tanh": "gelu_tanh",
               "swiglu": "silu", "geglu": "gelu", "geglu_tanh": "gelu_tanh"}
        for row, lit in rows:
            z = roots[act[row]]
            digits = len(lit.split(".")[1])
            assert abs(mpmath.mpf(lit) - z) <= mpmath.mpf(10) ** -digits, (row, lit, mpmath.nstr(z, 25))


def test_kernel_selu_decimals_are_the_definitions():
    """exponential.c's SELU scale and scale*alpha (decimal literals), the reference's
    and the generator's are the same numbers"""
    text = (SRC / "exponential.c").read_text()
    s = re.search(r"#define RK_SELU_S ([0-9.]+)", text).group(1)
    sa = re.search(r"#define RK_SELU_SA ([0-9.]+)", text).group(1)
    with mp.workdps(60):
        assert s == SELU_SCALE
        v = mpmath.mpf(SELU_SCALE) * mpmath.mpf(SELU_ALPHA)
        assert abs(mpmath.mpf(sa) - v) <= mpmath.mpf(10) ** -(len(sa.split(".")[1])), sa


def test_no_unexplained_hex_constants_in_the_kernels():
    """the kernel sources' long hex floats live in the generated headers (powers of
    two and short masks excepted)"""
    for name in ("exponential.c", "gelu.c", "gated.c", "piecewise.c", "vmath.h", "sigmoid.h",
                 "dwarith.h"):
        text = (SRC / name).read_text()
        longs = re.findall(r"0x1\.[0-9a-fA-F]{6,}p[-+]?\d+", text)
        assert not longs, (name, longs)
