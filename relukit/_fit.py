"""Fits every polynomial table of relukit's float32 GELU kernels and writes them
as C (``python -m relukit fit``, which also writes vmath.h's polynomials through
relukit/_fitvmath.py; ``--check`` compares both with the committed files).

Needs mpmath (the only dependency beyond NumPy).  Deterministic: the same
NumPy and mpmath give the same bits.

Method, per piece [lo, hi] of a = |x| and function F (values from mpmath at 40
digits, on a 240-point Chebyshev grid of the piece widened by a margin):
  1. F(a) ~ K + u q(u), u = a - c, q a polynomial of degree DEGREES[F] - 1, K =
     F(c) rounded to float32; the centre c is the float of the form
     mid + k 2^-12 (|k| <= 96, mid the piece's midpoint) where that rounding is
     the smallest relative to F(c), so that K is F(c) to about 2^-31.
  2. q is fitted for the minimax relative error |K + q - F| / |F| by Lawson's
     iteratively reweighted least squares (60 iterations).
  3. The coefficients are rounded to float32 one at a time, from the constant
     term up, refitting the remaining ones after each rounding.
The fit's worst relative error (after rounding, on a 4000-point grid) is
written beside each table.
"""
import argparse
import sys
from pathlib import Path

import numpy as np

DEGREES = {"R": 8, "D": 7}    # degree of q per function
GRID = 240
ITER = 60
MARGIN = 1.0 / 512           # pieces are fitted slightly wider than they are used

# pieces of a = |x|, indexed in the kernel by the float bits of a + 1:
# (bits(a + 1) >> 22) & 7 -- exponent and first mantissa bit of a + 1
PIECES = [(0.0, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 3.0), (3.0, 5.0), (5.0, 7.0),
          (7.0, 11.0), (11.0, 15.0)]
ROOT_PIECE = 1               # gelu'(-a) changes sign in [0.5, 1); D is fitted divided by (a - root)


def _mp():
    import mpmath
    return mpmath


DPS = 40   # mpmath's working precision for every value (set around render(), not globally)


def lane(piece):
    """the vector lane (0..7) that holds the piece: (bits(lo + 1) >> 22) & 7"""
    lo = PIECES[piece][0]
    bits = int(np.array([lo + 1.0], dtype=np.float32).view(np.uint32)[0])
    return (bits >> 22) & 7


def gelu_root():
    """the zero of gelu'(x) = Phi(x) + x phi(x), as a positive a (x = -a)"""
    mp = _mp()
    f = lambda a: mp.erfc(a / mp.sqrt(2)) / 2 - a * mp.exp(-a * a / 2) / mp.sqrt(2 * mp.pi)
    return mp.findroot(f, mp.mpf("0.75"))


def _fn(name):
    """F on a >= 0: R = Phi(-a) e^(a^2/2);  D = R - c0 a = gelu'(-a) e^(a^2/2)"""
    mp = _mp()
    c0 = 1 / mp.sqrt(2 * mp.pi)
    R = lambda a: mp.erfc(a / mp.sqrt(2)) / 2 * mp.exp(a * a / 2)
    if name == "R":
        return R
    if name == "D":
        return lambda a: R(a) - c0 * a
    if name == "S":   # D / (a - root), for the piece that holds the root
        r = gelu_root()
        return lambda a: (R(a) - c0 * a) / (a - r) if abs(a - r) > mp.mpf(10) ** -30 \
            else mp.diff(lambda t: R(t) - c0 * t, r)
    raise ValueError(name)


def _cheb(lo, hi, n):
    k = np.arange(n)
    return (lo + hi) / 2 - (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n)


def _lawson(V, y, w0, fixed, it=ITER):
    """coefficients c (some fixed) minimizing max |V c - y| w0 (Lawson's IRLS)"""
    free = [j for j in range(V.shape[1]) if j not in fixed]
    yf = y - sum(V[:, j] * fixed[j] for j in fixed) if fixed else y.copy()
    Vf = V[:, free]
    w = np.ones(len(y)) / len(y)
    c = None
    for _ in range(it):
        sw = np.sqrt(w) * w0
        c, *_ = np.linalg.lstsq(Vf * sw[:, None], yf * sw, rcond=None)
        e = np.abs(Vf @ c - yf) * w0
        w = w * e
        s = w.sum()
        if s == 0:
            break
        w /= s
    out = np.zeros(V.shape[1])
    for j, v in fixed.items():
        out[j] = v
    out[free] = c
    return out


def centre(F, lo, hi):
    """(c, K): the float c = mid + k 2^-12 whose F(c) is closest to a float32 K"""
    mp = _mp()
    mid = (lo + hi) / 2
    best = None
    for k in range(-96, 97):
        c = mid + k / 4096
        v = F(mp.mpf(c))
        K = float(np.float32(v))
        e = abs((v - K) / v)
        if best is None or e < best[0]:
            best = (e, c, K)
    return best[1], best[2]


def fit_piece(F, lo, hi, deg):
    """(c, K, q coefficients (float32 values), worst relative error)"""
    mp = _mp()
    c, K = centre(F, lo, hi)
    a = _cheb(lo - MARGIN, hi + MARGIN, GRID)
    f = np.array([float(F(mp.mpf(float(t)))) for t in a])
    u = a - c
    V = np.vander(u, deg + 1, increasing=True)[:, 1:]
    w0 = 1 / np.abs(f)
    fixed = {}
    for j in range(deg):
        coef = _lawson(V, f - K, w0, fixed)
        fixed[j] = float(np.float32(coef[j]))
    q = [fixed[j] for j in range(deg)]
    # the worst relative error of the rounded coefficients, on a finer grid
    at = np.linspace(lo, hi, 1000)
    ft = np.array([float(F(mp.mpf(float(t)))) for t in at])
    ut = at - c
    err = np.max(np.abs((K + ut * np.polyval(q[::-1], ut)) / ft - 1))
    return c, K, q, float(err)


def tables():
    """{table name: (8 lane values, comment)} for the float32 GELU kernels"""
    out = {}
    fits = {"R": [], "D": []}
    for name in fits:
        for i, (lo, hi) in enumerate(PIECES):
            fn = _fn("S" if name == "D" else name)
            fits[name].append(fit_piece(fn, lo, hi, DEGREES[name]))
    for name, rows in fits.items():
        lanes = [lane(i) for i in range(len(PIECES))]
        def by_lane(vals):
            t = [0.0] * 8
            for i, v in enumerate(vals):
                t[lanes[i]] = v
            return t
        worst = max(r[3] for r in rows)
        out[f"GELU_{name}_C"] = (by_lane([r[0] for r in rows]), "piece centres c (u = a - c)")
        out[f"GELU_{name}_K"] = (by_lane([r[1] for r in rows]),
                                 f"K per piece; worst relative error of the pieces {worst:.3g} "
                                 f"(2^{np.log2(worst):.1f})")
        for j in range(DEGREES[name]):
            out[f"GELU_{name}_Q{j + 1}"] = (by_lane([r[2][j] for r in rows]), None)
    return out


def _hexf(v):
    return float(np.float32(v)).hex() + "f"


def render():
    """the text of gelu_tables.h (computed at DPS digits, the caller's precision restored)"""
    with _mp().workdps(DPS):
        return _render()


def _render():
    mp = _mp()
    root = gelu_root()
    r_hi = float(np.float32(root))
    r_lo = float(np.float32(root - mp.mpf(r_hi)))
    lines = [
        "/* gelu_tables.h: GENERATED by `python -m relukit fit` (relukit/_fit.py); do not edit.",
        " * Per-piece polynomials of the float32 GELU kernels (src/gelu.c), one float per",
        " * vector lane; a lane holds piece i at (bits(a + 1) >> 22) & 7, a = |x|:",
        " *   pieces of a: " + ", ".join(f"[{lo:g}, {hi:g})" for lo, hi in PIECES),
        " *   R(a) = Phi(-a) exp(a^2/2)          ~ K + u q(u), u = a - C",
        " *   D(a) = gelu'(-a) exp(a^2/2) = R(a) - a/sqrt(2 pi), fitted as S(a) =",
        f" *   D(a)/(a - root) ~ K + u q(u) (its zero, in piece {ROOT_PIECE}, factored out;",
        " *   no cancellation between K and q near it)",
        " * u q(u) = Q1 u + ... + Qd u^d (d: R " + str(DEGREES["R"]) + ", D " + str(DEGREES["D"])
        + "), Horner in float32; K is F(C) to about 2^-31 (C picked for it). */",
        "#ifndef RK_GELU_TABLES_H",
        "#define RK_GELU_TABLES_H",
        f"/* the zero of gelu'(-a): a = {mp.nstr(root, 20)} = GELU_ROOT_HI + GELU_ROOT_LO */",
        f"#define GELU_ROOT_HI {_hexf(r_hi)}",
        f"#define GELU_ROOT_LO {_hexf(r_lo)}",
        f"#define GELU_ROOT_LANE {lane(ROOT_PIECE)}",
        "/* gelu_tanh's constants as float32 hi + lo pairs (hi: the constant rounded to",
        " * float32, lo: the rest rounded): 2 sqrt(2/pi), the decimal 0.044715 and 3 * 0.044715",
        " * (gelu_tanh': x v' = 2 sqrt(2/pi) x (1 + 3 0.044715 x^2)) */",
    ]
    for name, val in (("GT_K2_F", 2 * mp.sqrt(2 / mp.pi)), ("GT_C_F", mp.mpf("0.044715")),
                      ("GT_C3_F", 3 * mp.mpf("0.044715"))):
        hi = float(np.float32(val))
        lo = float(np.float32(val - mp.mpf(hi)))
        lines += [f"#define {name}_HI {_hexf(hi)}", f"#define {name}_LO {_hexf(lo)}"]
    lines += _double_constants()
    lines += ["/* float64 pair of 3 * 0.044715 (float64 gelu_tanh'): hi = the value rounded to",
              " * double, lo = the rest rounded */"]
    c3 = 3 * mp.mpf("0.044715")
    hi = float(c3)
    lines += [f"#define GT_C3_D_HI {float.hex(hi)}", f"#define GT_C3_D_LO {float.hex(float(c3 - mp.mpf(hi)))}"]
    for name, (vals, comment) in tables().items():
        if comment:
            lines.append(f"/* {comment} */")
        lines.append(f"static const float {name}[8] = {{" + ", ".join(_hexf(v) for v in vals) + "};")
    lines.append("#endif")
    return "\n".join(lines) + "\n"


def _gelu_tanh_root():
    """the zero of gelu_tanh'(x) (negative)"""
    mp = _mp()
    k, c = mp.sqrt(2 / mp.pi), mp.mpf("0.044715")
    f = lambda x: x / 2 * (1 + mp.tanh(k * (x + c * x ** 3)))
    return mp.findroot(lambda x: mp.diff(f, x), mp.mpf("-0.75"))


def _array(name, lits, per_line=4):
    rows = [", ".join(lits[i:i + per_line]) for i in range(0, len(lits), per_line)]
    return [f"static const double {name}[{len(lits)}] = {{"] + [f"    {r}," for r in rows[:-1]] \
        + [f"    {rows[-1]}}};"]


def _double_constants():
    """the float64 GELU constants: hi/lo pairs, the derivatives' zeros, Taylor series"""
    from relukit._fitvmath import _round, _up
    mp = _mp()
    c0 = 1 / mp.sqrt(2 * mp.pi)
    k2 = 2 * mp.sqrt(2 / mp.pi)
    gt_c = mp.mpf("0.044715")
    hx = lambda v: float(v).hex()
    fx = lambda v: _hexf(float(v))
    lines = [
        "/* float64 constants (mpmath): hi = rounded to double, lo = the rest rounded */",
        f"#define C0 {hx(_round(c0, 53))}   /* 1/sqrt(2 pi) */",
        f"#define C0_LO ({hx(_round(c0 - _round(c0, 53), 53))})",
        f"#define RSQRT2_HI {hx(_round(1 / mp.sqrt(2), 53))}   /* 1/sqrt(2) */",
        f"#define K2_HI {hx(_round(k2, 53))}   /* 2 sqrt(2/pi) */",
        f"#define K2_LO ({hx(_round(k2 - _round(k2, 53), 53))})",
        "#define GT_C 0.044715   /* gelu_tanh's cubic coefficient (the decimal), rounded to double */",
        f"#define GT_C_LO {hx(_round(gt_c - _round(gt_c, 53), 53))}   /* 0.044715 - GT_C */",
        "/* the zeros of gelu' and gelu_tanh' rounded up (toward +inf) to double and to float:",
        " * x < ZERO exactly for the x left of the zero, where the derivative is negative",
        " * (the sign of an infinite g times it) */",
    ]
    for name, z in (("GELU_D_ZERO", -gelu_root()), ("GELU_TANH_D_ZERO", _gelu_tanh_root())):
        lines.append(f"#define {name} ({hx(_up(z, 53))})   /* {mp.nstr(z, 20)} */")
        lines.append(f"#define {name}_F ({fx(_up(z, 24))})")
    lines.append("/* (Phi(x) - 1/2)/x = c0 sum (-1)^n s^n / (2^n n! (2n+1)), s = x^2: Taylor terms */")
    ps = [c0 * (-1) ** n / (2 ** n * mp.factorial(n) * (2 * n + 1)) for n in range(15)]
    lines += _array("GELU_PS", [hx(_round(v, 53)) for v in ps])
    lines.append("/* (Phi(x) - 1/2)/x + phi(x) = c0 sum (-1)^n s^n (2n+2) / (2^n n! (2n+1)) */")
    ss = [c0 * (-1) ** n * (2 * n + 2) / (2 ** n * mp.factorial(n) * (2 * n + 1)) for n in range(15)]
    lines += _array("GELU_SS", [hx(_round(v, 53)) for v in ss])
    return lines


TARGET = Path("src") / "gelu_tables.h"


def _default_root():
    here = Path(__file__).resolve().parent.parent
    return here if (here / TARGET).exists() else Path.cwd()


def outputs():
    """[(path relative to the repository root, render function)] of every generated file"""
    from relukit import _fitvmath
    return [(TARGET, render), (_fitvmath.TARGET, _fitvmath.render)]


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m relukit fit",
                                description="Fit the kernels' polynomials (needs mpmath) and write "
                                            "src/gelu_tables.h and src/vmath_coeffs.h, or check the "
                                            "committed ones.")
    p.add_argument("--check", action="store_true",
                   help="compare with the committed files instead of writing them (exit 1 if one differs)")
    p.add_argument("--root", default=None,
                   help="the repository root (default: the source tree this module is in, "
                        "else the current folder)")
    p.add_argument("--stdout", action="store_true", help="print instead of writing")
    args = p.parse_args(argv)
    root = Path(args.root) if args.root else _default_root()
    if not args.stdout and not (root / "src").is_dir():
        p.error(f"no src/ folder under {root}: run from a source checkout or pass --root")
    status = 0
    for rel, fn in outputs():
        path = root / rel
        text = fn()
        if args.stdout:
            sys.stdout.write(text)
        elif args.check:
            old = path.read_text() if path.exists() else ""
            if old != text:
                print(f"{path}: differs from what the fit produces (run `python -m relukit fit`)")
                status = 1
            else:
                print(f"{path}: up to date")
        else:
            path.write_text(text)
            print(f"wrote {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
