"""The command line: `python -m relukit bench` and `verify` options, help,
the spread of the timings, and progress output."""
import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from relukit import _bench, _verify

HERE = Path(__file__).resolve().parent
HAS_ML_DTYPES = importlib.util.find_spec("ml_dtypes") is not None


def cli(*args, pre="", timeout=300):
    env = {k: v for k, v in os.environ.items() if k != "RELUKIT_TARGET"}
    code = f"import sys\n{pre}\nfrom relukit.__main__ import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=str(HERE))


def test_bench_plot_without_matplotlib_fails_before_timing():
    r = cli("bench", "--ops", "relu", "--sizes", "1000", "--plot", "chart.png",
            pre="sys.modules['matplotlib'] = None")
    assert r.returncode != 0
    assert "--plot needs matplotlib (pip install matplotlib)" in r.stderr
    assert "relukit bench:" not in r.stdout  # nothing was timed


@pytest.mark.parametrize("flag", ["--op", "--ops"])
def test_both_op_spellings(flag):
    r = cli("bench", flag, "relu", "swish", "rrelu", "--sizes", "500", "--repeats", "1", "--no-numpy")
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0] for line in r.stdout.splitlines()[5:] if line.strip()}
    assert {"relu", "swish", "rrelu"} <= rows
    r = cli("verify", flag, "relu", "--dtype", "float16")
    assert r.returncode == 0, r.stderr
    assert "relu" in r.stdout and "PASS" in r.stdout


def test_bench_allocate_times_every_op_allocating(monkeypatch):
    # with allocate=True every op's relukit call runs with out=None and returns a new
    # array each call; the table's first line says which mode ran
    import numpy as np
    firsts = []

    def one_call_each(fns, **kw):
        firsts.append((fns[0](), fns[0]()))
        return [[1e-6] for _ in fns]

    monkeypatch.setattr(_bench, "sample_times", one_call_each)
    lines = []
    _bench.run(sizes=(64,), repeats=1, out=lines.append, numpy=False, allocate=True)
    assert "relukit allocating" in lines[0]
    assert len(firsts) == len(lines) - 5
    for a, b in firsts:
        a, b = (a[0], b[0]) if isinstance(a, tuple) else (a, b)
        assert isinstance(a, np.ndarray) and a.size == 64 and a is not b


@pytest.mark.skipif(not HAS_ML_DTYPES, reason="bfloat16 needs ml_dtypes")
def test_bfloat16_dtype_in_both_commands():
    r = cli("bench", "--ops", "elu", "leaky_relu", "--sizes", "500", "--repeats", "1",
            "--dtype", "bfloat16")
    assert r.returncode == 0, r.stderr
    assert "relukit bench: bfloat16" in r.stdout
    r = cli("verify", "--ops", "elu", "leaky_relu_backward", "--dtype", "bfloat16")
    assert r.returncode == 0, r.stderr
    assert "bfloat16: all 65536 inputs" in r.stdout and r.stdout.count("PASS") == 2


@pytest.mark.skipif(not HAS_ML_DTYPES, reason="bfloat16 needs ml_dtypes")
def test_bfloat16_verify_covers_the_gated_family():
    r = cli("verify", "--ops", "swiglu", "glu_backward", "--dtype", "bfloat16")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("PASS") == 2 and "swiglu" in r.stdout and "glu_backward" in r.stdout


@pytest.mark.skipif(not HAS_ML_DTYPES, reason="bfloat16 needs ml_dtypes")
def test_bfloat16_check_sees_a_wrong_gated_loop(monkeypatch):
    import ml_dtypes
    from relukit import _bf16check, _ufuncs
    bf16 = np.dtype(ml_dtypes.bfloat16)
    assert _bf16check.check("geglu_backward", bf16) == (0, None)
    # a bfloat16 loop that differs from the float32 one in one gradient
    real = _ufuncs.GATED_UFUNCS["geglu_backward"]

    def wrong(g, a, b):
        ga, gb = real(g, a, b)
        if ga.dtype == bf16:
            gb = gb.copy()
            gb[100] = -gb[100] if gb[100] != 0 else 1
        return ga, gb
    monkeypatch.setitem(_ufuncs.GATED_UFUNCS, "geglu_backward", wrong)
    nbad, worst = _bf16check.check("geglu_backward", bf16)
    assert nbad >= 1 and len(worst) == 3


def test_bfloat16_dtype_refused_without_ml_dtypes():
    r = cli("bench", "--dtype", "bfloat16", pre="sys.modules['ml_dtypes'] = None\n"
            "import importlib.util\n_f = importlib.util.find_spec\n"
            "importlib.util.find_spec = lambda n, *a: None if n == 'ml_dtypes' else _f(n, *a)")
    assert r.returncode == 2 and "invalid choice: 'bfloat16'" in r.stderr


def test_help_shows_the_defaults():
    bench = cli("bench", "-h").stdout
    verify = cli("verify", "-h").stdout
    flat = " ".join(bench.split())
    assert "dtype of the arrays" in flat and "(default: float32)" in flat
    assert "(default: 7)" in flat and "(default: 4096 1048576)" in flat
    flat = " ".join(verify.split())
    assert "(default: float16 float32 float64)" in flat and "(default: 1000000)" in flat
    assert "(default: None)" not in bench + verify


def test_bench_shows_the_spread_and_flags_noisy_rows(monkeypatch):
    def fake(fns, repeats, inner, warm):
        return [[1e-6, 3e-6, 2e-6]] + [[1e-6, 1.1e-6, 1.2e-6]] * (len(fns) - 1)

    monkeypatch.setattr(_bench, "sample_times", fake)
    lines = []
    rows = _bench.run(ops=["relu"], sizes=[100], repeats=3, out=lines.append)
    assert rows[0][6] == pytest.approx(3.0)
    row = next(line for line in lines if line.startswith("relu "))
    assert row.endswith("3.0x !")
    assert any("1 row(s) marked '!'" in line for line in lines)

    def calm(fns, repeats, inner, warm):
        return [[1e-6, 1.5e-6]] * len(fns)

    monkeypatch.setattr(_bench, "sample_times", calm)
    lines = []
    _bench.run(ops=["relu"], sizes=[100], repeats=2, out=lines.append)
    row = next(line for line in lines if line.startswith("relu "))
    assert row.endswith("1.5x") and not any("marked '!'" in line for line in lines)


class _Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("stream", [io.StringIO, _Tty])
def test_exhaustive_progress_whole_lines_unless_a_terminal(stream, monkeypatch):
    def fake(name, threads, progress):
        for i in range(1, 101):
            progress(i / 100)
        return 0.0, 1.0, 0

    monkeypatch.setattr(_verify, "check_f32_exhaustive", fake)
    err = stream()
    assert _verify.run(ops=["relu"], dtypes=("float32",), exhaustive=True, out=lambda s: None, err=err)
    text = err.getvalue()
    if stream is _Tty:
        assert "\r" in text
    else:
        assert "\r" not in text
        lines = text.splitlines()
        assert 5 <= len(lines) <= 11 and all(line.startswith("  relu float32:") for line in lines)
        assert "100.0%" in lines[-1]
