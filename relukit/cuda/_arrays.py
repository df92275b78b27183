"""GPU array plumbing for relukit.cuda: checking operands, allocating results of
the input's kind (CuPy, PyTorch, Numba), streams, and launching a row's kernel."""
import numpy as np

from relukit.cuda import _kernels as K

cuda = K.cuda
DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))

if K.SIM:
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray as _SimArray
else:  # pragma: no cover - simulator only
    _SimArray = ()


class _Operand:
    """A checked GPU operand: the original object, its dtype, shape, size and
    device address, and (made on first use: it is slow) a Numba view of it."""
    __slots__ = ("obj", "_dev", "dtype", "shape", "size", "ptr")

    def __init__(self, obj, dev, dtype, shape, ptr):
        self.obj, self._dev, self.dtype, self.shape, self.ptr = obj, dev, dtype, shape, ptr
        size = 1
        for d in shape:
            size *= int(d)
        self.size = size

    @property
    def dev(self):
        if self._dev is None:
            self._dev = cuda.as_cuda_array(self.obj)
        return self._dev

    def flat(self):
        """A 1-D Numba device array over the same memory."""
        dev = self.dev
        return dev.reshape(self.size) if dev.ndim != 1 else dev


class _Device:
    """A Numba device array presented like an operand (for launch)."""
    __slots__ = ("dev", "dtype", "size", "ptr")

    def __init__(self, dev):
        self.dev, self.dtype, self.size = dev, np.dtype(dev.dtype), int(dev.size)
        self.ptr = 0 if K.SIM else (dev.device_ctypes_pointer.value or 0)

    def flat(self):
        return self.dev.reshape(self.size) if self.dev.ndim != 1 else self.dev


def _library(obj):
    return type(obj).__module__.split(".", 1)[0]


def _c_contiguous(shape, strides, itemsize):
    if strides is None:
        return True
    want = itemsize
    for dim, st in zip(reversed(shape), reversed(strides)):
        if dim > 1 and st != want:
            return False
        want *= dim
    return True


_HOST = (np.ndarray, np.generic, int, float, complex, bool, str, bytes, list, tuple)
_DTYPES = {}


def _dtype_of(typestr):
    d = _DTYPES.get(typestr)
    if d is None:
        d = _DTYPES[typestr] = np.dtype(typestr)
    return d


def operand(op, name, obj):
    """Check that `obj` is a contiguous float16/32/64 GPU array and wrap it."""
    if isinstance(obj, _HOST):
        what = "NumPy array" if isinstance(obj, np.ndarray) else type(obj).__name__
        raise TypeError(
            f"relukit.cuda.{op}: {name} is a {what} in host memory; relukit.cuda "
            "takes GPU arrays (CuPy arrays, PyTorch CUDA tensors, Numba device arrays). Use "
            f"relukit.{op} for NumPy arrays, or copy {name} to the GPU first")
    lib = _library(obj)
    if lib == "torch" and str(getattr(obj, "dtype", "")) == "torch.bfloat16":
        raise TypeError(
            f"relukit.cuda.{op}: {name} is bfloat16, which relukit.cuda does not support "
            "yet (the CUDA array interface has no bfloat16 type); convert it with "
            ".float() or .half(), or use torch's own op")
    if K.SIM and isinstance(obj, _SimArray):
        dtype = np.dtype(obj.dtype)
        shape = tuple(obj.shape)
        strides = tuple(obj.strides)
        ptr = obj.__array_interface__["data"][0]
        dev = obj
    else:
        try:
            iface = obj.__cuda_array_interface__
        except AttributeError:
            raise TypeError(
                f"relukit.cuda.{op}: {name} must be a GPU array with __cuda_array_interface__ "
                f"(CuPy, PyTorch CUDA, Numba device array), not {type(obj).__name__}") from None
        except Exception as exc:  # torch raises for a CPU tensor or an unsupported dtype
            raise TypeError(f"relukit.cuda.{op}: {name} cannot be used on the GPU: {exc}") from exc
        dtype = _dtype_of(iface["typestr"])
        shape = tuple(iface["shape"])
        strides = iface.get("strides")
        ptr = iface["data"][0] or 0
        dev = None
    if dtype not in DTYPES:
        raise TypeError(
            f"relukit.cuda.{op}: {name} has dtype {dtype}; relukit.cuda supports float16, "
            "float32 and float64 (convert the array first)")
    if not _c_contiguous(shape, strides, dtype.itemsize):
        raise ValueError(
            f"relukit.cuda.{op}: {name} is not C-contiguous; relukit.cuda needs contiguous "
            "arrays (make a contiguous copy first, e.g. cupy.ascontiguousarray or "
            "tensor.contiguous())")
    return _Operand(obj, dev, dtype, shape, ptr)


def same_layout(op, name, a, x):
    """`a` must have x's dtype and shape (no broadcasting, no casting on the GPU)."""
    if a.dtype != x.dtype:
        raise TypeError(f"relukit.cuda.{op}: {name} has dtype {a.dtype} but x has {x.dtype}; "
                        "relukit.cuda does not cast")
    if a.shape != x.shape:
        raise ValueError(f"relukit.cuda.{op}: {name} has shape {a.shape} but x has {x.shape}; "
                         "relukit.cuda does not broadcast")


def _stream(op, stream, like):
    """The stream a call runs on: an int handle (0: the default stream), or the
    Numba stream object given.  None takes the current stream of the input's
    library (CuPy, PyTorch) or the default stream; accepted are Numba streams,
    CuPy and PyTorch streams, and raw handles (int)."""
    if stream is None:
        lib = _library(like)
        if lib == "cupy":
            import cupy
            return cupy.cuda.get_current_stream().ptr
        if lib == "torch":
            import torch
            return torch.cuda.current_stream(like.device).cuda_stream
        return 0
    if isinstance(stream, (int, np.integer)) and not isinstance(stream, bool):
        return int(stream)
    if hasattr(stream, "handle") and hasattr(stream, "synchronize") and _library(stream) == "numba":
        return stream
    if K.SIM and type(stream).__module__.startswith("numba"):
        return stream
    for attr in ("ptr", "cuda_stream"):  # CuPy, PyTorch
        h = getattr(stream, attr, None)
        if isinstance(h, int):
            return h
    raise TypeError(f"relukit.cuda.{op}: stream must be a Numba, CuPy or PyTorch stream or a "
                    f"stream handle (int), not {type(stream).__name__}")


def resolve_stream(op, stream, like):
    """A Numba stream (or 0, the default stream) from `stream` (see _stream)."""
    return K.numba_stream(_stream(op, stream, like))


def stream_handle(op, stream, like):
    """The int handle of the stream a call runs on (see _stream), without making
    a Numba stream object (the simulator keeps its stream objects)."""
    return K.stream_int(_stream(op, stream, like))


def empty_like(x, stream):
    """An uninitialised array of x's kind, dtype and shape (C order)."""
    lib = _library(x.obj)
    if lib == "cupy":
        import cupy
        return cupy.empty(x.shape, dtype=x.dtype)
    if lib == "torch":
        import torch
        return torch.empty(x.shape, dtype=x.obj.dtype, device=x.obj.device)
    return cuda.device_array(x.shape, dtype=x.dtype, stream=K.numba_stream(stream))


def of_kind(x, dev):
    """A Numba device array `dev` presented as x's kind (zero-copy)."""
    lib = _library(x.obj)
    if lib == "cupy":
        import cupy
        return cupy.asarray(dev)
    if lib == "torch":
        import torch
        return torch.as_tensor(dev, device=x.obj.device)
    return dev


def output(op, x, out, stream):
    """(the object to return, its checked operand): `out` or a new array."""
    if out is None:
        obj = empty_like(x, stream)
    else:
        obj = out
    o = operand(op, "out", obj)
    same_layout(op, "out", o, x)
    return obj, o


def run(op, row, xs, out, params, stream):
    """Compute row `row` on the checked operands `xs` (x, or g and x in the
    public order) with the scalar `params`; return the result object."""
    x = xs[-1]
    st = stream_handle(op, stream, x.obj)
    res, o = output(op, x, out, st)
    if x.size == 0:
        return res
    arrays = [x] + ([xs[0]] if len(xs) == 2 else []) + [o]
    aligned = not (x.ptr % 16 or o.ptr % 16 or (len(xs) == 2 and xs[0].ptr % 16))
    cdt = K.compute_dtype(row, x.dtype)
    pv = [cdt.type(p) for p in params] + [cdt.type(0)] * (2 - len(params))
    K.launch(row, x.dtype, "vec" if aligned else "scalar", st, x.size, arrays, pv)
    return res


def run_chan(op, row, xs, out, w_dev, inner, stream):
    """leaky_relu / leaky_relu_bwd with the slope read per element from the
    device array `w_dev`: ``w[(i // inner) % len(w)]``."""
    x = xs[-1]
    st = stream_handle(op, stream, x.obj)
    res, o = output(op, x, out, st)
    if x.size == 0:
        return res
    arrays = [x] + ([xs[0]] if len(xs) == 2 else []) + [o]
    K.launch(row, x.dtype, "chan", st, x.size, arrays, [_Device(w_dev), inner, int(w_dev.size)])
    return res
