"""The asv suite covers every ufunc (out=, in place, allocating, peakmem, the
NumPy peer in the same class) and PyTorch as a second peer where torch has the
op; and `python -m relukit bench` runs and charts."""
import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from relukit import _peers, _ufuncs

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
pytestmark = pytest.mark.skipif(not (BENCH / "benchmarks" / "common.py").exists(),
                                reason="needs the source tree (benchmarks/) next to tests/")


@pytest.fixture(scope="module")
def suite():
    sys.path.insert(0, str(BENCH))
    try:
        mods = [importlib.import_module(f"benchmarks.{m}")
                for m in ("bench_piecewise", "bench_exponential", "bench_gelu")]
        common = importlib.import_module("benchmarks.common")
        yield mods, common
    finally:
        sys.path.remove(str(BENCH))


def test_every_ufunc_has_benchmarks_with_its_peers(suite):
    mods, common = suite
    classes = {name: cls for m in mods for name, cls in vars(m).items() if isinstance(cls, type)}
    torch_peers = importlib.import_module("benchmarks.torch_peers").TORCH
    for op in _ufuncs.UFUNCS:
        cls = classes.get(common.class_name(op))
        assert cls is not None, f"no asv benchmark for {op}"
        for method in ("time_out", "time_inplace", "time_alloc", "peakmem_alloc",
                       "time_numpy_out", "time_numpy_alloc"):
            assert hasattr(cls, method), (op, method)
        assert set(cls.params[1]) == {4096, 1 << 20, 1 << 24}
        if op in ("hardsigmoid_backward_from_output", "softplus_backward_from_output"):
            continue  # torch has no backward from the output for these two
        assert op in torch_peers, f"no PyTorch peer for {op}"
        assert common.class_name(op) + "Torch" in classes


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_one_benchmark_of_each_family_runs(suite, dtype):
    mods, common = suite
    for m, name in zip(mods, ("Relu6Backward", "MishBackward", "GeluTanh")):
        b = getattr(m, name)()
        b.setup(dtype, 4096)
        for meth in ("time_out", "time_inplace", "time_alloc", "time_numpy_out", "time_numpy_alloc"):
            getattr(b, meth)(dtype, 4096)
        # the relukit result and its NumPy peer agree
        want = b.peer(*b.inputs).astype(np.float64)
        got = b.ufunc(*b.inputs).astype(np.float64)
        np.testing.assert_allclose(got, want, rtol=2e-2 if dtype == "float16" else 1e-4, atol=1e-3)


def test_torch_peer_classes_skip_or_run(suite):
    mods, common = suite
    b = mods[1].MishTorch()
    try:
        import torch  # noqa: F401
    except ImportError:
        with pytest.raises(NotImplementedError):
            b.setup("float32", 4096)
        return
    b.setup("float32", 4096)
    b.time_torch_alloc("float32", 4096)


def test_bench_table_and_chart(tmp_path):
    lines = []
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        # refused before anything is timed
        with pytest.raises(ValueError, match=r"--plot needs matplotlib \(pip install matplotlib\)"):
            _bench_run(lines, tmp_path / "chart.png")
        assert lines == []
        rows = _bench_run(lines, None)
    else:
        rows = _bench_run(lines, tmp_path / "chart.png")
        assert (tmp_path / "chart.png").stat().st_size > 1000
    assert {r[0] for r in rows} == {"relu", "mish_backward", "gelu_tanh"}
    assert all(r[2] > 0 and r[3] > 0 and r[5] > 0 and r[6] >= 1 for r in rows)
    assert any("np/rk" in line for line in lines)


def _bench_run(lines, plot):
    from relukit import _bench
    return _bench.run(ops=["relu", "mish_backward", "gelu_tanh"], sizes=[1000, 5000], repeats=2,
                      plot=plot and str(plot), out=lines.append)


def test_bench_rejects_unknown_ops():
    from relukit import _bench
    with pytest.raises(ValueError, match="no benchmark for nope"):
        _bench.run(ops=["nope"], out=lambda s: None)


def test_peers_cover_every_op_group():
    grouped = {op for _, ops in _peers.GROUPS for op in ops}
    assert grouped == set(_peers.PEERS)


def test_median_times_warm_up_for_a_duration():
    """warm=seconds keeps calling each callable untimed for that long before its
    timed block (another library's spinning threads must have gone quiet);
    warm=True is one untimed call; the result is one median per callable."""
    import time

    from relukit._selfcheck import median_times

    calls = {"a": 0, "b": 0}

    def make(k):
        def f():
            calls[k] += 1
            time.sleep(0.001)
        return f

    t0 = time.perf_counter()
    ts = median_times([make("a"), make("b")], repeats=3, warm=0.02)
    assert len(ts) == 2 and all(t >= 0.001 for t in ts)
    # 3 blocks of each callable, each behind at least 20 ms of untimed calls
    assert time.perf_counter() - t0 >= 6 * 0.02
    assert calls["a"] >= 3 * 2 and calls["b"] >= 3 * 2
    calls.update(a=0, b=0)
    median_times([make("a"), make("b")], repeats=3, warm=True)
    assert calls == {"a": 6, "b": 6}


def test_gated_benchmarks_run_and_agree(suite, rng=np.random.default_rng(0)):
    """Every gated op has an asv class; each method runs; relukit's result agrees
    with the NumPy peer, forward and backward."""
    sys.path.insert(0, str(BENCH))
    try:
        m = importlib.import_module("benchmarks.bench_gated")
    finally:
        sys.path.remove(str(BENCH))
    classes = {c.op: c for c in vars(m).values() if isinstance(c, type) and getattr(c, "op", None)}
    assert set(classes) == set(_peers.GATED_PEERS) == {n for n in _ufuncs.GATED_UFUNCS
                                                        if not n.endswith("_backward")}
    for op, cls in classes.items():
        b = cls()
        b.setup("float64", 4096)
        for meth in [n for n in dir(b) if n.startswith("time_")]:
            try:
                getattr(b, meth)("float64", 4096)
            except NotImplementedError:
                assert "torch" in meth
        b.fwd(b.a, b.b, b.y)
        np.testing.assert_allclose(b.y, b.np_fwd(b.a, b.b), rtol=1e-12, atol=1e-15, err_msg=op)
        b.bwd(b.g, b.a, b.b, (b.ga, b.gb))
        wa, wb = b.np_bwd(b.g, b.a, b.b)
        np.testing.assert_allclose(b.ga, wa, rtol=1e-11, atol=1e-14, err_msg=op)
        np.testing.assert_allclose(b.gb, wb, rtol=1e-11, atol=1e-14, err_msg=op)


def test_gated_cli_bench_runs():
    from relukit import _bench

    lines = []
    rows = _bench.run_gated(sizes=(1000,), repeats=1, out=lines.append)
    assert [r[0] for r in rows] == list(_peers.GATED_PEERS)
    assert all(r[2] > 0 and r[3] > 0 and r[6] > 0 for r in rows)
    assert "fused/act" in lines[2]


def test_gated_bench_times_warm_blocks_of_calls(monkeypatch):
    """Each timed block of the gated bench is several calls after WARM_S of untimed
    ones, as the one-operand bench times: a single cold call was timed while the
    peer's OpenMP threads from the block before still spun on the cores."""
    from relukit import _bench

    seen = []

    def fake(fns, repeats=7, inner=1, warm=False):
        seen.append((len(fns), inner, warm))
        return [[1e-6] * repeats for _ in fns]

    monkeypatch.setattr(_bench, "sample_times", fake)
    _bench.run_gated(ops=["swiglu"], sizes=(4096,), repeats=3, out=lambda s: None)
    _bench.run(ops=["silu"], sizes=(4096,), repeats=3, out=lambda s: None, numpy=False)
    assert len(seen) == 2
    (nf, inner_g, warm_g), (_, inner_1, warm_1) = seen
    assert nf >= 3 and inner_g == inner_1 > 1 and warm_g == warm_1 == _bench.WARM_S > 0
