"""Scaling out: every public op on multi-chunk dask arrays, lazily, forward and
backward, against NumPy; a dask.distributed LocalCluster with two worker
processes running forward and backward through a multi-chunk array (the
ufuncs pickle by reference); xarray DataArrays keep their dims, coordinates
and attributes as they do through NumPy's own ufuncs."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

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


# ---------------------------------------------------------------- the gated family
# Forward: Dask's ufunc protocol runs the one-output ufuncs itself.  Backward: two
# outputs, which that protocol leaves to NumPy (it knows only frexp and modf); the
# wrappers apply the ufunc blockwise instead (relukit._api._dask_gated_backward).
GATED_CALLS = {  # name -> (public forward, public backward, keywords)
    "glu": (relukit.glu, relukit.glu_backward, {}),
    "reglu": (relukit.reglu, relukit.reglu_backward, {}),
    "geglu": (relukit.geglu, relukit.geglu_backward, {}),
    "geglu[tanh]": (relukit.geglu, relukit.geglu_backward, {"approximate": "tanh"}),
    "swiglu": (relukit.swiglu, relukit.swiglu_backward, {}),
}


def _gated_cases(dtype):
    """label -> (call, NumPy operands, which operands go to Dask, chunks of each Dask
    operand) for every gated op in every form: two operands (not glu, whose public
    forms are the split ones), the split form along two axes (uneven halves of the
    chunks), a NumPy or Python-scalar g, and an operand that broadcasts."""
    x, g = _inputs(dtype)
    x2, g2 = _inputs(dtype, seed=1)
    half = SHAPE[:2] + (SHAPE[2] // 2,)
    gh = g[..., : SHAPE[2] // 2]
    g1 = np.ascontiguousarray(g[:, : SHAPE[1] // 2])
    b1 = x2[0, 0]  # (50,): broadcasts against (4, 6, 50)
    cases = {}
    for name, (fwd, bwd, kw) in GATED_CALLS.items():
        cases[f"{name} split"] = (lambda x, f=fwd, kw=kw: f(x, **kw), (x,), (0,), (CHUNKS,))
        cases[f"{name} split axis=1"] = (lambda x, f=fwd, kw=kw: f(x, axis=1, **kw), (x,), (0,), (CHUNKS,))
        cases[f"{name}_backward split"] = (lambda g, x, f=bwd, kw=kw: f(g, x, **kw), (gh, x), (0, 1),
                                           ((2, 3, 10), CHUNKS))
        cases[f"{name}_backward split axis=1"] = (lambda g, x, f=bwd, kw=kw: f(g, x, axis=1, **kw),
                                                  (g1, x), (0, 1), (CHUNKS, CHUNKS))
        cases[f"{name}_backward split numpy g"] = (lambda g, x, f=bwd, kw=kw: f(g, x, **kw), (gh, x),
                                                   (1,), (CHUNKS,))
        if name == "glu":
            continue
        cases[f"{name} two operands"] = (lambda a, b, f=fwd, kw=kw: f(a, b, **kw), (x, x2), (0, 1),
                                         (CHUNKS, (1, 3, 25)))
        cases[f"{name}_backward two operands"] = (lambda g, a, b, f=bwd, kw=kw: f(g, a, b, **kw),
                                                  (g, x, x2), (0, 1, 2), (CHUNKS, (4, 2, 10), CHUNKS))
        cases[f"{name}_backward numpy g"] = (lambda g, a, b, f=bwd, kw=kw: f(g, a, b, **kw),
                                             (g2, x, x2), (1, 2), (CHUNKS, CHUNKS))
        cases[f"{name}_backward scalar g"] = (lambda a, b, f=bwd, kw=kw: f(1.5, a, b, **kw),
                                              (x, x2), (0, 1), (CHUNKS, CHUNKS))
        cases[f"{name}_backward broadcast b"] = (lambda g, a, b, f=bwd, kw=kw: f(g, a, b, **kw),
                                                 (g, x, b1), (0, 1, 2), (CHUNKS, CHUNKS, (30, 20)))
    return cases


def _lazy_chunks(a, chunks):
    src = Counting(a)
    return da.from_array(src, chunks=chunks, meta=np.empty((0,) * a.ndim, a.dtype)), src


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_gated_every_form_lazy_and_as_numpy(dtype):
    """Every gated op, forward and backward, each form: Dask arrays in, Dask arrays
    out, nothing read before compute(), and the bits, dtypes and shapes of the same
    call on the NumPy arrays."""
    failures = []
    for label, (call, ops, lazy, chunks) in _gated_cases(dtype).items():
        args, sources = list(ops), []
        for i, ch in zip(lazy, chunks):
            args[i], src = _lazy_chunks(ops[i], ch)
            sources.append(src)
        res = call(*args)
        res = res if isinstance(res, tuple) else (res,)
        for r in res:
            if not isinstance(r, da.Array):
                failures.append(f"{label}: returned {type(r).__name__}, not a dask array")
        if any(s.reads for s in sources):
            failures.append(f"{label}: read its input before compute()")
        if failures:
            continue
        got = _compute_all(res)
        assert all(s.reads for s in sources), label
        want = call(*ops)
        want = want if isinstance(want, tuple) else (want,)
        assert len(got) == len(want), label
        for k, (gv, wv) in enumerate(zip(got, want)):
            assert_same(gv, wv, f"{label} output {k} {np.dtype(dtype).name}")
    assert not failures, failures


def test_gated_backward_keeps_numpys_dtype_rules():
    """The result dtype is NumPy's for the same operands: a Python float g keeps
    float32 float32 (weak scalar), a float64 NumPy g promotes, dtype= chooses the loop;
    the Dask result's dtype is what compute() gives."""
    x, g = _inputs(np.float32)
    a, b = x[..., :25], x[..., 25:]
    da_, db = da.from_array(a, chunks=(2, 3, 10)), da.from_array(b, chunks=(2, 3, 10))
    for g_, kw in ((2.0, {}), (np.float64(2.0), {}), (g[..., :25].astype(np.float64), {}),
                   (g[..., :25], {"dtype": np.float64})):
        want = relukit.swiglu_backward(g_, a, b, **kw)
        got = relukit.swiglu_backward(g_, da_, db, **kw)
        for gv, wv in zip(got, want):
            assert gv.dtype == wv.dtype, (type(g_), kw, gv.dtype, wv.dtype)
            assert_same(gv.compute(), wv, f"g {type(g_).__name__} {kw}")
    gx = relukit.geglu_backward(g[..., :25], da.from_array(x, chunks=CHUNKS), dtype=np.float64)
    assert gx.dtype == np.float64
    assert_same(gx.compute(), relukit.geglu_backward(g[..., :25], x, dtype=np.float64), "split dtype=")


def test_gated_backward_chunks_follow_the_operands():
    """The gradients are chunked as the first operand of the full shape (the others
    rechunked to it), and the split form's gradient is the two halves' gradients
    concatenated along the axis."""
    x, g = _inputs(np.float64)
    dg = da.from_array(g, chunks=(2, 3, 25))
    dx, dx2 = da.from_array(x, chunks=CHUNKS), da.from_array(x[::-1], chunks=(4, 6, 10))
    ga, gb = relukit.reglu_backward(dg, dx, dx2)
    assert ga.chunks == gb.chunks == dg.chunks
    ga, gb = relukit.reglu_backward(g[0, 0], dx, dx2)  # the (50,) g broadcasts
    assert ga.chunks == dx.chunks
    gx = relukit.reglu_backward(da.from_array(g[..., :25], chunks=(4, 2, 25)), dx)
    assert gx.chunks == ((4,), (2, 2, 2), (25, 25)) and gx.shape == x.shape


def test_gated_backward_errors_name_the_op_and_compute_nothing():
    x, g = _inputs(np.float32)
    dx, src = _lazy(x)
    dg = da.from_array(g[..., :25], chunks=(2, 4, 20))
    with pytest.raises(TypeError, match="^swiglu_backward: out= is not supported for Dask"):
        relukit.swiglu_backward(dg, dx, out=np.empty(SHAPE, np.float32))
    with pytest.raises(TypeError, match="^swiglu_backward: out= is not supported for Dask"):
        relukit.swiglu_backward(dg, dx[..., :25], dx[..., 25:], out=(np.empty(dg.shape, np.float32),) * 2)
    with pytest.raises(TypeError, match="^geglu_backward: where= is not supported for Dask"):
        relukit.geglu_backward(dg, dx[..., :25], dx[..., 25:], where=g[..., :25] > 0)
    with pytest.raises(TypeError, match="^reglu_backward: .*not supported for the input types"):
        relukit.reglu_backward(dg, dx.astype(np.complex64))
    with pytest.raises(TypeError, match="^glu_backward: .*not supported for the input types"):
        relukit.glu_backward(dg.astype(np.complex128), dx)
    with pytest.raises(ValueError, match="^swiglu_backward: the split form halves axis 1"):
        relukit.swiglu_backward(dg, dx[:, :5], axis=1)
    assert src.reads == 0


def test_gated_numpy_calls_do_not_import_dask():
    """Looking for Dask operands never imports dask: not on the NumPy path, and not
    where the ufunc call fails (the path that asks whether an operand is one)."""
    code = textwrap.dedent("""
        import sys
        import numpy as np
        import relukit
        x = np.linspace(-3, 3, 24).reshape(3, 8)
        relukit.swiglu_backward(x[:, :4], x)
        relukit.geglu_backward(x, x, x)
        relukit.glu_backward(x[:, :4], x, out=np.empty_like(x))
        for call in (lambda: relukit.reglu_backward(x, x.astype(complex), x),
                     lambda: relukit.reglu_backward(x[:, :4], x.astype(complex), out=np.empty(x.shape))):
            try:
                call()
            except TypeError as exc:
                assert str(exc).startswith("reglu_backward: "), exc
            else:
                raise AssertionError("no TypeError")
        assert not [m for m in sys.modules if m.split(".")[0] == "dask"], "dask was imported"
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       cwd=str(Path(__file__).resolve().parent))
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr


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


def test_local_cluster_gated_backward(client):
    """The gated backward's blockwise graph (a partial of a module function and the
    ufunc) runs on worker processes, both forms."""
    rng = np.random.default_rng(12)
    xn = (rng.standard_normal((32, 4, 200)) * 3).astype(np.float32)
    gn = rng.standard_normal((32, 4, 100)).astype(np.float32)
    x = da.from_array(xn, chunks=(8, 2, 50))
    g = da.from_array(gn, chunks=(8, 2, 50))
    gx = relukit.swiglu_backward(g, x)
    ga, gb = relukit.geglu_backward(g, x[..., :100], x[..., 100:], approximate="tanh")
    got = [f.result(timeout=120) for f in client.compute([gx, ga, gb])]
    assert_same(got[0], relukit.swiglu_backward(gn, xn), "split")
    want = relukit.geglu_backward(gn, xn[..., :100], xn[..., 100:], approximate="tanh")
    assert_same(got[1], want[0], "grad a")
    assert_same(got[2], want[1], "grad b")


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
