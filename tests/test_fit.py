"""The committed coefficient tables are what the fitting program produces, and
the fit's own error report is within what the kernels' accuracy needs."""
import re
from pathlib import Path

import numpy as np
import pytest

mpmath = pytest.importorskip("mpmath")
from relukit import _fit, _fitvmath  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEADER = ROOT / _fit.TARGET
VMATH = ROOT / _fitvmath.TARGET


def _render(header, render):
    """what the generator writes for a committed header (skipped outside a checkout)"""
    if not header.exists():
        pytest.skip("not a source checkout")
    return render()


@pytest.fixture(scope="module")
def rendered():
    return _render(HEADER, _fit.render)


def test_committed_tables_are_the_fit(rendered):
    assert HEADER.read_text() == rendered, "run `python -m relukit fit` and commit src/gelu_tables.h"


def test_fit_error_small_enough(rendered):
    worst = [float(m) for m in re.findall(r"worst relative error of the pieces ([0-9.e+-]+)", rendered)]
    assert len(worst) == 2 and max(worst) < 2 ** -27


def test_tables_reproduce_the_functions(rendered):
    """Evaluate the committed tables the way the kernel indexes them (lane from the
    float bits of a + 1) and compare with mpmath: an independent check of the
    lane mapping and the coefficients' order."""
    tabs = {m.group(1): np.array([float.fromhex(v.strip().rstrip("f")) for v in m.group(2).split(",")])
            for m in re.finditer(r"static const float (\w+)\[8\] = \{(.*?)\};", rendered)}
    mp = mpmath
    with mp.workdps(30):
        _check_tables(tabs, mp)


def _check_tables(tabs, mp):
    root = mp.findroot(lambda a: mp.erfc(a / mp.sqrt(2)) / 2 - a * mp.exp(-a * a / 2) / mp.sqrt(2 * mp.pi), 0.75)
    for a in np.linspace(0.01, 14.4, 97):
        lane = (int(np.float32(a + 1).view(np.uint32)) >> 22) & 7
        A = mp.mpf(float(a))
        R = mp.erfc(A / mp.sqrt(2)) / 2 * mp.exp(A * A / 2)
        D = R - A / mp.sqrt(2 * mp.pi)
        for name, want in (("R", R), ("D", D / (A - root))):
            u = a - tabs[f"GELU_{name}_C"][lane]
            deg = _fit.DEGREES[name]
            q = sum(tabs[f"GELU_{name}_Q{j}"][lane] * u ** j for j in range(1, deg + 1))
            got = tabs[f"GELU_{name}_K"][lane] + q
            assert abs(got / float(want) - 1) < 2 ** -26, (name, a)


@pytest.fixture(scope="module")
def vmath_rendered():
    return _render(VMATH, _fitvmath.render)


def test_committed_vmath_polynomials_are_the_fit(vmath_rendered):
    assert VMATH.read_text() == vmath_rendered, \
        "run `python -m relukit fit` and commit src/vmath_coeffs.h"


def _coeffs(text, name):
    vals = dict(re.findall(r"#define RK_(\w+?) (\S+)", text))
    out = []
    while f"{name}{len(out)}" in vals:
        out.append(float.fromhex(vals[f"{name}{len(out)}"].rstrip("f")))
    return out


# (name, bits, function, the kernel's form evaluated in mpmath, points, relative bound):
# written from vmath.h's formulas, independently of the fitting program's specs
def _forms(mp):
    L = mp.log(2) / 2
    sixth = mp.mpf(float(mp.mpf(1) / 6))
    poly = lambda c, t: sum(mp.mpf(cj) * t ** j for j, cj in enumerate(c))
    erfcx = lambda x: mp.erfc(x) * mp.exp(x * x)
    rs = [L * (k / 50.0) for k in range(-50, 51) if k]
    return [
        ("EXPF_P", mp.exp, lambda c, r: 1 + r + r * r * poly(c, r), rs, 2 ** -28),
        ("EXPM1F_P", mp.expm1, lambda c, r: r + r * r * poly(c, r), rs, 2 ** -30.8),
        ("EXPD_P", mp.exp, lambda c, r: 1 + r + r * r / 2 + sixth * r ** 3 + r ** 4 * poly(c, r), rs,
         2 ** -57),
        ("EXPM1D_P", mp.expm1, lambda c, r: r + r * r / 2 + sixth * r ** 3 + r ** 4 * poly(c, r), rs,
         2 ** -54.8),
        ("LOG1PF_Q", mp.log1p, lambda c, f: (lambda s: 2 * s + s ** 3 * poly(c, s * s))(f / (2 + f)),
         [mp.sqrt(2) / 2 - 1 + k * (1 - mp.sqrt(2) / 2) / 50 for k in range(1, 101) if k != 50], 2 ** -35),
        ("LOG1PD_Q", mp.log1p, lambda c, f: (lambda s: 2 * s + s ** 3 * poly(c, s * s))(f / (2 + f)),
         [mp.sqrt(2) / 2 - 1 + k * (1 - mp.sqrt(2) / 2) / 50 for k in range(1, 101) if k != 50], 2 ** -61.3),
        ("ERFD_P", mp.erf, lambda c, x: x + x * poly(c, x * x), [k / 100.0 for k in range(1, 101)], 2 ** -54.8),
        ("ERFCD_A", erfcx, lambda c, x: poly(c, (x - 1) / (x + 1)), [0.5 + k * 0.015 for k in range(101)],
         2 ** -54.5),
        ("ERFCD_B", erfcx, lambda c, x: poly(c, (x - 3.5) / (x + 3.5)), [2 + k * 0.04 for k in range(101)],
         2 ** -54.7),
        ("ERFCD_C", lambda x: x * erfcx(x), lambda c, x: poly(c, 1 / (x * x)),
         [6 + k * 0.33 for k in range(101)] + [100.0, 1e4], 2 ** -55.8),
    ]


def test_vmath_polynomials_approximate_their_functions(vmath_rendered):
    """each committed polynomial, in the form the kernel evaluates it, against mpmath
    (each bound just above the fit's own error)"""
    mp = mpmath
    with mp.workdps(40):
        for name, fn, form, pts, bound in _forms(mp):
            c = _coeffs(vmath_rendered, name)
            assert len(c) >= 4, name
            worst = max(abs(form(c, mp.mpf(p)) / fn(mp.mpf(p)) - 1) for p in pts)
            assert worst < bound, (name, float(worst))


def test_vmath_header_uses_the_generated_file():
    text = (ROOT / "src" / "vmath.h").read_text()
    assert '#include "vmath_coeffs.h"' in text
    assert not re.search(r"#define RK_(EXP|EXPM1|LOG1P|ERF|ERFC)[FD]_", text), \
        "polynomial coefficients belong in the generated vmath_coeffs.h"
