"""The ufunc protocol: out=, where=, dtype=, casting=, broadcasting, pickling,
__array_ufunc__ overrides and dask.array."""
import pickle
import subprocess
import sys

import numpy as np
import pytest
from conftest import assert_same

import relukit


def test_out_and_returned_object():
    x = np.array([-1.0, 2.0], np.float32)
    out = np.empty_like(x)
    assert relukit.relu(x, out=out) is out
    assert relukit.relu(x, out=(out,)) is out
    assert_same(out, np.array([0.0, 2.0], np.float32))


def test_out_wrong_shape_leaves_out_untouched():
    x = np.array([-1.0, 2.0, 3.0], np.float32)
    out = np.full(2, 9.0, np.float32)
    with pytest.raises(ValueError):
        relukit.relu(x, out=out)
    assert (out == 9.0).all()


def test_out_readonly_rejected():
    x = np.array([-1.0, 2.0], np.float32)
    out = np.zeros(2, np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        relukit.relu(x, out=out)


def test_where_keeps_out_elsewhere():
    x = np.array([-1.0, -2.0, 3.0, -4.0], np.float64)
    out = np.full(4, 7.0)
    relukit.relu(x, out=out, where=np.array([True, False, True, False]))
    assert_same(out, np.array([0.0, 7.0, 3.0, 7.0]))
    g = np.ones(4)
    out2 = np.full(4, 5.0)
    relukit.relu_backward(g, x, out=out2, where=x < 0)
    assert_same(out2, np.array([0.0, 0.0, 5.0, 0.0]))


def test_dtype_keyword_and_casting():
    x = np.array([-1.5, 2.25], np.float64)
    y = relukit.relu(x, dtype=np.float32)
    assert y.dtype == np.float32
    assert_same(y, np.array([0.0, 2.25], np.float32))
    # float64 into a float32 out needs casting='same_kind' (the default) ...
    out = np.empty(2, np.float32)
    relukit.relu(x, out=out)
    assert_same(out, y)
    # ... and is refused under casting='safe'
    with pytest.raises(TypeError):
        relukit.relu(x, out=out, casting="safe")
    # float16 in gives float16 out; float16 computed through float32 on request
    h = np.array([-1, 0.5], np.float16)
    assert relukit.relu(h).dtype == np.float16
    assert relukit.relu(h, dtype=np.float32).dtype == np.float32


def test_python_scalars_and_lists():
    assert relukit.relu(-3.0) == 0.0
    assert relukit.relu(2.5) == 2.5
    assert_same(relukit.relu([-1.0, 1.0]), np.array([0.0, 1.0]))
    assert relukit.relu(-3) == 0 and relukit.relu(-3).dtype.kind == "i"


def test_broadcasting_backward():
    g = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = np.array([-1, 0, 1, 2], np.float32)
    got = relukit.relu_backward(g, x)
    assert got.shape == (3, 4)
    assert_same(got, np.where(x > 0, g, 0).astype(np.float32))
    got = relukit.relu_backward(np.float32(2), x[:, None] * np.ones((1, 5), np.float32))
    assert got.shape == (4, 5)


def test_multidimensional_and_fortran_order(rng):
    x = rng.standard_normal((7, 5, 3)).astype(np.float32)
    for view in (x, x.T, x[:, ::2, ::-1], np.asfortranarray(x)):
        assert_same(relukit.relu(view), np.where(view < 0, 0, view).astype(np.float32))


def test_empty_and_zero_d():
    assert relukit.relu(np.empty((0, 3), np.float32)).shape == (0, 3)
    y = relukit.relu(np.array(-1.0, np.float32))
    assert y.shape == () and y == 0


def test_pickle_roundtrip_and_in_subprocess():
    for uf in (relukit.relu, relukit.relu_backward):
        assert pickle.loads(pickle.dumps(uf)) is uf
    # a fresh process can unpickle it (as dask.distributed workers do)
    blob = pickle.dumps(relukit.relu_backward)
    code = ("import pickle, sys, numpy as np; f = pickle.loads(sys.stdin.buffer.read()); "
            "print(f(np.ones(2), np.array([-1.0, 1.0])).tolist())")
    out = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True,
                         check=True, timeout=120)
    assert out.stdout.decode().strip() == "[0.0, 1.0]"


class Tagged:
    """A minimal duck array that overrides ufuncs via __array_ufunc__."""

    def __init__(self, a):
        self.a = np.asarray(a)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        raw = [i.a if isinstance(i, Tagged) else i for i in inputs]
        return Tagged(getattr(ufunc, method)(*raw, **kwargs))


def test_array_ufunc_override():
    t = relukit.relu(Tagged([-1.0, 3.0]))
    assert isinstance(t, Tagged)
    assert_same(t.a, np.array([0.0, 3.0]))
    t = relukit.relu_backward(np.ones(2), Tagged([-1.0, 3.0]))
    assert isinstance(t, Tagged)
    assert_same(t.a, np.array([0.0, 1.0]))


def test_dask_array_stays_lazy():
    da = pytest.importorskip("dask.array")
    x = da.from_array(np.linspace(-4, 4, 1000, dtype=np.float32), chunks=128)
    y = relukit.relu(x)
    assert isinstance(y, da.Array), "a dask array in gives a dask array out"
    assert y.dtype == np.float32 and y.chunks == x.chunks
    gx = relukit.relu_backward(da.ones_like(x), x)
    assert isinstance(gx, da.Array)
    xn = x.compute()
    assert_same(y.compute(), np.where(xn < 0, 0, xn).astype(np.float32))
    assert_same(gx.compute(), np.where(xn > 0, 1, 0).astype(np.float32))


def test_out_calls_allocate_nothing_the_size_of_x():
    """One fused pass per op: with out= given, no temporary the size of the input
    (NumPy reports its allocations to tracemalloc)."""
    import tracemalloc

    from relukit import _peers

    n = 1 << 18
    x = (np.random.default_rng(0).standard_normal(n) * 3).astype(np.float32)
    g = np.ones_like(x)
    out = np.empty_like(x)
    calls = {name: (lambda rk=rk, ug=ug: rk(x, g, out) if ug else rk(x, out))
             for name, (ug, rk, _, _) in _peers.PEERS.items()}
    calls["prelu"] = lambda: relukit.prelu(x.reshape(4, 4, -1), np.full(4, 0.1, np.float32),
                                           out=out.reshape(4, 4, -1))
    calls["rrelu_eval"] = lambda: relukit.rrelu(x, out=out)
    for name, call in calls.items():
        call()  # warm up (cached parameters, lazy imports)
        tracemalloc.start()
        call()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < x.nbytes // 16, f"{name}: {peak} bytes allocated with out= (x is {x.nbytes})"
