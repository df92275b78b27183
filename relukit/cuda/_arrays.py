"""GPU array plumbing for relukit.cuda: reading operands, allocating results of
the input's kind, streams, and launching a row's kernel.

Per call, only what cannot be cached is done.  An operand is read by a reader
chosen once per Python type (``_READERS``):

- torch tensors: ``data_ptr()``, ``shape``, ``dtype``, ``get_device()`` and the
  current raw stream, never ``__cuda_array_interface__`` (torch builds a new
  dict on every access, and has no bfloat16 type string for it);
- CuPy arrays: ``.data.ptr``, ``.shape``, ``.dtype``, ``.flags``;
- Numba device arrays (and the simulator's): their attributes;
- anything else: DLPack (``__dlpack_device__`` on a CUDA device, then
  ``__dlpack__(stream=...)`` with the call's stream, 1 for the default stream;
  the capsule is read in place with ctypes), or else ``__cuda_array_interface__``.

Results are allocated by the input's library (torch, CuPy, Numba); the result
for another DLPack producer is handed back through its array namespace's
``from_dlpack`` (JAX in, JAX out), exported by :class:`DLPackArray`.
"""
import ctypes
import sys

import numpy as np

from relukit.cuda import _kernels as K

cuda = K.cuda
BF16 = K.BF16
DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)) + \
    ((BF16,) if BF16 is not None else ())
_U16 = np.dtype(np.uint16)

if K.SIM:
    from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray as _SimArray
else:  # pragma: no cover - simulator only
    _SimArray = ()


def _storage(dtype):
    """The dtype the kernels see: bfloat16 as its uint16 bit patterns."""
    return _U16 if dtype == BF16 else dtype


class _Operand:
    """A checked GPU operand: the original object, its dtype, shape, size,
    device address and kind ('torch', 'cupy', 'numba', 'cai', 'dlpack'), and
    (made on first use: it is slow) a flat Numba view of its storage.  `keep`:
    a DLPack operand's capsule (it must live as long as the operand), a torch
    operand's device index."""
    __slots__ = ("obj", "_dev", "dtype", "shape", "size", "ptr", "kind", "keep")

    def __init__(self, obj, dev, dtype, shape, ptr, size, kind, keep=None):
        self.obj, self._dev, self.dtype, self.shape, self.ptr = obj, dev, dtype, shape, ptr
        self.size, self.kind, self.keep = size, kind, keep

    @property
    def dev(self):
        if self._dev is None:
            self._dev = _flat_view(self.ptr, self.size, _storage(self.dtype), self.obj)
        return self._dev

    def flat(self):
        """A 1-D Numba device array over the same memory (uint16 for bfloat16)."""
        dev = self.dev
        return dev.reshape(self.size) if dev.ndim != 1 else dev


def _flat_view(ptr, size, dtype, owner):
    """A 1-D Numba device array of `size` elements of `dtype` at address `ptr`."""
    if K.SIM:  # the simulator's device memory is host memory
        buf = (ctypes.c_char * (size * dtype.itemsize)).from_address(ptr)
        return _SimArray(np.frombuffer(buf, dtype=dtype))
    desc = {"shape": (size,), "strides": None, "typestr": dtype.str, "data": (ptr, False),
            "version": 2}
    return cuda.from_cuda_array_interface(desc, owner=owner, sync=False)


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
    if strides is None or 0 in shape:  # (an empty array's strides can be anything: NumPy's are 0)
        return True
    want = itemsize
    for dim, st in zip(reversed(shape), reversed(strides)):
        if dim > 1 and st != want:
            return False
        want *= dim
    return True


def _size(shape):
    size = 1
    for d in shape:
        size *= int(d)
    return size


_HOST = (np.ndarray, np.generic, int, float, complex, bool, str, bytes, list, tuple)
_DTYPES = {}


def _dtype_of(typestr):
    d = _DTYPES.get(typestr)
    if d is None:
        d = _DTYPES[typestr] = np.dtype(typestr)
    return d


# ---------------------------------------------------------------- errors (unchanged wording)
def _host_error(op, name, obj):
    what = "NumPy array" if isinstance(obj, np.ndarray) else type(obj).__name__
    return TypeError(
        f"relukit.cuda.{op}: {name} is a {what} in host memory; relukit.cuda "
        "takes GPU arrays (CuPy arrays, PyTorch CUDA tensors, Numba device arrays). Use "
        f"relukit.{op} for NumPy arrays, or copy {name} to the GPU first")


def _dtype_error(op, name, dtype):
    return TypeError(
        f"relukit.cuda.{op}: {name} has dtype {dtype}; relukit.cuda supports float16, "
        "float32, float64 and bfloat16 (convert the array first)")


def _contiguous_error(op, name):
    return ValueError(
        f"relukit.cuda.{op}: {name} is not C-contiguous; relukit.cuda needs contiguous "
        "arrays (make a contiguous copy first, e.g. cupy.ascontiguousarray or "
        "tensor.contiguous())")


def _check_dtype(op, name, dtype):
    if dtype not in DTYPES:
        raise _dtype_error(op, name, dtype)


# ---------------------------------------------------------------- readers, one per type
_READERS = {}


def operand(op, name, obj, stream=None):
    """Check that `obj` is a contiguous float16/32/64 or bfloat16 GPU array and
    wrap it.  `stream` (the call's ``stream=``) is what a DLPack producer is
    asked to order its work before."""
    r = _READERS.get(type(obj))
    if r is None:
        r = _reader_for(obj)
    return r(op, name, obj, stream)


def _reader_for(obj):
    """The reader for objects of type(obj), cached (not for host objects)."""
    if isinstance(obj, _HOST):
        return _read_host
    t = type(obj)
    lib = _library(obj)
    r = _read_generic
    if lib == "torch":
        import torch
        if t is torch.Tensor or t is torch.nn.Parameter:  # (subclasses: the generic reader)
            _torch_setup(torch)
            r = _read_torch
    elif lib == "cupy":
        import cupy
        if isinstance(obj, cupy.ndarray):
            r = _read_cupy
    elif K.SIM and isinstance(obj, _SimArray):
        r = _read_sim
    elif lib == "numba" and hasattr(obj, "device_ctypes_pointer") and hasattr(obj, "dtype"):
        r = _read_numba
    _READERS[t] = r
    return r


def _read_host(op, name, obj, stream):
    raise _host_error(op, name, obj)


# torch: dtype table, device index and current raw stream (hooks, so that a test
# can run the host path on CPU tensors with the launch stubbed out)
_TORCH_DTYPES = {}


def _torch_setup(torch):
    if _TORCH_DTYPES:
        return
    _TORCH_DTYPES.update({torch.float16: DTYPES[0], torch.float32: DTYPES[1],
                          torch.float64: DTYPES[2]})
    if BF16 is not None:
        _TORCH_DTYPES[torch.bfloat16] = BF16
    global _torch_device, _torch_stream, _torch_empty_like
    _torch_device = torch.Tensor.get_device
    _torch_empty_like = torch.empty_like  # x was checked C-contiguous: so is the result
    raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
    if raw is not None:
        _torch_stream = raw
    else:  # pragma: no cover - older torch
        def _torch_stream(index):
            return torch.cuda.current_stream(index).cuda_stream


def _torch_device(t):  # replaced by torch.Tensor.get_device in _torch_setup
    return t.get_device()


def _torch_stream(index):  # replaced in _torch_setup
    raise NotImplementedError


def _read_torch(op, name, t, stream):
    dt = _TORCH_DTYPES.get(t.dtype)
    if dt is None:
        if str(t.dtype) == "torch.bfloat16":
            raise TypeError(f"relukit.cuda.{op}: {name} is bfloat16, which needs the ml_dtypes "
                            "package (pip install ml_dtypes)")
        raise _dtype_error(op, name, str(t.dtype).replace("torch.", ""))
    index = _torch_device(t)
    if index < 0:
        raise TypeError(f"relukit.cuda.{op}: {name} cannot be used on the GPU: it is a torch "
                        f"tensor on {t.device} (copy it with tensor.cuda())")
    if t.requires_grad:
        raise TypeError(f"relukit.cuda.{op}: {name} cannot be used on the GPU: it requires grad "
                        "(pass tensor.detach())")
    if not t.is_contiguous():
        raise _contiguous_error(op, name)
    return _Operand(t, None, dt, t.shape, t.data_ptr(), t.numel(), "torch", index)


def _read_cupy(op, name, a, stream):
    dt = a.dtype
    if dt not in DTYPES:
        raise _dtype_error(op, name, dt)
    if not a.flags.c_contiguous:
        raise _contiguous_error(op, name)
    return _Operand(a, None, dt, a.shape, a.data.ptr, a.size, "cupy")


def _read_sim(op, name, obj, stream):
    dtype = np.dtype(obj.dtype)
    _check_dtype(op, name, dtype)
    shape = tuple(obj.shape)
    if not _c_contiguous(shape, tuple(obj.strides), dtype.itemsize):
        raise _contiguous_error(op, name)
    dev = obj.view(_U16) if dtype == BF16 else obj
    return _Operand(obj, dev, dtype, shape, obj.__array_interface__["data"][0], _size(shape), "numba")


def _read_numba(op, name, obj, stream):
    dtype = obj.dtype
    _check_dtype(op, name, dtype)
    shape = obj.shape
    if not _c_contiguous(shape, obj.strides, dtype.itemsize):
        raise _contiguous_error(op, name)
    dev = obj.view(_U16) if dtype == BF16 else obj
    return _Operand(obj, dev, dtype, shape, obj.device_ctypes_pointer.value or 0, obj.size,
                    "numba")


def _read_generic(op, name, obj, stream):
    if hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__"):
        # DLPack first: it has bfloat16, a stream handshake, and a way back to the
        # producer's own kind (its namespace's from_dlpack)
        return _read_dlpack(op, name, obj, stream)
    try:
        iface = obj.__cuda_array_interface__
    except AttributeError:
        iface = None
    except Exception as exc:  # raises for host memory or an unsupported dtype
        raise TypeError(f"relukit.cuda.{op}: {name} cannot be used on the GPU: {exc}") from exc
    if iface is None:
        raise TypeError(
            f"relukit.cuda.{op}: {name} must be a GPU array with __dlpack__ or "
            "__cuda_array_interface__ (CuPy, PyTorch CUDA, JAX, Numba device array), not "
            f"{type(obj).__name__}")
    dtype = _dtype_of(iface["typestr"])
    _check_dtype(op, name, dtype)
    shape = tuple(iface["shape"])
    if not _c_contiguous(shape, iface.get("strides"), dtype.itemsize):
        raise _contiguous_error(op, name)
    return _Operand(obj, None, dtype, shape, iface["data"][0] or 0, _size(shape), "cai")


# ---------------------------------------------------------------- DLPack in
class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", _DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


class _DLManagedTensor(ctypes.Structure):
    _fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.c_void_p)]


_KDL_CPU, _KDL_CUDA, _KDL_CUDA_MANAGED = 1, 2, 13
_DL_FLOAT, _DL_BFLOAT = 2, 4
_CAPSULE_NAME = b"dltensor"
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _dl_dtype(code, bits, lanes):
    if lanes == 1:
        if code == _DL_FLOAT and bits in (16, 32, 64):
            return DTYPES[{16: 0, 32: 1, 64: 2}[bits]]
        if code == _DL_BFLOAT and bits == 16 and BF16 is not None:
            return BF16
    return None


def _dlpack_stream(op, stream, obj):
    """The DLPack protocol's stream argument for the stream the call runs on:
    1 (the legacy default stream) for the default stream, else its handle."""
    h = _stream(op, stream, obj)
    if not isinstance(h, int):
        h = None if K.SIM else int(h.handle)
    return h or 1


def _read_dlpack(op, name, obj, stream):
    try:
        dev_type, _ = obj.__dlpack_device__()
    except Exception as exc:  # noqa: BLE001
        raise TypeError(f"relukit.cuda.{op}: {name} cannot be used on the GPU: "
                        f"__dlpack_device__ failed: {exc}") from exc
    if dev_type not in (_KDL_CUDA, _KDL_CUDA_MANAGED):
        where = "host memory" if dev_type == _KDL_CPU else f"DLPack device type {dev_type}"
        raise TypeError(f"relukit.cuda.{op}: {name} is in {where}, not on a CUDA device; "
                        "relukit.cuda takes GPU arrays (copy it to the GPU first)")
    s = _dlpack_stream(op, stream, obj)
    try:
        cap = obj.__dlpack__(stream=s)
    except TypeError:  # a producer without the stream keyword
        cap = obj.__dlpack__()
    t = _DLTensor.from_address(_capsule_pointer(cap, _CAPSULE_NAME))
    ndim = t.ndim
    shape = tuple(t.shape[i] for i in range(ndim))
    dt = t.dtype
    dtype = _dl_dtype(dt.code, dt.bits, dt.lanes)
    if dtype is None:
        kinds = {0: "int", 1: "uint", 2: "float", 4: "bfloat", 5: "complex", 6: "bool"}
        what = f"{kinds.get(dt.code, f'code {dt.code}')}{dt.bits}" + \
            (f"x{dt.lanes}" if dt.lanes != 1 else "")
        raise _dtype_error(op, name, what)
    if t.strides:
        strides = tuple(t.strides[i] * dtype.itemsize for i in range(ndim))
        if not _c_contiguous(shape, strides, dtype.itemsize):
            raise _contiguous_error(op, name)
    ptr = (t.data or 0) + t.byte_offset
    return _Operand(obj, None, dtype, shape, ptr, _size(shape), "dlpack", cap)


# ---------------------------------------------------------------- DLPack out
_DELETER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
# address of a DLManagedTensor -> [the struct, its shape array, the device array, the capsule]
_EXPORTS = {}
_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_capsule_valid = ctypes.pythonapi.PyCapsule_IsValid
_capsule_valid.restype = ctypes.c_int
_capsule_valid.argtypes = [ctypes.py_object, ctypes.c_char_p]


@_DELETER
def _dl_deleter(addr):
    # the consumer is done with the memory (DLPack: it calls the deleter)
    _EXPORTS.pop(addr, None)


def _sweep():
    """Release the exports whose capsule was dropped unconsumed.

    The capsules have no destructor (a Python one cannot run while the consumer
    that drops one is raising); instead each capsule is held here, and one that
    only this table still refers to and that still has its name (consumers
    rename the capsules they take) was dropped: its memory is released here, on
    the next export."""
    for addr, e in list(_EXPORTS.items()):
        cap = e[3]
        if sys.getrefcount(cap) <= 3 and _capsule_valid(cap, _CAPSULE_NAME):
            del _EXPORTS[addr]
        cap = None


class DLPackArray:
    """A relukit.cuda result exported through DLPack (``__dlpack__``,
    ``__dlpack_device__``): what a DLPack producer's ``from_dlpack`` receives,
    and what is returned where the input's library cannot take it back.

    Attributes
    ----------
    shape : tuple of int
    dtype : numpy.dtype
        float16/32/64 or ml_dtypes' bfloat16.
    device_array : Numba device array
        The memory (bfloat16 as uint16).
    """

    def __init__(self, dev, dtype, shape, stream=0):
        self.device_array, self.dtype, self.shape, self._stream = dev, dtype, tuple(shape), stream

    def __dlpack_device__(self):
        if K.SIM:  # the simulator's device memory is host memory: say so
            return (_KDL_CPU, 0)
        return (_KDL_CUDA, _device_id(self.device_array))

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        if stream not in (None, -1) and not K.SIM:
            # the consumer's stream must see the kernel: wait for ours (a stream
            # ordered the same way, the legacy default 1 = our 0, needs nothing)
            if not ((stream == 1 and self._stream == 0) or stream == self._stream):
                s = K.numba_stream(self._stream)
                (s.synchronize() if s else cuda.synchronize())
        n = len(self.shape)
        mt = _DLManagedTensor()
        shape = (ctypes.c_int64 * max(n, 1))(*self.shape)
        t = mt.dl_tensor
        t.data = int(self.device_array.__array_interface__["data"][0]) if K.SIM \
            else int(self.device_array.device_ctypes_pointer.value or 0)
        t.device = _DLDevice(*self.__dlpack_device__())
        t.ndim = n
        t.dtype = _DLDataType(_DL_BFLOAT if self.dtype == BF16 else _DL_FLOAT,
                              8 * self.dtype.itemsize, 1)
        t.shape = shape
        t.strides = None
        t.byte_offset = 0
        mt.deleter = ctypes.cast(_dl_deleter, ctypes.c_void_p)
        addr = ctypes.addressof(mt)
        _sweep()
        cap = _capsule_new(addr, _CAPSULE_NAME, None)
        _EXPORTS[addr] = [mt, shape, self.device_array, cap]
        return cap


def _device_id(dev):
    try:
        return int(dev.gpu_data.device.id)
    except AttributeError:
        return int(cuda.get_current_device().id)


def _from_dlpack_like(like, result):
    """`result` (a DLPackArray) as an array of `like`'s library, through its
    array namespace's from_dlpack; the DLPackArray itself where there is none."""
    ns = getattr(like, "__array_namespace__", None)
    if ns is not None:
        try:
            return ns().from_dlpack(result)
        except Exception:  # noqa: BLE001 - a library that cannot take it: return ours
            pass
    return result


# ---------------------------------------------------------------- streams
def _default_stream(x):
    """The input library's current stream (an int handle), for stream=None."""
    if x.kind == "torch":
        return _torch_stream(x.keep)  # (the device index, for torch operands)
    if x.kind == "cupy":
        return sys.modules["cupy"].cuda.get_current_stream().ptr  # (imported: x is one)
    return 0


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


# ---------------------------------------------------------------- results
def same_layout(op, name, a, x, ref="x", shape=None):
    """`a` must have x's dtype and shape (or `shape`): no broadcasting, no casting
    on the GPU.  `ref`: how the messages call x."""
    if a.dtype != x.dtype:
        raise TypeError(f"relukit.cuda.{op}: {name} has dtype {a.dtype} but {ref} has {x.dtype}; "
                        "relukit.cuda does not cast")
    want = x.shape if shape is None else shape
    if tuple(a.shape) != tuple(want):
        raise ValueError(f"relukit.cuda.{op}: {name} has shape {tuple(a.shape)} but {ref} has "
                         f"{tuple(want)}; relukit.cuda does not broadcast")


def _numba_empty(x, stream):
    """A flat Numba device array of x's storage dtype and size."""
    return cuda.device_array(x.size, dtype=_storage(x.dtype), stream=K.numba_stream(stream))


def output(op, x, out, stream):
    """(the object to return, its operand): `out` (checked) or a new array of x's
    kind, allocated by x's library."""
    if out is not None:
        o = operand(op, "out", out, stream)
        same_layout(op, "out", o, x)
        return out, o
    kind = x.kind
    if kind == "torch":
        t = _torch_empty_like(x.obj)
        return t, _Operand(t, None, x.dtype, x.shape, t.data_ptr(), x.size, "torch", x.keep)
    if kind == "cupy":
        a = sys.modules["cupy"].empty(x.shape, dtype=x.dtype)  # (imported: x is one)
        return a, _Operand(a, None, x.dtype, x.shape, a.data.ptr, x.size, "cupy")
    flat = _numba_empty(x, stream)
    ptr = flat.__array_interface__["data"][0] if K.SIM else (flat.device_ctypes_pointer.value or 0)
    o = _Operand(flat, flat, x.dtype, x.shape, ptr, x.size, "numba")
    if kind == "dlpack":
        return _Pending(DLPackArray(flat, x.dtype, x.shape, stream), x.obj), o
    res = flat.reshape(x.shape) if len(x.shape) != 1 else flat
    if x.dtype == BF16:
        res = res.view(BF16)
    return res, o


def _torch_empty_like(t):  # replaced by torch.empty_like in _torch_setup
    raise NotImplementedError


class _Pending:
    """A result to hand over through DLPack once the kernel is launched."""
    __slots__ = ("arr", "like")

    def __init__(self, arr, like):
        self.arr, self.like = arr, like

    def done(self):
        return _from_dlpack_like(self.like, self.arr)


def _finish(res):
    return res.done() if type(res) is _Pending else res


def of_kind(x, dev):
    """A Numba device array `dev` (x's storage dtype) presented as x's kind (zero-copy)."""
    kind = x.kind
    if kind == "torch":
        import torch
        t = torch.as_tensor(dev, device=x.obj.device)
        return t.view(torch.bfloat16) if x.dtype == BF16 else t
    if kind == "cupy":
        import cupy
        a = cupy.asarray(dev)
        return a.view(x.dtype) if x.dtype == BF16 else a
    if kind == "dlpack":
        return _from_dlpack_like(x.obj, DLPackArray(dev.reshape(dev.size), x.dtype, dev.shape))
    return dev.view(BF16) if x.dtype == BF16 else dev


def run(op, row, xs, out, params, stream):
    """Compute row `row` on the checked operands `xs` (x, or g and x in the
    public order) with the scalar `params`; return the result object."""
    x = xs[-1]
    st = _default_stream(x) if stream is None else stream_handle(op, stream, x.obj)
    res, o = output(op, x, out, st)
    n = x.size
    if n == 0:
        return _finish(res)
    if len(xs) == 2:
        g = xs[0]
        arrays = (x, g, o)
        aligned = not (x.ptr % 16 or o.ptr % 16 or g.ptr % 16)
    else:
        arrays = (x, o)
        aligned = not (x.ptr % 16 or o.ptr % 16)
    # (the launcher converts the parameters to the compute type)
    K.launcher(row, x.dtype, "vec" if aligned else "scalar")(st, n, arrays, params)
    return _finish(res)


def run_chan(op, row, xs, out, w_dev, inner, stream):
    """leaky_relu / leaky_relu_bwd with the slope read per element from the
    device array `w_dev` (x's storage dtype): ``w[(i // inner) % len(w)]``."""
    x = xs[-1]
    st = stream_handle(op, stream, x.obj) if stream is not None else _default_stream(x)
    res, o = output(op, x, out, st)
    if x.size == 0:
        return _finish(res)
    arrays = [x] + ([xs[0]] if len(xs) == 2 else []) + [o]
    K.launcher(row, x.dtype, "chan")(st, x.size, arrays, [_Device(w_dev), inner, int(w_dev.size)])
    return _finish(res)


# ---------------------------------------------------------------- the gated family
class _Part:
    """`size` elements of operand `base` from element `start` on (a half of a
    split-form array, contiguous): what a launch needs (``ptr``, ``size``,
    ``flat()``)."""
    __slots__ = ("base", "start", "size", "ptr")

    def __init__(self, base, start, size):
        self.base, self.start, self.size = base, start, size
        self.ptr = base.ptr + start * base.dtype.itemsize

    def flat(self):
        return self.base.flat()[self.start:self.start + self.size]


def output_shaped(op, x, shape, out, stream, ref="x", name="out"):
    """As :func:`output`, for a result of `shape` (x's dtype and kind): `out`
    (checked against `shape`) or a new array allocated by x's library."""
    if out is not None:
        o = operand(op, name, out, stream)
        same_layout(op, name, o, x, ref, shape)
        return out, o
    size = _size(shape)
    kind = x.kind
    if kind == "torch":
        t = x.obj.new_empty(shape)
        return t, _Operand(t, None, x.dtype, shape, t.data_ptr(), size, "torch", x.keep)
    if kind == "cupy":
        a = sys.modules["cupy"].empty(shape, dtype=x.dtype)  # (imported: x is one)
        return a, _Operand(a, None, x.dtype, shape, a.data.ptr, size, "cupy")
    flat = cuda.device_array(size, dtype=_storage(x.dtype), stream=K.numba_stream(stream))
    ptr = flat.__array_interface__["data"][0] if K.SIM else (flat.device_ctypes_pointer.value or 0)
    o = _Operand(flat, flat, x.dtype, shape, ptr, size, "numba")
    if kind == "dlpack":
        return _Pending(DLPackArray(flat, x.dtype, shape, stream), x.obj), o
    res = flat.reshape(shape) if len(shape) != 1 else flat
    if x.dtype == BF16:
        res = res.view(BF16)
    return res, o


def run_gated(row, ins, outs, stream, split=None):
    """Launch gated row `row`.  Two-operand form (`split` None): `ins` the
    operands (a, b) or (g, a, b), `outs` the results (y) or (ga, gb), all of
    one size.  Split form (`split` = (L, outer): x seen as `outer` rows of 2L
    elements, a and b the halves of each row): `ins` (x,) or (g, x), `outs`
    (y,) or (o,), o of x's shape.  `stream`: an int handle or Numba stream."""
    if split is None:
        arrays = list(ins) + list(outs)
        n = outs[0].size
        variant, params = "vec", ()
    else:
        L, outer = split
        n = L * outer
        if outer == 1:  # the halves are contiguous: the two-operand kernels on them
            x = ins[-1]
            halves = [_Part(x, 0, L), _Part(x, L, L)]
            if len(ins) == 1:
                arrays = halves + [outs[0]]
            else:
                arrays = [ins[0]] + halves + [_Part(outs[0], 0, L), _Part(outs[0], L, L)]
            variant, params = "vec", ()
        else:
            arrays = list(ins) + list(outs)
            variant, params = "vec_split", (L,)
            if L % K.lanes(ins[-1].dtype):
                variant = "scalar_split"
    if n == 0:
        return
    if variant != "scalar_split":
        for a in arrays:
            if a.ptr % 16:
                variant = "scalar" if variant == "vec" else "scalar_split"
                break
    K.launcher(row, ins[-1].dtype, variant)(stream, n, arrays, params)
