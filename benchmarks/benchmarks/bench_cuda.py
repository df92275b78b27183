"""GPU benchmarks of relukit.cuda (one class per kernel row), with the
device-to-device copy of the same bytes as the ceiling to compare against.

Skipped (NotImplementedError in setup) where there is no GPU, no numba-cuda or
no PyTorch, or where the relukit being benchmarked has no relukit.cuda.  Each
call is followed by a device synchronisation, so the time is the kernel's.
For the full table against torch and CuPy, run ``benchmarks/cuda_bench.py``.
"""
import numpy as np

from relukit import _ufuncs

from .common import kernel_rows

SIZES = [1 << 24, 1 << 28]          # 64 MiB and 1 GiB of float32
DTYPES = ["float32", "float16"]


def _gpu():
    """(torch, relukit.cuda internals) or NotImplementedError: the skip."""
    try:
        import torch
        if not torch.cuda.is_available():
            raise NotImplementedError("no GPU")
        import relukit.cuda  # noqa: F401
        from relukit.cuda import _arrays, _table
        if not relukit.cuda.is_available():
            raise NotImplementedError("relukit.cuda is not available (numba-cuda or GPU missing)")
    except ImportError as exc:
        raise NotImplementedError(f"GPU benchmark needs torch and relukit.cuda: {exc}") from None
    return torch, _arrays, _table


class Copy:
    """The ceiling: a device-to-device copy of the same number of elements."""
    params = (SIZES, DTYPES)
    param_names = ["size", "dtype"]

    def setup(self, size, dtype):
        torch, _, _ = _gpu()
        self.torch = torch
        self.x = torch.randn(size, device="cuda").to(getattr(torch, dtype))
        self.y = torch.empty_like(self.x)

    def time_copy(self, size, dtype):
        self.y.copy_(self.x)
        self.torch.cuda.synchronize()


def _make(row):
    class Row:
        params = (SIZES, DTYPES)
        param_names = ["size", "dtype"]

        def setup(self, size, dtype):
            torch, A, T = _gpu()
            if row not in T.ROWS:
                raise NotImplementedError(f"{row}: not in this relukit.cuda")
            from relukit._reference import SAMPLE_PARAMS
            self.torch = torch
            name = T.ufunc_name(row)
            x = (torch.randn(size, device="cuda") * 4).to(getattr(torch, dtype))
            g = torch.randn(size, device="cuda").to(getattr(torch, dtype))
            self.ops = ((A.operand(name, "g", g),) if T.ROWS[row][0] == 2 else ()) + \
                (A.operand(name, "x", x),)
            self.keep = (x, g)
            self.params_ = [np.dtype(dtype).type(p) for p in SAMPLE_PARAMS.get(name, ())]
            self.name, self.A = name, A
            self.out = A.operand(name, "out", torch.empty_like(x)).obj
            self.time_out(size, dtype)  # compiles the kernel outside the timing

        def time_out(self, size, dtype):
            self.A.run(self.name, row, self.ops, self.out, self.params_, None)
            self.torch.cuda.synchronize()

    Row.__name__ = Row.__qualname__ = "Cuda" + "".join(p.title() for p in row.split("_"))
    return Row


def _make_gated(row):
    """The gated row's two-operand kernel, a and b the rows of one (2, size) array,
    the results preallocated."""
    class Row:
        params = (SIZES, DTYPES)
        param_names = ["size", "dtype"]

        def setup(self, size, dtype):
            torch, A, T = _gpu()
            if row not in getattr(T, "GATED_ROWS", {}):
                raise NotImplementedError(f"{row}: not in this relukit.cuda")
            self.torch = torch
            tdt = getattr(torch, dtype)
            x2 = (torch.randn(2, size, device="cuda") * 4).to(tdt)
            g = torch.randn(size, device="cuda").to(tdt)
            nin = T.GATED_ROWS[row][0]
            ins = [x2[0], x2[1]] if nin == 2 else [g, x2[0], x2[1]]
            self.ins = [A.operand(row, "x", t) for t in ins]
            self.outs = [A.operand(row, "out", torch.empty_like(g)) for _ in range(nin - 1)]
            self.keep = (x2, g)
            self.A = A
            self.time_out(size, dtype)  # compiles the kernel outside the timing

        def time_out(self, size, dtype):
            self.A.run_gated(row, self.ins, self.outs, self.A._default_stream(self.ins[-1]))
            self.torch.cuda.synchronize()

    Row.__name__ = Row.__qualname__ = "Cuda" + "".join(p.title() for p in row.split("_"))
    return Row


for _name, (_row, *_rest) in kernel_rows().items():
    _cls = _make(_row)
    globals()[_cls.__name__] = _cls
for _row, *_rest in getattr(_ufuncs, "GATED_ROWS", ()):
    _cls = _make_gated(_row)
    globals()[_cls.__name__] = _cls
del _name, _row, _rest, _cls
