"""The committed coefficient tables are what the fitting program produces, and
the fit's own error report is within what the kernels' accuracy needs."""
import re
from pathlib import Path

import numpy as np
import pytest

mpmath = pytest.importorskip("mpmath")
from relukit import _fit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEADER = ROOT / _fit.TARGET


@pytest.fixture(scope="module")
def rendered():
    if not HEADER.exists():
        pytest.skip("not a source checkout")
    return _fit.render()


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
