"""Processes: ``multiprocessing`` with the fork, forkserver and spawn start
methods works after the parent has used relukit on large arrays (4M-element
calls, large enough for any thread pool inside the loops to engage), and the
children compute the parent's bits.  Every wait has a timeout, so a hang (a
thread pool that does not survive fork, say) fails the test instead of
stalling the run."""
import hashlib
import multiprocessing as mp

import numpy as np
import pytest

import relukit
from relukit._reference import ULP_BOUNDS, reference, ulp_error

N = 1 << 22  # 4M elements
TIMEOUT = 120  # seconds for a pool's whole map, start-up included


def _inputs(seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(N) * 5).astype(np.float32)
    g = rng.standard_normal(N).astype(np.float32)
    return x, g


def _digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _work(seed):
    """What each child (and the parent) computes: large forward and backward
    calls, allocating and with out=; the digest of the bits and the max error
    of a sample against the reference."""
    x, g = _inputs(seed)
    y = relukit.mish(x)
    gx = relukit.mish_backward(g, x)
    out = np.empty_like(x)
    relukit.gelu(x, "tanh", out=out)
    lk = relukit.leaky_relu(x, 0.2)
    idx = np.arange(0, N, 4099)
    err = ulp_error(y[idx], reference("mish", x[idx], dtype=np.float32), np.float32).max()
    return _digest(y, gx, out, lk), float(err)


def _child_pid_and_work(seed):
    import os

    return os.getpid(), _work(seed)


@pytest.fixture(scope="module")
def parent_results():
    """The parent uses relukit on large arrays before any child starts."""
    return {seed: _work(seed) for seed in (1, 2, 3, 4)}


def _methods():
    return [m for m in ("fork", "forkserver", "spawn") if m in mp.get_all_start_methods()]


@pytest.mark.parametrize("method", _methods())
def test_pool_after_parent_used_relukit(method, parent_results):
    ctx = mp.get_context(method)
    pool = ctx.Pool(2)
    try:
        res = pool.map_async(_child_pid_and_work, sorted(parent_results)).get(timeout=TIMEOUT)
    except mp.TimeoutError:
        pool.terminate()
        pool.join()
        pytest.fail(f"{method}: the children did not finish within {TIMEOUT} s (a hang)")
    else:
        pool.close()
        pool.join()
    import os

    for seed, (pid, (digest, err)) in zip(sorted(parent_results), res):
        assert pid != os.getpid()
        assert digest == parent_results[seed][0], f"{method}: child bits differ from the parent's (seed {seed})"
        assert err <= ULP_BOUNDS["mish"]["float32"]


def _process_target(seed, queue):
    queue.put(_work(seed))


@pytest.mark.parametrize("method", _methods())
def test_process_join_with_timeout(method, parent_results):
    """A bare Process (no pool machinery): joined with a timeout, terminated on
    a hang."""
    ctx = mp.get_context(method)
    queue = ctx.Queue()
    p = ctx.Process(target=_process_target, args=(3, queue))
    p.start()
    try:
        result = queue.get(timeout=TIMEOUT)
    except Exception:  # queue.Empty: nothing came back in time
        result = None
    p.join(timeout=30)
    if p.is_alive():
        p.terminate()
        p.join()
        pytest.fail(f"{method}: the child process hung")
    assert result is not None, f"{method}: no result within {TIMEOUT} s (exit code {p.exitcode})"
    assert p.exitcode == 0
    assert result == parent_results[3]


def test_fork_child_of_a_child(parent_results):
    """fork twice: a child that uses relukit on large arrays and then forks a
    grandchild, which computes the same bits."""
    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    p = ctx.Process(target=_nested_fork, args=(4, queue))
    p.start()
    try:
        res = queue.get(timeout=2 * TIMEOUT)
    except Exception:
        res = None
    p.join(timeout=30)
    if p.is_alive():
        p.terminate()
        p.join()
        pytest.fail("the child hung")
    assert res is not None and not isinstance(res, str), f"no result from the child: {res}"
    assert res[0] == res[1] == parent_results[4]


def _nested_fork(seed, queue):
    try:
        mine = _work(seed)
        inner = mp.get_context("fork").Queue()
        p = mp.get_context("fork").Process(target=_process_target, args=(seed, inner))
        p.start()
        child = inner.get(timeout=TIMEOUT)
        p.join(timeout=30)
        if p.is_alive():
            p.terminate()
            queue.put("the grandchild hung")
            return
        queue.put((mine, child))
    except Exception as exc:  # report instead of dying silently
        queue.put(f"{type(exc).__name__}: {exc}")
