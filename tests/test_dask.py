"""Scaling out: every public op on multi-chunk dask arrays, lazily, forward and
backward, against NumPy; a dask.distributed LocalCluster with two worker
processes running forward and backward through a multi-chunk array (the
ufuncs pickle by reference); xarray DataArrays keep their dims, coordinates
and attributes as they do through NumPy's own ufuncs."""
import os

import numpy as np
import pytest
from conftest import GATED, assert_same, public_ops

import relukit

da = pytest.importorskip("dask.array")

SHAPE = (4, 6, 50)
CHUNKS = (2, 4, 20)  # 2 x 2 x 3 = 12 blocks, uneven at the edges
WEIGHT = np.linspace(0.05, 0.3, SHAPE[1])


def _inputs(dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(SHAPE) * 4).astype(dtype)
    x.flat[::37] = np.inf
    x.flat[5::41] = -np.inf
    x.flat[9::43] = np.nan
    x.flat[11::47] = 0.0
    g = rng.standard_normal(SHAPE).astype(dtype)
    return x, g


def _table(dtype):
    """name -> (is backward, call(x) or call(g, x)) for every public op and its
    variants (parameters as scalars and as broadcasting per-channel arrays)."""
    per_channel = np.linspace(0.01, 0.4, SHAPE[1]).reshape(-1, 1).astype(dtype)
    noise = np.where(_inputs(dtype)[0] < 0, dtype(0.2), dtype(1))
    f, b = False, True
    return {
        "relu": (f, relukit.relu), "relu_backward": (b, relukit.relu_backward),
        "relu6": (f, relukit.relu6), "relu6_backward": (b, relukit.relu6_backward),
        "relu6_backward[y]": (b, lambda g, x: relukit.relu6_backward(g, x, from_output=True)),
        "hardtanh": (f, lambda x: relukit.hardtanh(x, -0.5, 2.0)),
        "hardtanh[array]": (f, lambda x: relukit.hardtanh(x, -per_channel, per_channel)),
        "hardtanh_backward": (b, lambda g, x: relukit.hardtanh_backward(g, x, -0.5, 2.0)),
        "threshold": (f, lambda x: relukit.threshold(x, 0.25, -3.0)),
        "threshold_backward": (b, lambda g, x: relukit.threshold_backward(g, x, 0.25)),
        "leaky_relu": (f, lambda x: relukit.leaky_relu(x, 0.2)),
        "leaky_relu[array]": (f, lambda x: relukit.leaky_relu(x, per_channel)),
        "leaky_relu_backward": (b, lambda g, x: relukit.leaky_relu_backward(g, x, per_channel)),
        "prelu": (f, lambda x: relukit.prelu(x, WEIGHT, axis=1)),
        "prelu_backward": (b, lambda g, x: relukit.prelu_backward(g, x, WEIGHT, axis=1)),
        "rrelu": (f, lambda x: relukit.rrelu(x, 0.1, 0.3)),
        "rrelu[training]": (f, lambda x: relukit.rrelu(x, 0.1, 0.3, training=True, rng=1)),
        "rrelu_backward": (b, lambda g, x: relukit.rrelu_backward(g, x, noise)),
        "hardsigmoid": (f, relukit.hardsigmoid), "hardsigmoid_backward": (b, relukit.hardsigmoid_backward),
        "hardswish": (f, relukit.hardswish), "hardswish_backward": (b, relukit.hardswish_backward),
        "elu": (f, lambda x: relukit.elu(x, 0.5)),
        "elu_backward": (b, lambda g, x: relukit.elu_backward(g, x, 0.5)),
        "elu_backward[y]": (b, lambda g, x: relukit.elu_backward(g, x, 0.5, from_output=True)),
        "celu": (f, lambda x: relukit.celu(x, per_channel + 1)),
        "celu_backward": (b, lambda g, x: relukit.celu_backward(g, x, 2.0)),
        "selu": (f, relukit.selu), "selu_backward": (b, relukit.selu_backward),
        "selu_backward[y]": (b, lambda g, x: relukit.selu_backward(g, x, from_output=True)),
        "silu": (f, relukit.silu), "silu_backward": (b, relukit.silu_backward),
        "swish": (f, relukit.swish), "swish_backward": (b, relukit.swish_backward),
        "mish": (f, relukit.mish), "mish_backward": (b, relukit.mish_backward),
        "softplus": (f, lambda x: relukit.softplus(x, 2.0, 10.0)),
        "softplus_backward": (b, lambda g, x: relukit.softplus_backward(g, x, 2.0, 10.0)),
        "softplus_backward[y]": (b, lambda g, x: relukit.softplus_backward(g, x, from_output=True)),
        "gelu": (f, relukit.gelu), "gelu[tanh]": (f, lambda x: relukit.gelu(x, "tanh")),
        "gelu_backward": (b, relukit.gelu_backward),
        "gelu_backward[tanh]": (b, lambda g, x: relukit.gelu_backward(g, x, "tanh")),
    }


def test_table_covers_the_public_api():
    public = set(public_ops()) - GATED  # (the gated family: test_gated.py)
    assert {n.split("[")[0] for n in _table(np.float32)} == public


class Counting:
    """An array source that counts reads, to show that nothing is computed
    before .compute()."""

    def __init__(self, a):
        self.a, self.shape, self.dtype, self.ndim = a, a.shape, a.dtype, a.ndim
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return self.a[key]


def _lazy(a):
    src = Counting(a)
    return da.from_array(src, chunks=CHUNKS, meta=np.empty((0,) * a.ndim, a.dtype)), src


def _compute_all(res):
    return tuple(r.compute() if hasattr(r, "compute") else r for r in res)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_every_op_lazy_and_blockwise(dtype):
    xn, gn = _inputs(dtype)
    failures = []
    for name, (bwd, call) in _table(dtype).items():
        xd, xs = _lazy(xn)
        gd, gs = _lazy(gn)
        res = call(gd, xd) if bwd else call(xd)
        res = res if isinstance(res, tuple) else (res,)
        for r in res:
            if not isinstance(r, da.Array):
                failures.append(f"{name}: returned {type(r).__name__}, not a dask array")
        if xs.reads or gs.reads:
            failures.append(f"{name}: read its input before compute() ({xs.reads + gs.reads} reads)")
        if res[0].chunks != xd.chunks:
            failures.append(f"{name}: chunks {res[0].chunks} != {xd.chunks}")
        got = _compute_all(res)
        assert xs.reads > 0
        want = call(gn, xn) if bwd else call(xn)
        want = want if isinstance(want, tuple) else (want,)
        if name == "rrelu[training]":
            y, noise = got
            neg = xn <= 0  # as torch: a slope at x == 0 too
            assert ((noise[neg] >= dtype(0.1)) & (noise[neg] <= dtype(0.3))).all()
            assert (noise[~neg] == 1).all()
            assert len(np.unique(noise[neg])) > neg.sum() // 2, "slopes repeat across blocks"
            assert_same(y, relukit.leaky_relu(xn, noise), name)
        elif name == "prelu_backward":
            assert_same(got[0], want[0], name)
            np.testing.assert_allclose(got[1], want[1], rtol=1e-5 if dtype == np.float32 else 1e-12)
            assert got[1].dtype == want[1].dtype and got[1].shape == WEIGHT.shape
        else:
            assert_same(got[0], want[0], f"{name} {np.dtype(dtype).name}")
    assert not failures, failures


def test_rrelu_training_on_dask_is_reproducible_from_the_seed():
    xn, _ = _inputs(np.float32)
    a = relukit.rrelu(da.from_array(xn, chunks=CHUNKS), training=True, rng=5)[1].compute()
    b = relukit.rrelu(da.from_array(xn, chunks=CHUNKS), training=True, rng=5)[1].compute()
    c = relukit.rrelu(da.from_array(xn, chunks=CHUNKS), training=True, rng=6)[1].compute()
    assert_same(a, b, "same seed")
    assert not np.array_equal(a, c)


# ---------------------------------------------------------------- distributed
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       memory_limit="1GiB", dashboard_address=None,
                                       silence_logs=40)
    c = distributed.Client(cluster, timeout="60s")
    try:
        c.wait_for_workers(2, timeout=120)
        yield c
    finally:
        c.close(timeout=30)
        cluster.close(timeout=30)


def test_local_cluster_forward_and_backward(client):
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids, "two worker processes, not this one"
    rng = np.random.default_rng(11)
    xn = (rng.standard_normal((64, 6, 300)) * 3).astype(np.float32)
    gn = rng.standard_normal(xn.shape).astype(np.float32)
    x = da.from_array(xn, chunks=(16, 3, 100))  # 24 blocks
    g = da.from_array(gn, chunks=(16, 3, 100))
    y = relukit.mish(x)
    h = relukit.prelu(y, WEIGHT.astype(np.float32), axis=1)
    gh, gw = relukit.prelu_backward(g, y, WEIGHT.astype(np.float32), axis=1)
    gx = relukit.mish_backward(gh, x)
    gl = relukit.gelu_backward(g, x, "tanh")
    futures = client.compute([h, gx, gw, gl])
    h_got, gx_got, gw_got, gl_got = [f.result(timeout=120) for f in futures]
    # which processes ran the blocks
    ran_on = set(client.compute(x.map_blocks(lambda b: np.full(b.shape, os.getpid()), dtype=np.int64))
                 .result(timeout=120).ravel().tolist())
    assert ran_on <= pids and len(ran_on) == 2, f"blocks ran on {ran_on}, workers are {pids}"

    yn = relukit.mish(xn)
    assert_same(h_got, relukit.prelu(yn, WEIGHT.astype(np.float32), axis=1), "forward")
    ghn, gwn = relukit.prelu_backward(gn, yn, WEIGHT.astype(np.float32), axis=1)
    assert_same(gx_got, relukit.mish_backward(ghn, xn), "backward")
    np.testing.assert_allclose(gw_got, gwn, rtol=1e-4)
    assert_same(gl_got, relukit.gelu_backward(gn, xn, "tanh"), "gelu backward")


def test_ufuncs_submitted_directly_pickle_by_reference(client):
    x = np.linspace(-3, 3, 1001)
    for uf in (relukit.relu, relukit.mish, relukit.gelu):
        got = client.submit(uf, x, pure=False).result(timeout=60)
        assert_same(got, uf(x), uf.__name__)
    got = client.submit(relukit.silu_backward, np.ones_like(x), x, pure=False).result(timeout=60)
    assert_same(got, relukit.silu_backward(np.ones_like(x), x))


# ---------------------------------------------------------------- xarray
def test_xarray_keeps_dims_coords_and_attrs():
    xr = pytest.importorskip("xarray")
    xn, gn = _inputs(np.float32)
    coords = {"batch": np.arange(SHAPE[0]), "channel": list("abcdef"), "t": np.linspace(0, 1, SHAPE[2])}
    xa = xr.DataArray(xn, dims=("batch", "channel", "t"), coords=coords, attrs={"units": "V"}, name="x")
    ga = xr.DataArray(gn, dims=("batch", "channel", "t"), coords=coords, attrs={"kind": "grad"}, name="g")
    # what NumPy's own ufuncs do to the metadata, one and two operands
    unary, binary = np.negative(xa), np.multiply(ga, xa)
    for name, (bwd, call) in _table(np.float32).items():
        res = call(ga, xa) if bwd else call(xa)
        first = res[0] if isinstance(res, tuple) else res
        assert isinstance(first, xr.DataArray), f"{name}: {type(first).__name__}"
        like = binary if bwd else unary
        assert first.dims == xa.dims, name
        assert all(first.coords[k].equals(xa.coords[k]) for k in coords), name
        assert first.attrs == like.attrs and first.name == like.name, (name, first.attrs, first.name)
        want = call(gn, xn) if bwd else call(xn)
        want = want[0] if isinstance(want, tuple) else want
        if name != "rrelu[training]":
            assert_same(first.values, want, name)


def test_xarray_backed_by_dask_stays_lazy():
    xr = pytest.importorskip("xarray")
    xn, gn = _inputs(np.float64)
    xa = xr.DataArray(xn, dims=("b", "c", "t")).chunk({"b": 2, "t": 20})
    y = relukit.softplus(xa, 2.0)
    gx = relukit.softplus_backward(xr.ones_like(xa), xa, 2.0)
    assert isinstance(y.data, da.Array) and isinstance(gx.data, da.Array)
    assert_same(y.values, relukit.softplus(xn, 2.0))
    assert_same(gx.values, relukit.softplus_backward(np.ones_like(xn), xn, 2.0))


@pytest.mark.parametrize("g_shape", [SHAPE, SHAPE[2:], (), (SHAPE[1], 1)], ids=str)
@pytest.mark.parametrize("g_kind", ["numpy", "dask"])
def test_prelu_backward_mixed_and_broadcast_gradients(g_shape, g_kind):
    """The weight gradient stays lazy and right when g is a NumPy array, a
    broadcasting one, a scalar, or a dask array chunked unlike x, and its
    reduction raises no floating-point warning (inf + -inf gives NaN quietly)."""
    xn, _ = _inputs(np.float64, seed=3)
    gn = np.random.default_rng(4).standard_normal(g_shape)
    g = da.from_array(gn, chunks=7) if (g_kind == "dask" and gn.ndim) else gn
    with np.errstate(all="raise"):
        gx, gw = relukit.prelu_backward(g, da.from_array(xn, chunks=CHUNKS), WEIGHT)
        gxn, gwn = relukit.prelu_backward(gn, xn, WEIGHT)
        assert isinstance(gw, da.Array)
        # (in this thread, so that errstate applies to the blocks too)
        got_gx, got_gw = gx.compute(scheduler="synchronous"), gw.compute(scheduler="synchronous")
    assert_same(got_gx, gxn, "grad x")
    np.testing.assert_allclose(got_gw, gwn, rtol=1e-12)
