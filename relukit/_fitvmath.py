"""Fits the polynomials of src/vmath.h (the kernels' exponential and erfc), computes
the constants of vmath.h and exponential.c, and writes them as C:
src/vmath_coeffs.h.  Run by ``python -m relukit fit`` with the
GELU tables (relukit/_fit.py); ``--check`` compares both with the committed files.

Needs mpmath only.  Everything is computed in mpmath at DPS digits (no floating
point and no linear algebra library), so the output is the same on every machine.

Each polynomial approximates a function F on an interval as
    F(x) ~ K(x) + M(x) P(t(x)),   P(t) = c0 + c1 t + ... + cd t^d,
with K the terms the kernel evaluates exactly or fixes (for exp: 1 + r), M a known
factor (r^2) and t the kernel's variable (r, x^2, (x - c)/(x + c), 1/x^2).  The
coefficients minimize the largest relative error |K + M P - F| / |F| over the
interval: the Remez exchange algorithm on P with the weight M / F, from the
Chebyshev points, with the extrema of the error located on a Chebyshev grid and
refined by golden-section search, until the extrema level to 1e-12.

Rounding to the kernel's precision:
  - float32: one coefficient at a time, from c0 up; after each one the remaining
    ones are fitted again with the rounded ones fixed (this recovers most of
    what plain rounding of every coefficient loses at 24 bits);
  - float64: each coefficient rounded to nearest (the loss is near 2^-53).
The comment above each group gives the largest relative error of the rounded
polynomial over its interval, in exact arithmetic (the kernels' rounding comes on
top and is part of their proved error).
"""
import sys
from pathlib import Path

DPS = 50
GRID = 1500          # extrema search grid (Chebyshev-distributed) per Remez step
ITERS = 40
CHECK_GRID = 4000    # the reported error of the rounded polynomial

TARGET = Path("src") / "vmath_coeffs.h"


def _mp():
    import mpmath
    return mpmath


def _round(v, bits):
    """v rounded to nearest (even) with `bits` significant bits (24: float32, 53: float64)"""
    mp = _mp()
    if v == 0:
        return mp.mpf(0)
    m, e = mp.frexp(v)               # v = m 2^e, 0.5 <= |m| < 1
    scaled = m * mp.mpf(2) ** bits
    n = mp.nint(scaled)              # ties to even
    return mp.ldexp(n, e - bits)


def _golden(g, lo, hi, steps=70):
    """the argument in [lo, hi] minimizing g (unimodal there)"""
    mp = _mp()
    gr = (mp.sqrt(5) - 1) / 2
    x1 = hi - gr * (hi - lo)
    x2 = lo + gr * (hi - lo)
    f1, f2 = g(x1), g(x2)
    for _ in range(steps):
        if f1 < f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - gr * (hi - lo)
            f1 = g(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + gr * (hi - lo)
            f2 = g(x2)
    return (lo + hi) / 2


class Fit:
    """minimax weighted fit of f(t) by sum(c_j t^j, j in free) + fixed terms on [a, b]:
    max |w(t) (P(t) - f(t))|"""

    def __init__(self, f, w, a, b):
        mp = _mp()
        self.f, self.w = f, w
        self.a, self.b = mp.mpf(a), mp.mpf(b)
        n = GRID
        self.grid = [(self.a + self.b) / 2 - (self.b - self.a) / 2 * mp.cos(mp.pi * k / n)
                     for k in range(n + 1)]
        self.fg = [f(t) for t in self.grid]
        self.wg = [w(t) for t in self.grid]

    def err(self, c, t, ft=None, wt=None):
        mp = _mp()
        p = mp.mpf(0)
        for cj in reversed(c):
            p = p * t + cj
        ft = self.f(t) if ft is None else ft
        wt = self.w(t) if wt is None else wt
        return wt * (p - ft)

    def remez(self, deg, fixed=None, ref=None):
        """coefficients c0..c_deg (those in `fixed` kept) and the levelled error"""
        mp = _mp()
        fixed = dict(fixed or {})
        free = [j for j in range(deg + 1) if j not in fixed]
        n = len(free)
        if ref is None or len(ref) != n + 1:
            ref = [(self.a + self.b) / 2 - (self.b - self.a) / 2 * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / (n + 1))
                   for k in range(n + 1)]
        c = None
        for _ in range(ITERS):
            A = mp.matrix(n + 1, n + 1)
            rhs = mp.matrix(n + 1, 1)
            for i, t in enumerate(ref):
                wt = self.w(t)
                known = sum(v * t ** j for j, v in fixed.items())
                for k, j in enumerate(free):
                    A[i, k] = wt * t ** j
                A[i, n] = (-1) ** i
                rhs[i] = wt * (self.f(t) - known)
            sol = mp.lu_solve(A, rhs)
            c = [fixed.get(j, mp.mpf(0)) for j in range(deg + 1)]
            for k, j in enumerate(free):
                c[j] = sol[k]
            ref, lev = self._exchange(c, n + 1)
            if lev < mp.mpf(10) ** -12:
                break
        return c, ref

    def _exchange(self, c, m):
        """the m alternating extrema of the error (the new reference) and their levelling"""
        mp = _mp()
        g, eg = self.grid, [self.err(c, t, ft, wt) for t, ft, wt in zip(self.grid, self.fg, self.wg)]
        pts = []
        for i, v in enumerate(eg):
            if v == 0:
                continue
            if (i == 0 or abs(v) >= abs(eg[i - 1])) and (i == len(g) - 1 or abs(v) >= abs(eg[i + 1])):
                s = mp.sign(v)
                if i in (0, len(g) - 1):
                    t = g[i]
                else:
                    t = _golden(lambda u: -s * self.err(c, u), g[i - 1], g[i + 1])
                pts.append((t, self.err(c, t)))
        alt = []
        for t, e in pts:                       # one extremum per sign run: the largest
            if alt and mp.sign(alt[-1][1]) == mp.sign(e):
                if abs(e) > abs(alt[-1][1]):
                    alt[-1] = (t, e)
            else:
                alt.append((t, e))
        while len(alt) > m:                    # drop the smaller end
            alt.pop(0 if abs(alt[0][1]) < abs(alt[-1][1]) else -1)
        if len(alt) < m:
            raise RuntimeError(f"Remez: {len(alt)} alternating extrema, {m} needed")
        es = [abs(e) for _, e in alt]
        return [t for t, _ in alt], (max(es) - min(es)) / max(es)

    def max_rel_err(self, c, fn_rel):
        """the largest |relative error| of the polynomial c on CHECK_GRID points"""
        mp = _mp()
        n = CHECK_GRID
        return max(abs(fn_rel(c, self.a + (self.b - self.a) * mp.mpf(k) / n)) for k in range(n + 1))


def fit(spec):
    """(coefficients as floats of the spec's precision, max relative error)"""
    mp = _mp()
    F, K, M, x_of_t = spec["F"], spec["K"], spec["M"], spec["x"]
    def f(t):   # (F - K)/M, its limit where M vanishes (r = 0)
        x = x_of_t(t)
        if M(x) == 0:
            return f(t + mp.mpf(2) ** -100)
        return (F(x) - K(x)) / M(x)

    def rel(cc, t):   # the relative error of K + M P
        x = x_of_t(t)
        p = mp.mpf(0)
        for cj in reversed(cc):
            p = p * t + cj
        fx = F(x)
        return (K(x) + M(x) * p - fx) / fx if fx != 0 else mp.mpf(0)

    def w(t):   # M/F: the weight that makes the error relative (0 where M is)
        x = x_of_t(t)
        return M(x) / F(x) if M(x) != 0 else mp.mpf(0)
    fitter = Fit(f, w, *spec["t"])
    deg, bits = spec["deg"], spec["bits"]
    c, ref = fitter.remez(deg)
    if bits == 24:
        fixed = {}
        for j in range(deg + 1):
            fixed[j] = _round(c[j], bits)
            if j < deg:
                c, ref = fitter.remez(deg, fixed, ref)
        c = [fixed[j] for j in range(deg + 1)]
    else:
        c = [_round(v, bits) for v in c]
    return [float(v) for v in c], float(fitter.max_rel_err(c, rel))


def specs():
    """the polynomials of vmath.h: name -> fitting problem"""
    mp = _mp()
    L = mp.log(2) / 2
    sixth_d = mp.mpf(float(mp.mpf(1) / 6))     # the kernel's 1/6, rounded to double
    erfcx = lambda x: mp.erfc(x) * mp.exp(x * x)
    ident = lambda t: t

    def exp_m1_r(r):   # e^r - 1 - r, accurate at tiny r
        return mp.expm1(r) - r

    return {
        "EXPF_P": dict(
            desc="exp(r) = 1 + r + r^2 P(r), |r| <= ln2/2 + 2^-10 (the reduction's slack), "
                 "P deg 4, float32",
            F=mp.exp, K=lambda r: 1 + r, M=lambda r: r * r, x=ident,
            t=(-L - mp.mpf(2) ** -10, L + mp.mpf(2) ** -10), deg=4, bits=24),
        "EXPD_P": dict(
            desc="exp(r) = 1 + r + r^2/2 + r^3 (1/6 rounded to double) + r^4 P(r), "
                 "|r| <= ln2/2 + 2^-20, P deg 7, float64",
            F=mp.exp, K=lambda r: 1 + r + r * r / 2 + sixth_d * r ** 3, M=lambda r: r ** 4,
            x=ident, t=(-L - mp.mpf(2) ** -20, L + mp.mpf(2) ** -20), deg=7, bits=53),
        "EXPM1F_P": dict(
            desc="expm1(r) = r + r^2 P(r), |r| <= ln2/2 + 2^-10, P deg 5, relative to expm1, float32",
            F=mp.expm1, K=lambda r: r, M=lambda r: r * r, x=ident,
            t=(-L - mp.mpf(2) ** -10, L + mp.mpf(2) ** -10), deg=5, bits=24),
        "EXPM1D_P": dict(
            desc="expm1(r) = r + r^2/2 + r^3 (1/6 rounded to double) + r^4 P(r), |r| <= ln2/2 + 2^-20, "
                 "P deg 7, relative to expm1, float64",
            F=mp.expm1, K=lambda r: r + r * r / 2 + sixth_d * r ** 3, M=lambda r: r ** 4, x=ident,
            t=(-L - mp.mpf(2) ** -20, L + mp.mpf(2) ** -20), deg=7, bits=53),
        "LOG1PF_Q": dict(
            desc="log1p(f) = 2 atanh(s) = 2s + s z Q(z), s = f/(2+f), z = s^2 in [0, 0.0295] "
                 "(f in [sqrt2/2 - 1, sqrt2 - 1]), Q deg 3, float32",
            F=lambda s_: 2 * mp.atanh(s_), K=lambda s_: 2 * s_, M=lambda s_: s_ ** 3,
            x=lambda z: mp.sqrt(z), t=(mp.mpf(0), mp.mpf("0.0295")), deg=3, bits=24),
        "LOG1PD_Q": dict(
            desc="log1p(f) = 2 atanh(s) = 2s + s z Q(z), s = f/(2+f), z = s^2 in [0, 0.0295], "
                 "Q deg 7, float64",
            F=lambda s_: 2 * mp.atanh(s_), K=lambda s_: 2 * s_, M=lambda s_: s_ ** 3,
            x=lambda z: mp.sqrt(z), t=(mp.mpf(0), mp.mpf("0.0295")), deg=7, bits=53),
        "ERFD_P": dict(
            desc="erf(x) = x + x P(x^2), |x| <= 1, P deg 11 in t = x^2, float64",
            F=lambda x: mp.erf(x), K=lambda x: x, M=lambda x: x, x=lambda t: mp.sqrt(t),
            t=(mp.mpf(2) ** -60, 1), deg=11, bits=53),
        "ERFCD_A": dict(
            desc="erfc(x) exp(x^2) = P(t), t = (x - 1)/(x + 1), x in [0.5, 2], P deg 16, float64",
            F=erfcx, K=lambda x: 0, M=lambda x: 1, x=lambda t: (1 + t) / (1 - t),
            t=(mp.mpf(-1) / 3, mp.mpf(1) / 3), deg=16, bits=53),
        "ERFCD_B": dict(
            desc="erfc(x) exp(x^2) = P(t), t = (x - 3.5)/(x + 3.5), x in [2, 6], P deg 14, float64",
            F=erfcx, K=lambda x: 0, M=lambda x: 1, x=lambda t: mp.mpf(7) / 2 * (1 + t) / (1 - t),
            t=(mp.mpf(-3) / 11, mp.mpf(5) / 19), deg=14, bits=53),
        "ERFCD_C": dict(
            desc="x erfc(x) exp(x^2) = P(v), v = 1/x^2, x >= 6 (v in [0, 1/36]), P deg 10, float64",
            F=lambda x: x * erfcx(x) if x < mp.mpf(10) ** 30 else 1 / mp.sqrt(mp.pi),
            K=lambda x: 0, M=lambda x: 1,
            x=lambda v: 1 / mp.sqrt(v) if v > 0 else mp.mpf(10) ** 40,
            t=(mp.mpf(0), mp.mpf(1) / 36), deg=10, bits=53),
    }


def _up(v, bits):
    """v rounded toward +infinity to `bits` significant bits (the smallest such float
    >= v): `x < Z` then holds exactly for the floats x < v"""
    mp = _mp()
    r = _round(v, bits)
    if r < v:
        m, e = mp.frexp(r)
        r = r + mp.ldexp(1, e - bits)
    return r


def constants():
    """[(name, value, bits, comment)]: the kernels' constants other than polynomials"""
    mp = _mp()
    ln2 = mp.log(2)
    f_ln2hi = _round(ln2, 16)
    d_ln2hi = _round(ln2, 32)
    S = mp.mpf("1.0507009873554804934193349852946")
    A = mp.mpf("1.6732632423543772848170429916717")
    return [
        ("RK_F_LOG2E", _round(1 / ln2, 24), 24, "1/ln2 rounded to float"),
        ("RK_F_LN2HI", f_ln2hi, 24, "ln2 rounded to 16 significant bits: n*LN2HI exact for |n| < 256"),
        ("RK_F_LN2LO", _round(ln2 - f_ln2hi, 24), 24, "ln2 - RK_F_LN2HI rounded to float"),
        ("RK_D_LOG2E", _round(1 / ln2, 53), 53, "1/ln2 rounded to double"),
        ("RK_D_LN2HI", d_ln2hi, 53, "ln2 rounded to 32 significant bits: n*LN2HI exact for |n| < 2^21"),
        ("RK_D_LN2LO", _round(ln2 - d_ln2hi, 53), 53, "ln2 - RK_D_LN2HI rounded to double"),
        ("RK_D_SIXTH", _round(mp.mpf(1) / 6, 53), 53, "1/6 rounded to double (the float64 exp polynomials' cubic term)"),
        ("RK_SELU_S_LO_D", _round(S - _round(S, 53), 53), 53,
         "SELU's scale S (PyTorch's decimal) minus S rounded to double, rounded"),
        ("RK_SELU_SA_LO_D", _round(S * A - _round(S * A, 53), 53), 53,
         "S*A (scale times alpha, exact) minus S*A rounded to double, rounded"),
    ]


def render():
    mp = _mp()
    with mp.workdps(DPS):
        return _render()


def _render():
    lines = [
        "/* vmath_coeffs.h: GENERATED by `python -m relukit fit` (relukit/_fitvmath.py); do not edit.",
        " * The constants of vmath.h and exponential.c (mpmath), and the polynomials of",
        " * vmath.h: minimax relative error (Remez, mpmath), float32 ones",
        " * rounded one coefficient at a time with the rest refitted, float64 ones rounded to",
        " * nearest.  Above each group: its form, interval, degree and the largest relative",
        " * error of the rounded polynomial in exact arithmetic. */",
        "#ifndef RK_VMATH_COEFFS_H",
        "#define RK_VMATH_COEFFS_H",
        "/* ---- constants (mpmath, rounded to nearest unless said) ---- */",
    ]
    for name, v, bits, comment in constants():
        lit = _hexf(float(v)) if bits == 24 else float(v).hex()
        lit = f"({lit})" if v < 0 else lit
        lines.append(f"#define {name} {lit}   /* {comment} */")
    lines.append("/* ---- polynomials ---- */")
    for name, spec in specs().items():
        coeffs, err = fit(spec)
        lines.append(f"/* {spec['desc']}; max relative error {err:.3g} "
                     f"(2^{_log2(err):.1f}) */")
        for j, v in enumerate(coeffs):
            if spec["bits"] == 24:
                lines.append(f"#define RK_{name}{j} {_hexf(v)}")
            else:
                lines.append(f"#define RK_{name}{j} {v.hex()}")
    lines.append("#endif")
    return "\n".join(lines) + "\n"


def _log2(v):
    import math
    return math.log2(v) if v > 0 else float("-inf")


def _hexf(v):
    """a float32 value as a C hex float literal (shortest mantissa)"""
    h = float(v).hex()              # 0x1.xxxxxx00000p+e
    mant, exp = h.split("p")
    mant = mant.rstrip("0").rstrip(".") if "." in mant else mant
    return f"{mant}p{exp}f"


if __name__ == "__main__":
    sys.stdout.write(render())
