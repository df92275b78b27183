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


_TARGET_PROBE = """
import sys, numpy as np
from relukit import _ufuncs
x = np.random.default_rng(1).standard_normal(1 << 16).astype(np.float32) * 12
g = np.random.default_rng(2).standard_normal(x.size).astype(np.float32)
U, G = _ufuncs.target_ufuncs(sys.argv[1])
outs = [U["gelu"](x), U["selu"](x), U["softplus_backward"](g, x, np.float32(1), np.float32(20)),
        U["gelu_backward"](g.astype(np.float64), x.astype(np.float64)), U["mish"](x.astype(np.float16)),
        G["swiglu_backward"](g, x, g[::-1].copy())[0]]
sys.stdout.write(b"".join(o.tobytes() for o in outs).hex())
"""


def _probe(target, selected):
    env = dict(os.environ, RELUKIT_TARGET=selected)
    r = subprocess.run([sys.executable, "-c", _TARGET_PROBE, target], capture_output=True,
                       timeout=300, env=env, cwd=str(Path(__file__).parent))
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


def test_target_ufuncs_compute_what_that_target_selected_computes():
    """verify --targets runs every target's kernels in one process: each target's
    ufuncs there give the bits of a process that selected that target"""
    supported = _ufuncs.SUPPORTED_TARGETS
    if len(supported) < 2:
        pytest.skip("one target on this CPU")
    best = _ufuncs.BEST_TARGET
    for t in supported:
        assert _probe(t, best) == _probe(t, t), t
    # and the targets differ somewhere (baseline has no FMA), so the check can fail
    assert _probe("baseline", best) != _probe(best, best)


def test_exhaustive_sweep_of_several_targets_matches_each_alone():
    lo = int(np.array([-3.0], np.float32).view(np.uint32)[0])
    n = 1 << 18
    for name in ("gelu", "selu_backward", "swiglu_backward", "relu6"):
        bound = float(_reference.ULP_BOUNDS[name]["float32"])
        together = _ufuncs.verify_f32_range(name, lo, lo + n, bound=bound, exact=bound == 0,
                                            targets=list(_ufuncs.SUPPORTED_TARGETS))
        for t, res in zip(_ufuncs.SUPPORTED_TARGETS, together):
            alone = _ufuncs.verify_f32_range(name, lo, lo + n, bound=bound, exact=bound == 0,
                                             targets=[t])[0]
            assert res == alone, (name, t)
            assert res[2] == 0, (name, t, res)
        if len(together) == 1:
            continue
        # the selected target's entry is what the single-target call returns
        sel = _ufuncs.SUPPORTED_TARGETS.index(_ufuncs.TARGET)
        assert together[sel] == _ufuncs.verify_f32_range(name, lo, lo + n, bound=bound,
                                                         exact=bound == 0)
    with pytest.raises(ValueError, match="unknown target"):
        _ufuncs.verify_f32_range("gelu", 0, 16, targets=["sse9"])


def test_a_cells_figure_does_not_depend_on_the_other_ops():
    """each (op, dtype) draws from its own generator: listing another op first
    leaves a row's figure as it is"""
    lines = {}
    for ops in (["silu_backward"], ["gelu_backward", "silu_backward"]):
        buf = []
        assert _verify.run(ops=ops, dtypes=("float32", "float64"), samples=20000, out=buf.append)
        lines[len(ops)] = [ln for ln in buf if ln.startswith("silu_backward")]
    assert lines[1] == lines[2] and lines[1]


def test_verify_several_targets_command_line():
    env = {k: v for k, v in os.environ.items() if k != "RELUKIT_TARGET"}
    r = subprocess.run([sys.executable, "-m", "relukit", "verify", "--op", "elu", "silu_backward",
                        "--dtype", "float16", "float32", "--samples", "10000", "--targets", "all"],
                       capture_output=True, text=True, timeout=300, env=env,
                       cwd=str(Path(__file__).parent))
    assert r.returncode == 0, r.stdout + r.stderr
    header = [ln for ln in r.stdout.splitlines() if ln.startswith("op ")][0]
    for t in _ufuncs.SUPPORTED_TARGETS:
        assert f"float32 {t}" in header or len(_ufuncs.SUPPORTED_TARGETS) == 1
    row = [ln for ln in r.stdout.splitlines() if ln.startswith("silu_backward")][0]
    assert row.count("PASS") == 2 * len(_ufuncs.SUPPORTED_TARGETS)
