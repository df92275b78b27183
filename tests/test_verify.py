"""The published accuracy bounds, as `python -m relukit verify` measures them:
every float16 input and 10^6 sampled float32 inputs per op (CI's run), sampled
float64, and the command line itself."""
import os
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from relukit import _reference, _ufuncs, _verify

OPS = sorted(_ufuncs.UFUNCS)


def stable_seed(name):
    """The same seed for `name` in every process (CRC-32 of the name), so a failing
    sample can be reproduced; hash() of a str changes per process."""
    return zlib.crc32(name.encode())


def test_sample_seed_is_the_same_in_every_process():
    code = "import zlib; print(zlib.crc32(b'gelu'))"
    seeds = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONHASHSEED=str(h))).stdout.strip()
             for h in (1, 2)}
    assert seeds == {str(stable_seed("gelu"))}


@pytest.mark.parametrize("name", OPS)
def test_float16_every_input_within_bound(name):
    err, worst, nbad = _verify.check_array(name, _verify.all_inputs(np.float16), np.float16)
    assert nbad == 0, f"{name} float16: {err:.3g} ULP at x={worst!r}"


@pytest.mark.parametrize("name", OPS)
def test_float32_million_samples_within_bound(name):
    rng = np.random.default_rng(stable_seed(name))
    x = _verify.sample(np.float32, 1_000_000, rng)
    err, worst, nbad = _verify.check_array(name, x, np.float32, rng=rng)  # and random g
    assert nbad == 0, f"{name} float32: {err:.3g} ULP at x={worst!r}"


@pytest.mark.parametrize("name", OPS)
def test_float64_samples_within_bound(name):
    rng = np.random.default_rng(7)
    x = _verify.sample(np.float64, 200_000, rng)
    err, worst, nbad = _verify.check_array(name, x, np.float64, rng=rng)
    assert nbad == 0, f"{name} float64: {err:.3g} ULP at x={worst!r}"


def test_random_g_spans_the_binades_and_catches_g_dependent_errors(monkeypatch):
    g = _verify.random_g(np.float32, 200_000, np.random.default_rng(3))
    assert np.isfinite(g).all()
    e = np.frexp(np.abs(g[g != 0]))[1]
    assert e.min() < -120 and e.max() > 120          # subnormal to huge
    # a gradient that is right for g = 1 and wrong by 8 ULP for any other g
    real = _ufuncs.UFUNCS["silu_backward"]

    def wrong(g, x, *a, **k):
        y = real(g, x, *a, **k)
        return np.where(g == 1, y, np.nextafter(np.nextafter(y, np.inf) * (1 + 2**-21), np.inf))

    monkeypatch.setitem(_ufuncs.UFUNCS, "silu_backward", wrong)
    x = np.linspace(0.5, 4, 1000, dtype=np.float32)
    assert _verify.check_array("silu_backward", x, np.float32)[2] == 0
    assert _verify.check_array("silu_backward", x, np.float32,
                               rng=np.random.default_rng(0))[2] > 0


def test_exhaustive_path_on_a_slice():
    # the C path used by --exhaustive, on 2^20 inputs around -4, agrees with the Python path
    lo = int(np.array([-4.0], np.float32).view(np.uint32)[0])
    e_c, _, nbad = _ufuncs.verify_f32_range("gelu", lo, lo + (1 << 20), bound=2.0)
    x = (np.arange(lo, lo + (1 << 20), dtype=np.uint64).astype(np.uint32)).view(np.float32)
    e_py, _, _ = _verify.check_array("gelu", x, np.float32)
    assert nbad == 0 and abs(e_c - e_py) < 1e-6
    # and it does catch an error: a bound below the true error fails
    assert _ufuncs.verify_f32_range("gelu", lo, lo + (1 << 20), bound=0.01)[2] > 0


def test_verify_command_line():
    env = {k: v for k, v in os.environ.items() if k != "RELUKIT_TARGET"}
    r = subprocess.run([sys.executable, "-m", "relukit", "verify", "--op", "relu", "elu",
                        "--dtype", "float16", "float32", "--samples", "10000"],
                       capture_output=True, text=True, timeout=300, env=env,
                       cwd=str(Path(__file__).parent))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "relu" in r.stdout and "elu" in r.stdout and "PASS" in r.stdout and "FAIL" not in r.stdout
    bad = subprocess.run([sys.executable, "-m", "relukit", "verify", "--op", "nope"],
                         capture_output=True, text=True, timeout=120, env=env,
                         cwd=str(Path(__file__).parent))
    assert bad.returncode == 2 and "unknown op(s) nope" in bad.stderr
