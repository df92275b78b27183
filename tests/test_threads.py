"""Threads and streaming stores: the results never depend on how a call is cut
up or how its output is written; the thread limit is controllable from Python,
the environment and threadpoolctl; a forked child keeps working.

The per-op thresholds make small arrays single-threaded, so these tests lower
them (``_ufuncs._set_tuning``) to push arrays of a few thousand elements
through the pool and the streaming path, and compare bits with the plain run."""
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import relukit
from conftest import random_values
from relukit import _ufuncs
from relukit._reference import SAMPLE_PARAMS

UFUNCS = sorted(_ufuncs.UFUNCS)
FLOATS = [np.float16, np.float32, np.float64]


@pytest.fixture
def tuning():
    old_threads = relukit.get_num_threads()
    old = _ufuncs._get_tuning()
    yield _ufuncs._set_tuning
    _ufuncs._set_tuning(*old)
    relukit.set_num_threads(old_threads)


def operands(name, dtype, n, rng):
    """The ufunc and its arguments: random values over many binades with the
    special values mixed in, a gradient where the op takes one, its parameters."""
    uf = _ufuncs.UFUNCS[name]
    params = [np.asarray(p, dtype=dtype) for p in SAMPLE_PARAMS.get(name, ())]
    arrays = [random_values(dtype, n, rng) for _ in range(uf.nin - len(params))]
    return uf, arrays + params


def bits(a):
    return a.view(np.uint16 if a.itemsize == 2 else np.uint32 if a.itemsize == 4 else np.uint64)


def test_set_and_get_num_threads(tuning):
    old = relukit.set_num_threads(3)
    assert relukit.get_num_threads() == 3
    assert relukit.set_num_threads(old) == 3
    assert relukit.get_num_threads() == old
    assert relukit.show_config("dicts")["Runtime"]["threads"] == old


@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-2, ValueError), (1.5, TypeError), ("2", TypeError)])
def test_set_num_threads_rejects(bad, exc, tuning):
    before = relukit.get_num_threads()
    with pytest.raises(exc, match="set_num_threads"):
        relukit.set_num_threads(bad)
    assert relukit.get_num_threads() == before


@pytest.mark.parametrize("nthreads", [2, 3, 7])
@pytest.mark.parametrize("dtype", FLOATS)
def test_threaded_calls_give_the_serial_bits(dtype, nthreads, tuning):
    """Every ufunc, every float dtype, a length that splits unevenly: cut into
    chunks of >= 64 elements across nthreads threads vs one thread."""
    rng = np.random.default_rng(5)
    for name in UFUNCS:
        uf, args = operands(name, dtype, 64 * 37 + 13, rng)
        relukit.set_num_threads(1)
        want = uf(*args)
        relukit.set_num_threads(nthreads)
        tuning(grain=64)
        got = uf(*args)
        tuning(grain=0)
        np.testing.assert_array_equal(bits(got), bits(want), err_msg=f"{name} {dtype.__name__}")


def test_threaded_strided_inplace_and_array_parameters(tuning):
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(20000) * 3).astype(np.float32)
    alpha = rng.uniform(0.1, 2, x.size).astype(np.float32)
    relukit.set_num_threads(1)
    want_strided = relukit.mish(x[::-3])
    want_arr = relukit.elu(x, alpha=alpha)
    want_inplace = relukit.gelu(x)
    relukit.set_num_threads(4)
    tuning(grain=64)
    np.testing.assert_array_equal(bits(relukit.mish(x[::-3])), bits(want_strided))
    np.testing.assert_array_equal(bits(relukit.elu(x, alpha=alpha)), bits(want_arr))
    y = x.copy()
    relukit.gelu(y, out=y)
    np.testing.assert_array_equal(bits(y), bits(want_inplace))
    ints = rng.integers(-100, 100, 50000, dtype=np.int16)
    np.testing.assert_array_equal(relukit.relu(ints), np.maximum(ints, 0))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("offset", [0, 1, 3, 8])
def test_streaming_stores_give_the_same_bits(dtype, offset, tuning):
    """Every ufunc with the streaming threshold at one byte, outputs at several
    misalignments (offset elements into an aligned buffer), one and two threads."""
    rng = np.random.default_rng(7)
    n = 5000
    for name in UFUNCS:
        uf, args = operands(name, dtype, n, rng)
        want = uf(*args)
        for threads in (1, 2):
            relukit.set_num_threads(threads)
            tuning(grain=64 if threads > 1 else 0, stream_bytes=1)
            store = np.full(n + offset, 7, dtype=dtype)
            out = store[offset:]
            uf(*args, out=out)
            tuning(grain=0, stream_bytes=0)
            np.testing.assert_array_equal(bits(out), bits(want), err_msg=f"{name} {dtype.__name__} +{offset}")
            assert (store[:offset] == 7).all()


def test_streaming_is_not_used_in_place(tuning):
    """In place (out is x) is already two memory passes: it stays correct with
    the streaming threshold at its lowest."""
    x = np.linspace(-5, 5, 10001, dtype=np.float32)
    want = relukit.silu(x)
    tuning(stream_bytes=1)
    relukit.silu(x, out=x)
    np.testing.assert_array_equal(bits(x), bits(want))


def run_python(code, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=e)


@pytest.mark.parametrize("value, want", [("3", 3), ("1", 1), (" 2 ", 2), ("0", None), ("x", None),
                                         ("-3", None), ("abc", None), ("", None)])
def test_relukit_num_threads_environment(value, want):
    r = run_python("""
        import warnings
        warnings.simplefilter("always")
        import relukit
        from relukit import _ufuncs
        print(relukit.get_num_threads(), _ufuncs.available_cpus())
        print(relukit.show_config("dicts")["Runtime"]["threads_env"])
        """, env={"RELUKIT_NUM_THREADS": value})
    assert r.returncode == 0, r.stderr
    counts, shown = r.stdout.splitlines()
    got, cpus = map(int, counts.split())
    assert got == (want if want is not None else cpus)
    warned = [line for line in r.stderr.splitlines() if "RuntimeWarning" in line]
    if want is None and value.strip():
        # a bad value: one warning naming the variable, the value and the count used
        assert len(warned) == 1, r.stderr
        assert f"RELUKIT_NUM_THREADS={value!r} is not a positive integer" in warned[0]
        assert f"using {cpus} threads" in warned[0]
        assert shown == f"{value!r} (ignored: not a positive integer)"
    else:
        assert not warned, r.stderr
        assert shown == (value.strip() or "None")


def _thread_cpu_ticks():
    """CPU time (clock ticks) of each thread of this process, by thread id."""
    ticks = {}
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        ticks[int(task)] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux's /proc")
@pytest.mark.skipif(_ufuncs.available_cpus() < 2, reason="this process may run on one CPU only")
def test_large_calls_run_on_several_threads(tuning):
    """Not only the same bits: large calls do run on pool threads.  The threads of
    this process other than the caller that gained CPU time during large calls are
    counted; with the limit at 1 none does (so the count measures the pool)."""
    caller = threading.get_native_id()
    x = np.random.default_rng(3).standard_normal(1 << 22).astype(np.float32)
    y = np.empty_like(x)

    def workers_that_ran(nthreads):
        relukit.set_num_threads(nthreads)
        relukit.mish(x, out=y)  # the pool starts its threads
        before = _thread_cpu_ticks()
        deadline = time.monotonic() + 20
        while True:
            for _ in range(5):
                relukit.mish(x, out=y)
            after = _thread_cpu_ticks()
            ran = {t for t, v in after.items() if t != caller and v > before.get(t, 0)}
            if ran or nthreads == 1 or time.monotonic() > deadline:
                return ran

    assert workers_that_ran(1) == set()
    ran = workers_that_ran(2)
    assert len(ran) >= 1, "no thread but the caller computed: large calls ran single-threaded"


@pytest.mark.parametrize("order", ["threadpoolctl first", "relukit first"])
def test_threadpoolctl_limits_take_effect(order):
    pytest.importorskip("threadpoolctl")
    imports = ("import threadpoolctl\nimport relukit" if order == "threadpoolctl first"
               else "import relukit\nimport threadpoolctl")
    r = run_python(imports + """
import numpy as np
relukit.set_num_threads(2)
info = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "relukit"]
assert len(info) == 1 and info[0]["num_threads"] == 2, info
with threadpoolctl.threadpool_limits(limits=1):
    assert relukit.get_num_threads() == 1
    y = relukit.mish(np.ones(1 << 16, np.float32))
assert relukit.get_num_threads() == 2
with threadpoolctl.threadpool_limits(limits=1, user_api="relukit"):
    assert relukit.get_num_threads() == 1
assert relukit.get_num_threads() == 2
print("ok")
""")
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_child_process_after_parent_used_the_pool(method, tmp_path):
    """The parent runs threaded calls first; a child started with `method` then
    runs threaded calls too and must finish (GNU OpenMP hangs here with fork).
    Run in a subprocess with a timeout, so a hang fails this test, not CI."""
    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"{method} is not available on this platform")
    script = tmp_path / "child_after_parent.py"   # spawn/forkserver import __main__ from a file
    script.write_text(textwrap.dedent(f"""
        import multiprocessing as mp
        import numpy as np
        import relukit
        from relukit import _ufuncs

        def work(seed):
            _ufuncs._set_tuning(grain=64)
            relukit.set_num_threads(2)
            x = np.random.default_rng(seed).standard_normal(1 << 18).astype(np.float32)
            return float(relukit.mish(x).sum()), float(relukit.relu(x).sum())

        if __name__ == "__main__":
            _ufuncs._set_tuning(grain=64)
            relukit.set_num_threads(2)
            want = [work(s) for s in range(3)]
            ctx = mp.get_context("{method}")
            with ctx.Pool(2) as pool:
                got = pool.map(work, range(3))
            assert got == want, (got, want)
            print("ok")
        """))
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def test_concurrent_callers_share_the_pool(tuning):
    """Several Python threads calling threaded ufuncs at once: one gets the pool,
    the others run on their own thread; every result is right."""
    from concurrent.futures import ThreadPoolExecutor

    relukit.set_num_threads(2)
    tuning(grain=64)
    rng = np.random.default_rng(8)
    xs = [rng.standard_normal(30000).astype(np.float32) for _ in range(8)]
    relukit.set_num_threads(1)
    want = [relukit.gelu(x) for x in xs]
    relukit.set_num_threads(2)
    with ThreadPoolExecutor(8) as ex:
        for _ in range(5):
            got = list(ex.map(relukit.gelu, xs))
            for g, w in zip(got, want):
                np.testing.assert_array_equal(bits(g), bits(w))
