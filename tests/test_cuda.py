"""relukit.cuda without a GPU: the row list against kernels.inc, the lazy
import, every op/direction/dtype through Numba's CUDA simulator (in its own
process: tests/cuda_check.py), and every kernel compiled to PTX for sm_80 and
sm_90 with numba-cuda (NVVM from the nvidia-nvvm wheel)."""
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from relukit._ufuncs import GATED_ROWS as CPU_GATED_ROWS
from relukit._ufuncs import KERNEL_ROWS
from relukit.cuda._table import GATED_ROWS, ROWS, ufunc_name

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = [np.float16, np.float32, np.float64]


def test_rows_mirror_kernels_inc():
    """Every kernels.inc row has a GPU row with the same operands and parameters:
    the one-operand rows (relukit._ufuncs.KERNEL_ROWS) in ROWS, the gated family's
    (relukit._ufuncs.GATED_ROWS: forward (a, b), backward (g, a, b)) in GATED_ROWS."""
    for cpu_rows, gpu_rows in ((KERNEL_ROWS, ROWS), (CPU_GATED_ROWS, GATED_ROWS)):
        cpu = {name: (nin, npar) for name, nin, npar, _ in cpu_rows}
        gpu = {name: (nin, npar) for name, (nin, npar, _, _) in gpu_rows.items()}
        assert sorted(gpu) == sorted(cpu), (set(cpu) ^ set(gpu))
        assert gpu == cpu
    assert not set(ROWS) & set(GATED_ROWS)


def test_public_names_match_the_cpu_api():
    """Every op and backward function of the CPU API (one per kernel row, plus
    prelu, rrelu and the swish alias) exists in relukit.cuda with the same
    parameters, and relukit.cuda adds only stream= to them."""
    import inspect

    import relukit
    import relukit.cuda as rc
    ops = {ufunc_name(r).replace("_from_output", "").replace("gelu_tanh", "gelu") for r in ROWS}
    ops |= {"prelu", "prelu_backward", "rrelu", "rrelu_backward", "swish", "swish_backward"}
    for name in sorted(ops):
        assert name in rc.__all__ and name in relukit.__all__, name
        gpu = inspect.signature(getattr(rc, name)).parameters
        if hasattr(getattr(relukit, name), "ufunc"):  # around a ufunc: (x)
            assert [p for p in gpu if gpu[p].kind == inspect.Parameter.POSITIONAL_OR_KEYWORD] \
                == (["g", "x"] if name.endswith("_backward") else ["x"]), name
            continue
        cpu = inspect.signature(getattr(relukit, name)).parameters
        # torch's inplace= is the CPU API's alone (relukit.cuda writes with out=); both
        # come from the op table (relukit/_optable.py)
        cpu_only = {"inplace"}
        want = {p: v.default for p, v in cpu.items()
                if v.kind != inspect.Parameter.VAR_KEYWORD and p not in cpu_only}
        got = {p: v.default for p, v in gpu.items() if p != "stream"}
        assert got == want, (name, got, want)
    # the gated family: the CPU wrappers' parameters (their kinds too), plus stream=
    from relukit._api import GATED_OPS
    for fn in GATED_OPS:
        name = fn.__name__
        assert name in rc.__all__ and name in relukit.__all__, name
        cpu = [(p, v.kind, v.default) for p, v in inspect.signature(fn).parameters.items()
               if v.kind != inspect.Parameter.VAR_KEYWORD]
        params = inspect.signature(getattr(rc, name)).parameters
        gpu = [(p, v.kind, v.default) for p, v in params.items() if p != "stream"]
        assert gpu == cpu, (name, gpu, cpu)
        assert params["stream"].kind == inspect.Parameter.KEYWORD_ONLY and params["stream"].default is None


def test_import_relukit_does_not_import_numba():
    code = ("import sys, relukit, relukit.cuda; "
            "assert 'numba' not in sys.modules, 'numba imported'; "
            "assert isinstance(relukit.cuda.is_available(), bool); print('ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr


def test_is_available_explains():
    import relukit.cuda as rc

    ok, why = rc.is_available(explain=True)
    assert ok == rc.is_available() and isinstance(why, str) and why
    if not ok:
        # this machine's own reason, worded for a user
        assert re.search(r"not installed|does not import|CUDA driver|no GPU|cannot use", why), why


def test_is_available_reasons(monkeypatch):
    """The reasons for False: numba-cuda missing, and numba failing to import (as
    with a NumPy too new for it), whatever this machine has."""
    import importlib.util
    import types

    import relukit.cuda as rc

    real_find_spec = importlib.util.find_spec
    with monkeypatch.context() as m:
        m.setattr(importlib.util, "find_spec",
                  lambda name, *a: None if name == "numba" else real_find_spec(name, *a))
        assert rc.is_available(explain=True) == (
            False, "numba-cuda is not installed (pip install 'relukit[cuda]')")
    fake = types.ModuleType("numba")

    def broken(name):
        raise ImportError("Numba needs NumPy 2.3 or less. Got NumPy 9.9.")

    fake.__getattr__ = broken
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: object() if name == "numba" else real_find_spec(name, *a))
    monkeypatch.setitem(sys.modules, "numba", fake)
    ok, why = rc.is_available(explain=True)
    assert not ok and why.startswith("numba does not import: ImportError: Numba needs NumPy")
    assert f"NumPy here is {np.__version__}; it may be too new for this Numba" in why


def _numba_cuda():
    try:
        from numba import cuda
    except ImportError as exc:
        pytest.skip(f"numba-cuda cannot be imported ({exc}); pip install '.[test]'")
    return cuda


def test_simulator_against_the_cpu():
    """Every row x dtype x aligned/offset path, special values, the API and its
    errors, under NUMBA_ENABLE_CUDASIM=1 in a separate process."""
    _numba_cuda()
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    t = time.time()
    r = subprocess.run([sys.executable, os.path.join(HERE, "cuda_check.py"), "--n", "200"], env=env,
                       capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-6000:]
    assert " 0 failed" in out and "(simulator)" in out, out[-3000:]
    assert time.time() - t < 300


@pytest.fixture(scope="module")
def ptx_compiler():
    if "RELUKIT_TARGET" in os.environ:
        # the per-target re-runs of the suite (test_dispatch) change only the CPU
        # kernels; the PTX is the same, and is compiled once, in the main run
        pytest.skip("PTX does not depend on the CPU target: compiled in the main run")
    cuda = _numba_cuda()
    assert cuda.implementation == "NVIDIA", (
        "numba.cuda must be numba-cuda's target, not numba's deprecated built-in one")
    from numba import config
    if config.ENABLE_CUDASIM:
        pytest.skip("NUMBA_ENABLE_CUDASIM is set in this process: no PTX compiler")
    from relukit.cuda import _kernels as K
    try:
        cuda.compile_ptx(K.python_kernel("relu", np.float32, "vec"),
                         K.kernel_signature("relu", np.float32, "vec"), cc=(8, 0))
    except Exception as exc:  # noqa: BLE001
        if "NVVM" in str(exc) or "nvvm" in str(exc):
            pytest.skip(f"libNVVM cannot be loaded ({exc}); pip install '.[test]'")
        raise
    return cuda, K


# Kernels whose loop over a vector's lanes NVVM does not unroll (the body is too long
# for 8 lanes: float16 through gelu_tanh's float32 body with its float64 tail): their
# results pass through local memory (L1), as the bfloat16 kernels of the long backward
# rows do (README, GPU)
_LOCAL_OK = {("gelu_tanh_bwd", "float16")}


def _compile_jobs(jobs):
    """Compile (row, dtype name, variant, cc) jobs to PTX; return the problems."""
    from numba import cuda

    from relukit.cuda import _f32
    from relukit.cuda import _kernels as K
    problems = []
    for row, dname, variant, cc in jobs:
        dtype = np.dtype(K.BF16 if dname == "bfloat16" else dname)
        wide = {2: ".v4.u32", 4: ".v4.f32", 8: ".v2.f64"}[dtype.itemsize]
        where = f"{row} {dname} {variant} sm_{cc[0]}{cc[1]}"
        try:
            fn = K.python_kernel(row, dtype, variant)
            ptx, _ = cuda.compile_ptx(fn, K.kernel_signature(row, dtype, variant), cc=cc)
        except Exception as exc:  # noqa: BLE001 - reported below
            problems.append(f"{where}: {type(exc).__name__}: {exc}")
            continue
        if f".target sm_{cc[0]}{cc[1]}" not in ptx:
            problems.append(f"{where}: wrong target")
        if ("ld.local" in ptx or "st.local" in ptx) and (row, dname) not in _LOCAL_OK:
            problems.append(f"{where}: uses local memory")
        if _f32.uses_f32(row, dname) and re.search(r"^\s*mul\.f32\s", ptx, re.M):
            # a float32 body's multiplies are all explicit (mul.rn): ptxas fuses only a
            # multiply and an add that both lack a rounding mode, so none is fused
            problems.append(f"{where}: a float32 multiply ptxas may fuse into an FMA")
        if variant in ("vec", "vec_split") and not (f"ld.global{wide}" in ptx and
                                                    f"st.global{wide}" in ptx):
            problems.append(f"{where}: no 128-bit global load/store ({wide})")
    return problems


def test_every_kernel_compiles_to_ptx(ptx_compiler):
    """Each row's vector kernel for every dtype, for sm_90, with 128-bit global
    loads and stores and no local memory (and, for the float32 bodies, no
    float32 multiply ptxas could fuse); the unaligned (scalar) variant of every
    row in float32 and of one row per class in float16 and float64; the
    per-channel variants; for sm_80 (whose PTX differs little), one row per arithmetic
    class; and bfloat16 (stored as uint16, computed through the float32 rows;
    its conversions are integer operations, no bf16 instructions): piecewise and
    transcendental rows, forward and backward, each variant, sm_80 and sm_90.
    The gated family (long bodies, slow to compile): one row of each shape and
    variant, forward and backward, two-operand and split, each arithmetic class
    and dtype once, float64's scaled tails included (the simulator runs them
    all).  Compiled in parallel worker processes."""
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing as mp

    from relukit.cuda import _kernels as K
    assert K.BF16 is not None, "ml_dtypes is needed for bfloat16"
    jobs = []
    for row in ROWS:
        for dtype in DTYPES:
            d = np.dtype(dtype).name
            jobs.append((row, d, "vec", (9, 0)))
            # the element-access variant differs from the vector one only in its loads
            # and stores: every row in float32, one row per class in the other dtypes
            if d == "float32" or row in ("relu_bwd", "gelu_bwd"):
                jobs.append((row, d, "scalar", (9, 0)))
            if row.startswith("leaky_relu"):
                jobs.append((row, d, "chan", (9, 0)))
    jobs += [("relu", "float32", "vec", (8, 0)), ("gelu", "float32", "vec", (8, 0))]
    jobs += [(row, "bfloat16", v, cc) for row, v, cc in [
        ("relu", "vec", (8, 0)), ("relu", "vec", (9, 0)), ("gelu", "vec", (8, 0)),
        ("gelu", "vec", (9, 0)), ("silu_bwd", "vec", (9, 0)), ("silu_bwd", "scalar", (9, 0)),
        ("leaky_relu_bwd", "scalar", (8, 0)), ("leaky_relu", "chan", (9, 0))]]
    gated = [("swiglu", "float32", "vec", (9, 0)), ("glu", "bfloat16", "scalar_split", (8, 0)),
             ("glu", "float64", "vec_split", (9, 0)), ("reglu_bwd", "float16", "vec_split", (9, 0)),
             ("glu_bwd", "float32", "vec", (8, 0)), ("reglu_bwd", "float32", "scalar", (9, 0))]
    assert {r for r, *_ in gated} & set(GATED_ROWS) and {v for _, _, v, _ in gated} == {
        "vec", "scalar", "vec_split", "scalar_split"}
    jobs += gated
    workers = max(1, min(8, os.cpu_count() or 1))
    chunks = [jobs[i::workers * 4] for i in range(workers * 4)]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as ex:
        problems = [p for res in ex.map(_compile_jobs, chunks) for p in res]
    assert not problems, "\n".join(problems[:20])
    assert len(jobs) == len(ROWS) * 4 + 2 * 2 + 2 * 3 + 2 + 8 + len(gated)


def test_aux_kernels_compile_to_ptx(ptx_compiler):
    cuda, K = ptx_compiler
    for dtype in DTYPES:
        for cc in ((8, 0), (9, 0)):
            ns = {"cuda": cuda, "A": K.nt.float64 if dtype == np.float64 else K.nt.float32}
            exec(compile(K._PRELU_WGRAD, "<prelu>", "exec"), ns)
            st = K._STORAGE[np.dtype(dtype)][::1]
            acc = ns["A"][::1]
            ptx, _ = cuda.compile_ptx(ns["kernel"], K.nt.void(K.nt.int64, st, st, K.nt.int64,
                                                               K.nt.int64, acc), cc=cc)
            assert "atom.global.add" in ptx or "red.global.add" in ptx
            ptx, _ = cuda.compile_ptx(K._rrelu_noise, K.nt.void(K.nt.int64, st, st), cc=cc)
            assert f".target sm_{cc[0]}{cc[1]}" in ptx


def test_benchmark_covers_every_row():
    """benchmarks/cuda_bench.py names a torch peer (or None) for every GPU row."""
    import importlib.util
    from types import SimpleNamespace
    spec = importlib.util.spec_from_file_location(
        "cuda_bench", os.path.join(HERE, "..", "benchmarks", "cuda_bench.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fake = SimpleNamespace(nn=SimpleNamespace(functional=None), ops=SimpleNamespace(aten=None))
    assert set(mod.torch_peers(fake)) == set(ROWS)
    assert set(mod.torch_gated_peers(fake)) == set(GATED_ROWS)
    r = subprocess.run(["bash", "-n", os.path.join(HERE, "..", "benchmarks", "cuda_run.sh")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# ---------------------------------------------------------------- the host path, launch stubbed
def _host_stub():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "cuda_host_stub", os.path.join(HERE, "..", "benchmarks", "cuda_host_stub.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def stubbed(monkeypatch):
    """relukit.cuda on CPU torch tensors, the launch stubbed out (see
    benchmarks/cuda_host_stub.py): (relukit.cuda, kernel module, launches, stub module)."""
    torch = pytest.importorskip("torch")
    _numba_cuda()
    from numba import config
    if config.ENABLE_CUDASIM:
        pytest.skip("NUMBA_ENABLE_CUDASIM is set: the GPU host path is not the one run")
    import relukit.cuda as rc
    H = _host_stub()
    launches = []
    from relukit.cuda import _arrays as A
    from relukit.cuda import _kernels as K
    for name in ("_LAUNCHERS", "_CONFIGS", "_STREAMS"):
        monkeypatch.setattr(K, name, {})
    monkeypatch.setattr(A, "_READERS", {})
    K = H.install_stubs(rc, launches, monkeypatch.setattr)
    return rc, K, launches, H, torch


def test_host_path_per_call(stubbed, monkeypatch):
    """What a call does on the host, guarded (not timed): for torch tensors no
    __cuda_array_interface__ and no torch.cuda.current_stream (the raw stream and
    the tensor's own attributes instead); the kernel, its launch configuration
    and stream object looked up once per (row, dtype, alignment) and reused; one
    launch per call with the tensors' addresses; results allocated by torch; the
    errors as before, with nothing launched."""
    rc, K, launches, H, torch = stubbed
    resolved = []
    fast = K._fast_kernel
    monkeypatch.setattr(K, "_fast_kernel", lambda *a: resolved.append(a) or fast(*a))

    def no_current_stream(*a, **k):
        raise AssertionError("torch.cuda.current_stream called")
    monkeypatch.setattr(torch.cuda, "current_stream", no_current_stream)
    n = 1000
    x, g, o = torch.randn(n), torch.randn(n), torch.empty(n)
    H.CAI_READS[0] = 0
    for _ in range(3):
        assert rc.relu(x, out=o) is o
        y = rc.gelu(x)
        gx = rc.gelu_backward(g, x, approximate="tanh")
        rc.leaky_relu(x, 0.2)
        rc.elu_backward(g, x, 0.5, from_output=False)
        rc.relu(torch.randn(n + 1)[1:])  # not 16-byte aligned: the element-wise kernel
    assert H.CAI_READS[0] == 0
    assert len(launches) == 18
    assert sorted(set(resolved)) == sorted(resolved) and len(resolved) == 6
    assert {r[2] for r in resolved} == {"vec", "scalar"}
    assert type(y) is torch.Tensor and y.shape == x.shape and y.dtype == x.dtype
    assert type(gx) is torch.Tensor and gx.shape == x.shape
    stream, cfg, kern, args = launches[0]  # relu(x, out=o): n, then x's and o's layout
    assert args[0] == n and args[5] == x.data_ptr() and args[12] == o.data_ptr()
    assert args[3] == args[6] == n and args[4] == args[7] == 4 and len(args) == 1 + 2 * 7 + 2
    assert stream == ("stream", 0) and cfg[0] == "config"
    args = launches[14][3]  # the last gelu_backward(g, x): x, g, its result
    assert args[5] == x.data_ptr() and args[12] == g.data_ptr() and args[19] == gx.data_ptr()
    assert len({id(launch[2]) for launch in launches}) == 1  # the one stub kernel, cached
    # errors unchanged, nothing launched
    before = len(launches)
    with pytest.raises(TypeError, match="relu.*float64"):
        rc.relu(x.double(), out=o)
    with pytest.raises(ValueError, match="silu.*contiguous"):
        rc.silu(torch.randn(4, 4).t())
    with pytest.raises(TypeError, match="elu.*int64"):
        rc.elu(torch.arange(4))
    with pytest.raises(ValueError, match="hardtanh"):
        rc.hardtanh(x, 2.0, 1.0, out=o)
    with pytest.raises(ValueError, match="relu_backward.*shape"):
        rc.relu_backward(torch.randn(3), x)
    with pytest.raises(TypeError, match="relu.*requires grad"):
        rc.relu(torch.randn(3, requires_grad=True))
    assert len(launches) == before
    assert H.CAI_READS[0] == 0


def test_host_path_torch_bfloat16_and_cupy(stubbed, monkeypatch):
    """torch bfloat16 goes to the bfloat16 kernel (2-byte elements) with torch's
    allocation; a CuPy array is read through .data.ptr/.shape/.dtype/.flags and
    its result allocated by CuPy, its __cuda_array_interface__ never read."""
    import types
    rc, K, launches, H, torch = stubbed
    from relukit.cuda import _kernels
    xb = torch.randn(64).to(torch.bfloat16)
    y = rc.silu(xb)
    assert y.dtype == torch.bfloat16 and launches[-1][3][4] == 2
    assert K.launcher("silu", _kernels.BF16, "vec") is K.launcher("silu", _kernels.BF16, "vec")

    class ndarray:
        reads = 0

        def __init__(self, n, dtype=np.float32):
            self._a = np.zeros(n, dtype)
            self.dtype, self.shape, self.size = self._a.dtype, self._a.shape, self._a.size
            self.flags = types.SimpleNamespace(c_contiguous=True)
            self.data = types.SimpleNamespace(ptr=self._a.ctypes.data)

        @property
        def __cuda_array_interface__(self):
            ndarray.reads += 1
            raise AssertionError("__cuda_array_interface__ read")
    ndarray.__module__ = "cupy"
    fake = types.ModuleType("cupy")
    fake.ndarray = ndarray
    fake.empty = lambda shape, dtype: ndarray(shape[0], dtype)
    fake.cuda = types.SimpleNamespace(get_current_stream=lambda: types.SimpleNamespace(ptr=0))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    a = ndarray(100)
    r = rc.gelu(a)
    assert type(r) is ndarray and r.shape == (100,)
    assert launches[-1][3][5] == a.data.ptr and launches[-1][3][12] == r.data.ptr
    assert ndarray.reads == 0


def test_host_path_gated(stubbed):
    """The gated wrappers' host path on torch tensors, the launch stubbed out: one
    launch per call in the kernel's argument layout (n, L for the split kernels,
    then per array: meminfo, parent, size, itemsize, data, shape, stride); the
    split form reads x's halves in place (the split kernel on x itself, or, where
    the halves are contiguous, the two-operand kernel at x's address and L
    elements on); results allocated by torch; errors launch nothing."""
    rc, K, launches, H, torch = stubbed
    from relukit.cuda import _kernels

    def arrays(args, first):
        """(size, itemsize, address) of each array argument from index `first` on."""
        return [(args[i + 2], args[i + 3], args[i + 4]) for i in range(first, len(args), 7)]
    n = 96
    a, b, g = torch.randn(n), torch.randn(n), torch.randn(n)
    y = rc.swiglu(a, b)
    args = launches[-1][3]
    assert type(y) is torch.Tensor and y.shape == (n,) and y.dtype == a.dtype
    assert args[0] == n and len(args) == 1 + 3 * 7
    assert arrays(args, 1) == [(n, 4, t.data_ptr()) for t in (a, b, y)]
    ga, gb = rc.geglu_backward(g, a, b, approximate="tanh")
    args = launches[-1][3]
    assert type(ga) is torch.Tensor and type(gb) is torch.Tensor and ga.shape == gb.shape == (n,)
    assert arrays(args, 1) == [(n, 4, t.data_ptr()) for t in (g, a, b, ga, gb)]
    assert ("geglu_tanh_bwd", np.dtype(np.float32), "vec") in K._LAUNCHERS
    # split form, the halves in rows: the split kernel on x itself
    x = torch.randn(4, 2 * 24)
    y = rc.glu(x)
    args = launches[-1][3]
    assert y.shape == (4, 24) and args[:2] == (96, 24)
    assert arrays(args, 2) == [(192, 4, x.data_ptr()), (96, 4, y.data_ptr())]
    gh = torch.randn(4, 24)
    gx = rc.swiglu_backward(gh, x)
    args = launches[-1][3]
    assert gx.shape == x.shape and args[:2] == (96, 24)
    assert arrays(args, 2) == [(96, 4, gh.data_ptr()), (192, 4, x.data_ptr()), (192, 4, gx.data_ptr())]
    assert ("glu", np.dtype(np.float32), "vec_split") in K._LAUNCHERS
    x3 = torch.randn(4, 2 * 3, dtype=torch.float64)  # L = 3: not a whole number of vectors
    rc.reglu(x3)
    assert ("reglu", np.dtype(np.float64), "scalar_split") in K._LAUNCHERS
    # split along axis 0 (nothing before it): the halves are contiguous, x and x + L
    x0 = torch.randn(6, 8)
    y0 = rc.reglu(x0, axis=0)
    args = launches[-1][3]
    assert y0.shape == (3, 8) and args[0] == 24 and len(args) == 1 + 3 * 7
    assert arrays(args, 1) == [(24, 4, x0.data_ptr()), (24, 4, x0.data_ptr() + 24 * 4),
                               (24, 4, y0.data_ptr())]
    xb = torch.randn(2, 16).to(torch.bfloat16)
    yb = rc.swiglu(xb)
    assert yb.dtype == torch.bfloat16 and yb.shape == (2, 8)
    assert ("swiglu", _kernels.BF16, "vec_split") in K._LAUNCHERS
    before = len(launches)
    with pytest.raises(ValueError, match="swiglu: the split form halves axis -1, whose size 5 is odd"):
        rc.swiglu(torch.randn(3, 5))
    with pytest.raises(ValueError, match="relukit.cuda.reglu: b has shape .* does not broadcast"):
        rc.reglu(a, torch.randn(n + 1))
    with pytest.raises(TypeError, match="geglu_backward: out= of op.g, a, b. is a tuple of two"):
        rc.geglu_backward(g, a, b, out=y)
    with pytest.raises(ValueError, match="geglu: approximate must be"):
        rc.geglu(a, b, approximate="erf")
    assert len(launches) == before


def test_gpu_run_script_dry_run():
    """benchmarks/cuda_run.sh --dry-run: every Python step of the one-command GPU run
    (exhaustive float32 / float16 / bfloat16 comparisons, the float64 sampled check)
    under the simulator at tiny sizes; the benchmark's options parse."""
    _numba_cuda()
    pytest.importorskip("ml_dtypes")
    root = os.path.join(HERE, "..")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["PYTHON"] = sys.executable  # the script's Python: this one (its relukit is the one tested)
    r = subprocess.run(["bash", os.path.join(root, "benchmarks", "cuda_run.sh"), "--dry-run"],
                       capture_output=True, text=True, timeout=600, env=env)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "exit status 0" in out and " 0 failed" in out, out[-4000:]
    for dt in ("float32", "float16", "bfloat16"):
        assert f"gelu_bwd                       {dt}" in out, out[-4000:]
    for script in ("cuda_bench.py", "cuda_exhaustive.py", "cuda_host_stub.py"):
        h = subprocess.run([sys.executable, os.path.join(root, "benchmarks", script), "--help"],
                           capture_output=True, text=True, timeout=120, env=env)
        assert h.returncode == 0 and "usage" in h.stdout, (script, h.stderr)


def test_exhaustive_script_gated_rows():
    """benchmarks/cuda_exhaustive.py's gated rows under the simulator at tiny sizes:
    one line per (op, output, dtype), selected by ufunc name or kernel row, reglu's
    (bit-identical) and the others' comparisons passing."""
    _numba_cuda()
    pytest.importorskip("ml_dtypes")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    script = os.path.join(HERE, "..", "benchmarks", "cuda_exhaustive.py")
    r = subprocess.run([sys.executable, script, "--rows", "swiglu", "reglu_bwd", "glu",
                        "geglu_tanh_backward", "--bits", "6", "--bits16", "5",
                        "--chunk-bits", "5", "--threads", "1"],
                       capture_output=True, text=True, timeout=300, env=env)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "FAIL" not in out and "18 (row, dtype) pairs, 0 failed" in out, out[-4000:]
    labels = ["swiglu", "glu", "reglu_backward[grad_a]", "reglu_backward[grad_b]",
              "geglu_tanh_backward[grad_a]", "geglu_tanh_backward[grad_b]"]
    lines = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 6 and f[0] in labels:
            lines[f[0], f[1]] = [int(v) for v in f[2:6]]
    for label in labels:
        for dt, n in (("float32", 64), ("float16", 32), ("bfloat16", 32)):
            inputs, identical, nan, _ = lines[label, dt]
            assert inputs == n and nan == 0, (label, dt, lines[label, dt])
            if label.startswith("reglu"):
                assert identical == n, (label, dt, lines[label, dt])
