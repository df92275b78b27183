"""Shared machinery for relukit's asv benchmarks (holds no benchmarks itself).

A family module (``bench_<family>.py``) declares a dict

    OPS = {ufunc_name: (numpy_peer, make_inputs), ...}

and calls ``make_op_benchmarks(OPS, globals())``, which creates one asv
benchmark class per op (``relu`` -> ``Relu``, ``relu_backward`` -> ``ReluBackward``).

* ``numpy_peer(*inputs, out=None)`` is the plain-NumPy expression a user would
  write instead of the relukit ufunc; it must honour ``out=`` (write the result
  into ``out`` and return it) as well as allocate when ``out`` is None.
* ``make_inputs(rng, size, dtype)`` returns the tuple of ufunc operands, the
  array inputs and then the op's parameters; ``normal_inputs(nin, params=())``
  makes ``nin`` standard-normal arrays followed by the scalar ``params``.

The in-place mode writes the result over (a copy of) the first operand again and
again, so it assumes a repeated call costs the same as the first: true for ops
that are idempotent on their own output (relu, relu6, hardtanh, threshold, and
every ``*_backward``, which re-masks g with the same x).  An op such as
leaky_relu (x -> a*x, drifting into subnormals) needs its own ``time_inplace``.

What comes from relukit's API: the ufunc itself (``relukit._ufuncs.UFUNCS``),
its operand counts (the input maker's (nin, npar) is checked against
``KERNEL_ROWS``) and the float dtypes it has loops for.  An op that the relukit
being benchmarked does not have (an older commit) is reported as skipped ("n/a")
rather than failing.
"""
import numpy as np

from relukit import _ufuncs

SEED = 20250101
SIZES = [4096, 1 << 20, 1 << 24]  # in cache / in L2-L3 / in DRAM (float64: 32 KiB, 8 MiB, 128 MiB)
FLOAT_DTYPES = ["float16", "float32", "float64"]


def kernel_rows():
    """ufunc name -> (row name, nin, npar, ints), as relukit builds its ufuncs."""
    return {_ufuncs.ufunc_name(row[0]): row for row in _ufuncs.KERNEL_ROWS}


def float_dtypes(op):
    """The float dtypes of FLOAT_DTYPES that ``op`` has a same-dtype loop for."""
    ufunc = _ufuncs.UFUNCS.get(op)
    if ufunc is None:  # op not in this build: keep the full grid, setup() skips it
        return list(FLOAT_DTYPES)
    loops = {t.split("->")[0] for t in ufunc.types}
    return [d for d in FLOAT_DTYPES if np.dtype(d).char * ufunc.nin in loops]


def standard_normal(rng, size, dtype):
    """``size`` standard-normal values of ``dtype`` (float16 via float32)."""
    dtype = np.dtype(dtype)
    work = dtype if dtype in (np.float32, np.float64) else np.float32
    return rng.standard_normal(size, dtype=work).astype(dtype, copy=False)


def normal_inputs(nin, params=()):
    """Input maker: ``nin`` independent standard-normal arrays, then the scalar ``params``."""
    params = tuple(params)

    def make_inputs(rng, size, dtype):
        # parameters as 0-d arrays of the dtype, as relukit's wrappers pass them
        return (tuple(standard_normal(rng, size, dtype) for _ in range(nin))
                + tuple(np.array(p, dtype=dtype) for p in params))
    make_inputs.nin = nin
    make_inputs.npar = len(params)
    return make_inputs


class _OpBenchmark:
    """Generic benchmarks of one elementwise ufunc; subclassed per op by make_op_benchmarks.

    Modes: ``out=`` preallocated, in place (result written over a copy of the first
    operand made in setup; see the module docstring on idempotence),
    allocating; ``peakmem_alloc`` is the process peak RSS around the allocating call
    (it includes the inputs made in setup).  ``time_numpy_*`` time the NumPy peer.
    """

    op = None            # ufunc name, set per subclass
    peer = None          # staticmethod(numpy_peer)
    make_inputs = None   # staticmethod(make_inputs)

    param_names = ["dtype", "size"]
    params = [FLOAT_DTYPES, SIZES]

    timeout = 300.0           # seconds per benchmark (all parameter combinations)
    warmup_time = 0.05
    sample_time = 0.02        # number of calls per sample is chosen to fill this
    repeat = (2, 6, 2.0)      # 2..6 samples, fewer once 2 s are spent; --quick does 1 call

    def setup(self, dtype, size):
        ufunc = _ufuncs.UFUNCS.get(self.op)
        if ufunc is None:
            raise NotImplementedError(f"this relukit has no ufunc {self.op!r}")
        if np.dtype(dtype).char * ufunc.nin + "->" + np.dtype(dtype).char not in ufunc.types:
            raise NotImplementedError(f"{self.op} has no {dtype} loop")
        self.ufunc = ufunc
        rng = np.random.default_rng(SEED)
        self.inputs = self.make_inputs(rng, size, np.dtype(dtype))
        self.rest = self.inputs[1:]
        self.out = np.empty_like(self.inputs[0])
        self.out.fill(0)  # fault the pages in now, not in the first timed call
        self.buf = self.inputs[0].copy()  # in-place target

    def time_out(self, dtype, size):
        self.ufunc(*self.inputs, out=self.out)

    def time_inplace(self, dtype, size):
        self.ufunc(self.buf, *self.rest, out=self.buf)

    def time_alloc(self, dtype, size):
        self.ufunc(*self.inputs)

    def peakmem_alloc(self, dtype, size):
        self.ufunc(*self.inputs)

    def time_numpy_out(self, dtype, size):
        self.peer(*self.inputs, out=self.out)

    def time_numpy_alloc(self, dtype, size):
        self.peer(*self.inputs)


class _TorchBenchmark:
    """PyTorch's op on the same operands (as tensors sharing the arrays' memory),
    allocating its result as torch.nn.functional does, with torch's default
    threads; subclassed per op as ``<Op>Torch``.  Skipped without torch, and for
    dtypes torch's CPU op lacks."""

    op = None
    torch_fn = None
    make_inputs = None
    param_names = ["dtype", "size"]
    params = [FLOAT_DTYPES, SIZES]
    timeout = 300.0
    warmup_time = 0.05
    sample_time = 0.02
    repeat = (2, 6, 2.0)

    def setup(self, dtype, size):
        try:
            import torch
        except ImportError:
            raise NotImplementedError("torch is not installed") from None
        rng = np.random.default_rng(SEED)
        inputs = self.make_inputs(rng, size, np.dtype(dtype))
        nin = getattr(self.make_inputs, "nin", len(inputs))
        self.tensors = [torch.from_numpy(a) for a in inputs[:nin]]
        self.F, self.a = torch.nn.functional, torch.ops.aten
        try:
            self.torch_fn(self.F, self.a, *self.tensors)
        except (RuntimeError, NotImplementedError) as exc:
            raise NotImplementedError(f"torch {self.op} on {dtype}: {exc}") from None

    def time_torch_alloc(self, dtype, size):
        self.torch_fn(self.F, self.a, *self.tensors)


def class_name(op):
    """relu_backward -> ReluBackward."""
    return "".join(part.capitalize() for part in op.split("_"))


def make_op_benchmarks(ops, namespace):
    """Create one benchmark class per entry of ``ops`` in ``namespace`` (a module's
    globals()), and an ``<Op>Torch`` class where PyTorch has the op (torch_peers.py)."""
    from .torch_peers import TORCH

    rows = kernel_rows()
    for op, (peer, make_inputs) in ops.items():
        row = rows.get(op)  # (row name, nin, npar, ints); None: not in this relukit
        made = (getattr(make_inputs, "nin", None), getattr(make_inputs, "npar", None))
        if row is not None and made[0] is not None and made != (row[1], row[2]):
            raise ValueError(f"{op}: the input maker makes (nin, npar) = {made}, "
                             f"the kernel row {row[0]!r} has {(row[1], row[2])}")
        name = class_name(op)
        namespace[name] = type(name, (_OpBenchmark,), {
            "__module__": namespace["__name__"],
            "__qualname__": name,
            "__doc__": f"relukit.{op} against its NumPy peer {peer.__name__}.",
            "op": op,
            "peer": staticmethod(peer),
            "make_inputs": staticmethod(make_inputs),
            "params": [float_dtypes(op), SIZES],
        })
        if op in TORCH:
            tname = name + "Torch"
            namespace[tname] = type(tname, (_TorchBenchmark,), {
                "__module__": namespace["__name__"],
                "__qualname__": tname,
                "__doc__": f"PyTorch's op for relukit.{op}, on the same operands.",
                "op": op,
                "torch_fn": staticmethod(TORCH[op]),
                "make_inputs": staticmethod(make_inputs),
                "params": [float_dtypes(op), SIZES],
            })
