"""Numba-CUDA kernels generated from the row list in ``_table``, and their launch.

Imported on the first GPU call only (it imports numba-cuda).

Kernel layout (one kernel per row, storage dtype and variant):

1. The op body of the row becomes a local function ``f(x, g, a, b)`` of each
   kernel, in the compute type (see ``_table``), which Numba inlines.
2. ``vec`` variant: each thread moves 16 bytes per operand per access
   (4 float32, 2 float64, 8 float16: one ``ld.global.v4``/``st.global.v4``),
   ``UNROLL`` such vectors per operand, all loaded before any is computed, in
   tiles of ``THREADS * UNROLL`` vectors (see ``kernel_source``); then the
   vectors after the last whole tile and the last ``n mod (16 / itemsize)``
   elements.  Used when every operand's address is 16-byte aligned.
3. ``scalar`` variant: the same loop with element loads (any alignment).
4. ``chan`` variant (leaky_relu rows only): the slope is read per element from
   an array, ``w[(i // inner) % len(w)]``: prelu's per-channel weight and
   rrelu's per-element noise.
4a. The gated rows (``_table.GATED_ROWS``): the forward reads a and b and
   writes y, the backward reads g, a and b and writes both gradients, in the
   same tiles (``vec``, ``scalar``).  Their split form reads a and b as the two
   halves of one array x along an axis, in place: x seen as rows of 2L elements
   (L = the half's size along the axis times the sizes after it), element i of
   a half is at ``i + (i // L) * L`` (a) and L further on (b); ``vec_split``
   (16-byte accesses: L a multiple of the lanes, x and the others aligned) and
   ``scalar_split``.  The backward's split form writes its gradients into the
   two halves of an array of x's shape the same way.  (The long float64 bodies
   of the transcendental backward rows, for float64 and bfloat16 storage, are
   too long for NVVM to unroll the loop over a vector's lanes: their results
   pass through local memory, the L1 cache.)
5. The grid: ``THREADS`` threads per block, one block per tile, at most
   ``BLOCKS_PER_SM`` blocks per SM of the current device (beyond that, blocks
   take tiles again, grid-stride).  Many more blocks than fit on the SMs at
   once: as a block ends, the next one starts its loads.
"""
import math
import re

import numpy as np

try:
    from numba import config as _nconfig
    from numba import cuda
    from numba.cuda import types as nt
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "relukit.cuda needs numba-cuda (and, to compile kernels, the CUDA NVVM/NVRTC "
        "libraries): pip install 'relukit[cuda]'") from exc

from relukit.cuda import _f32
from relukit.cuda._table import ALL_ROWS, GATED_ROWS, HELPERS, ROWS

SIM = bool(_nconfig.ENABLE_CUDASIM)
THREADS = 32 if SIM else 256
UNROLL = {"piece": 4, "math": 2}  # 16-byte vectors in flight per thread and operand, by class
BLOCKS_PER_SM = 2 if SIM else 64  # grid cap: further tiles go round again

_STORAGE = {np.dtype(np.float16): nt.float16, np.dtype(np.float32): nt.float32,
            np.dtype(np.float64): nt.float64}

# bfloat16 (ml_dtypes' NumPy dtype) is stored as its 16-bit patterns: the kernels
# load uint16, widen to float32 exactly (the bits are float32's upper half), run
# the row's float32 computation, round the float32 result to bfloat16 to nearest
# even (NaN stays NaN, quiet), as the CPU's bfloat16 loops do (src/bf16loops.c).
try:
    import ml_dtypes as _ml_dtypes
    BF16 = np.dtype(_ml_dtypes.bfloat16)
    _STORAGE[BF16] = nt.uint16
except ImportError:  # pragma: no cover - ml_dtypes is in relukit[cuda]
    BF16 = None


_CDT = {}


def compute_dtype(row, dtype):
    """The compute dtype of a row for a storage dtype (see ``_table``)."""
    key = (row, dtype)
    c = _CDT.get(key)
    if c is None:
        d = np.dtype(dtype)
        name = "bfloat16" if d == BF16 else d.name
        if d == BF16:  # bfloat16 goes through the float32 computation
            d = np.dtype(np.float32)
        if _f32.uses_f32(row, name):  # the float32 body (_f32): float32 arithmetic
            c = np.dtype(np.float32)
        elif d == np.float64 or (ALL_ROWS[row][2] != "piece" and d != np.float16):
            c = np.dtype(np.float64)
        else:
            c = np.dtype(np.float32)
        _CDT[key] = c
    return c


def unroll(row, variant="vec"):
    """Vectors per operand each thread loads at once in `row`'s `variant` kernel:
    fewer for the transcendental rows (long bodies, compute-bound), one for the
    unaligned and per-channel variants (uncommon; their code stays small)."""
    return UNROLL[ALL_ROWS[row][2]] if variant in ("vec", "vec_split") else 1


def lanes(dtype):
    """Elements per 16-byte access."""
    return 16 // np.dtype(dtype).itemsize


# ---------------------------------------------------------------- 16-byte access
if SIM:
    def ld16(arr, i):
        """The 16 bytes at element i, as a tuple (simulator: plain loads)."""
        return tuple(arr[i:i + 16 // arr.dtype.itemsize])

    def st16(arr, i, vals):
        """Store a tuple of 16 bytes at element i (simulator: plain stores)."""
        for k, v in enumerate(vals):
            arr[i + k] = v

    def _fma(a, b, c):
        """a * b + c rounded once (the simulator's stand-in for the FMA instruction)."""
        if isinstance(a, (np.float32, np.float16)):
            # the product of two float32 is exact in double, the sum rounded to odd
            # (its last bit set where inexact) then rounds to float32 exactly as the
            # exact sum would (53 >= 2 * 24 + 2 bits); exact zeros keep IEEE's signs
            p = float(a) * float(b)
            cc = float(c)
            t = p + cc
            if math.isfinite(t):
                bb = t - p
                err = (p - (t - bb)) + (cc - bb)
                if err != 0 and int(np.array([t]).view(np.uint64)[0]) % 2 == 0:
                    t = float(np.nextafter(t, math.inf if err > 0 else -math.inf))
            return type(a)(t)
        fma = getattr(math, "fma", None)
        if fma is not None:
            return type(a)(fma(float(a), float(b), float(c)))
        from fractions import Fraction
        if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
            return type(a)(float(a) * float(b) + float(c))
        p = Fraction(float(a)) * Fraction(float(b))
        r = p + Fraction(float(c))
        if r == 0:  # an exact zero: IEEE's sign (+0 unless both terms are zeros of one sign)
            return type(a)(0.0) if p != 0 else type(a)(float(a) * float(b) + float(c))
        return type(a)(float(r))

    def bf2f(u):
        """The float32 whose upper half is the bfloat16 bit pattern u (exact)."""
        return np.array([int(u) << 16], np.uint32).view(np.float32)[0]

    def f2bf(f):
        """float32 -> bfloat16 bit pattern, to nearest even; NaN stays NaN (quiet)."""
        u = int(np.array([f], np.float32).view(np.uint32)[0])
        if (u & 0x7FFFFFFF) > 0x7F800000:
            return np.uint16((u >> 16) | 0x0040)
        return np.uint16(((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF)

    def _f32_ns():
        """The float32 bodies' explicit operations (_f32): plain numpy float32 ones."""
        def f2i(v):
            return int(np.array([v], np.float32).view(np.int32)[0])

        def i2f(i):
            return np.array([int(i) & 0xFFFFFFFF], np.uint32).view(np.float32)[0]
        return {"ADD": lambda a, b: a + b, "SUB": lambda a, b: a - b,
                "MUL": lambda a, b: a * b, "DIV": lambda a, b: a / b,
                "f2i": f2i, "i2f": i2f}

    def _math_ns():
        # numpy's scalar functions: like the GPU's, they return inf/0 instead of raising
        return {"exp": np.exp, "expm1": np.expm1, "log1p": np.log1p, "erfc": math.erfc,
                "isnan": math.isnan, "isinf": math.isinf, "fma": _fma, "abs": abs,
                "floor": math.floor, "ldexp": math.ldexp, "I32": int}
else:
    from llvmlite import ir as _ir
    from numba.cuda.extending import intrinsic as _intrinsic

    _I32 = _ir.IntType(32)
    _I16 = _ir.IntType(16)
    _V4 = _ir.VectorType(_I32, 4)

    def _c(k):
        return _ir.Constant(_I32, k)

    @_intrinsic
    def ld16(typingctx, arr, idx):
        """Load the 16 bytes at element idx of a contiguous 1-D array as one
        128-bit access (``ld.global.v4.u32``/``.f32``/``v2.f64``): a tuple of
        16 / itemsize elements.  The address must be 16-byte aligned."""
        dt = arr.dtype
        n = 16 // (dt.bitwidth // 8)
        ret = nt.UniTuple(dt, n)

        def codegen(context, builder, sig, args):
            ary = context.make_array(arr)(context, builder, args[0])
            ptr = builder.gep(ary.data, [args[1]])
            elt = context.get_data_type(dt)
            w = builder.load(builder.bitcast(ptr, _V4.as_pointer()), align=16)
            if n == 8:  # halves: split the 32-bit words (a <8 x half> load is split in two)
                vals = []
                for k in range(8):
                    u = builder.extract_element(w, _c(k // 2))
                    if k % 2:
                        u = builder.lshr(u, _c(16))
                    h = builder.trunc(u, _I16)
                    vals.append(h if elt == _I16 else builder.bitcast(h, elt))
            else:
                v = builder.bitcast(w, _ir.VectorType(elt, n))
                vals = [builder.extract_element(v, _c(k)) for k in range(n)]
            return context.make_tuple(builder, ret, vals)

        return ret(arr, idx), codegen

    @_intrinsic
    def st16(typingctx, arr, idx, vals):
        """Store a tuple of 16 / itemsize elements at element idx as one 128-bit
        access.  The address must be 16-byte aligned."""
        dt = arr.dtype
        n = 16 // (dt.bitwidth // 8)

        def codegen(context, builder, sig, args):
            ary = context.make_array(arr)(context, builder, args[0])
            ptr = builder.gep(ary.data, [args[1]])
            elt = context.get_data_type(dt)
            t = args[2]
            if n == 8:
                w = _ir.Constant(_V4, _ir.Undefined)
                for k in range(4):
                    lo = builder.zext(_as_i16(builder, builder.extract_value(t, 2 * k)), _I32)
                    hi = builder.zext(_as_i16(builder, builder.extract_value(t, 2 * k + 1)), _I32)
                    w = builder.insert_element(w, builder.or_(lo, builder.shl(hi, _c(16))), _c(k))
            else:
                v = _ir.Constant(_ir.VectorType(elt, n), _ir.Undefined)
                for k in range(n):
                    v = builder.insert_element(v, builder.extract_value(t, k), _c(k))
                w = builder.bitcast(v, _V4)
            builder.store(w, builder.bitcast(ptr, _V4.as_pointer()), align=16)
            return context.get_dummy_value()

        return nt.void(arr, idx, vals), codegen

    def _as_i16(builder, v):
        return v if v.type == _I16 else builder.bitcast(v, _I16)

    @_intrinsic
    def bf2f(typingctx, u):
        """The float32 whose upper half is the bfloat16 bit pattern u (a uint16): exact."""
        def codegen(context, builder, sig, args):
            w = builder.shl(builder.zext(args[0], _I32), _c(16))
            return builder.bitcast(w, _ir.FloatType())
        return nt.float32(nt.uint16), codegen

    @_intrinsic
    def f2bf(typingctx, f):
        """float32 -> bfloat16 bit pattern (uint16), to nearest even; NaN keeps its
        sign and high payload, with the quiet bit set (src/bf16loops.c)."""
        def codegen(context, builder, sig, args):
            v = args[0]
            u = builder.bitcast(v, _I32)
            hi = builder.lshr(u, _c(16))
            rounded = builder.lshr(builder.add(builder.add(u, _c(0x7FFF)),
                                               builder.and_(hi, _c(1))), _c(16))
            nan = builder.fcmp_unordered("uno", v, v)
            r = builder.select(nan, builder.or_(hi, _c(0x40)), rounded)
            return builder.trunc(r, _I16)
        return nt.uint16(nt.float32), codegen

    f2i, i2f = _f32.bit_intrinsics(_intrinsic, nt)

    def _f32_ns():
        """The float32 bodies' explicit operations (_f32): libdevice's correctly rounded
        ones, which NVVM does not contract into FMAs."""
        from numba.cuda import libdevice as LD
        return {"ADD": LD.fadd_rn, "SUB": LD.fsub_rn, "MUL": LD.fmul_rn, "DIV": LD.fdiv_rn,
                "f2i": f2i, "i2f": i2f}

    def _math_ns():
        return {"exp": math.exp, "expm1": math.expm1, "log1p": math.log1p, "erfc": math.erfc,
                "isnan": math.isnan, "isinf": math.isinf, "floor": math.floor,
                "ldexp": math.ldexp, "I32": nt.int32}


# ---------------------------------------------------------------- source generation
def _indent(body, spaces):
    lines = [ln for ln in body.splitlines() if ln.strip()]
    cut = min(len(ln) - len(ln.lstrip()) for ln in lines)
    return "\n".join(" " * spaces + ln[cut:] for ln in lines)


def _body_function(row, f32=False, gpu=not SIM):
    """The op body of `row` as the source of a local function ``f`` (defined
    inside each kernel, so Numba inlines it there; a separate device function
    would need a GPU at compile time to learn its target).  With `f32`, ``f`` is
    the row's float32 body (_f32), and the generic body, in float64 (``K`` read
    as ``D``), is its ``RARE``.  `gpu`: ``fma`` as the CUDA module's."""
    if row in GATED_ROWS:
        return _gated_body_function(row, f32, gpu)
    body = _indent(ROWS[row][3], 8)
    helpers = "".join(_indent(src, 4) + "\n" for name, src in HELPERS.items()
                      if name + "(" in body)
    if f32:
        src = re.sub(r"\bK\(", "D(", helpers + "    def f64(x, g, a, b):\n" + body + "\n")
        src += ("    def RARE(x, g, a, b):\n"
                "        return F32(f64(D(x), D(g), D(a), D(b)))\n")
        src += _indent(_f32.f32_source(row), 4) + "\n"
    else:
        src = helpers + "    def f(x, g, a, b):\n" + body + "\n"
    if gpu:  # the FMA instruction is typed as an attribute of the cuda module
        src = src.replace("fma(", "cuda.fma(")
    return src


def _gated_body_function(row, f32, gpu):
    """As :func:`_body_function`, for a gated row: ``f(a, b)`` (forward) or
    ``f(g, a, b)`` returning the pair (backward), and the local functions its
    body calls; with `f32`, the float32 body, and the generic body in float64 as
    its ``RARE`` (each result rounded once to float32)."""
    ins = "a, b" if GATED_ROWS[row][0] == 2 else "g, a, b"
    body = _indent(GATED_ROWS[row][3], 8)
    local = _local_functions(body)
    if f32:
        src = re.sub(r"\bK\(", "D(", local + f"    def f64({ins}):\n" + body + "\n")
        conv = ", ".join(f"D({v})" for v in ins.split(", "))
        if GATED_ROWS[row][0] == 2:
            src += f"    def RARE({ins}):\n        return F32(f64({conv}))\n"
        else:
            src += (f"    def RARE({ins}):\n        u, v = f64({conv})\n"
                    "        return F32(u), F32(v)\n")
        src += _indent(_f32.f32_source(row), 4) + "\n"
    else:
        src = local + f"    def f({ins}):\n" + body + "\n"
    if gpu:
        src = src.replace("fma(", "cuda.fma(")
    return src


def _namespace(cdtype, dtype, f32=False):
    """The globals of a kernel body for its compute and storage dtypes (`f32`: the
    row's float32 body, whose RARE is the generic body in float64)."""
    ns = {"K": _STORAGE[np.dtype(cdtype)], "CT": f32 or np.dtype(cdtype) == np.float64,
          "DW": np.dtype(dtype) == np.float64, "D": nt.float64}
    ns.update(_math_ns())
    ns.update(_f32_ns())
    return ns


def kernel_source(row, dtype, variant):
    """Python source of the kernel of `row` for storage `dtype` and `variant`
    ('vec', 'scalar' or 'chan'), and its argument names.

    Work is cut into tiles of ``THREADS * UNROLL`` vectors of ``16 / itemsize``
    elements; block b takes tiles b, b + gridDim, ...  In a tile, thread t loads
    the vectors t, t + THREADS, ... (``UNROLL`` of them, every operand, all
    before any is computed, so each thread keeps ``UNROLL`` 16-byte loads in
    flight, and consecutive threads touch consecutive 16 bytes).  Then the
    vectors after the last whole tile, one per thread, and the last
    ``n mod lanes`` elements.  The lanes of a vector go through a loop over a
    local array, which NVVM unrolls and keeps in registers."""
    if row in GATED_ROWS:
        return gated_kernel_source(row, dtype, variant)
    nin = ROWS[row][0]
    N = lanes(dtype)
    U = unroll(row, variant)
    arrays = ["x", "g"] if nin == 2 else ["x"]
    params = ["w", "inner", "nch"] if variant == "chan" else ["a", "b"]
    args = ["n"] + arrays + ["y"] + params
    chan = variant == "chan"
    vec = variant == "vec"
    bf = BF16 is not None and np.dtype(dtype) == BF16

    def ld(e):  # a stored element in the compute type
        return f"C(bf2f({e}))" if bf else f"C({e})"

    def call(xe, ge, idx):
        pa = ld(f"w[({idx}) // inner % nch]") if chan else "a"
        pb = "C(0.0)" if chan else "b"
        v = f"f({ld(xe)}, {ld(ge) if nin == 2 else 'C(0.0)'}, {pa}, {pb})"
        # bfloat16: the float32 result (rounded once to float32, as the float32 kernel
        # stores it), then rounded to bfloat16
        return f"f2bf(F32({v}))" if bf else f"S({v})"

    def load(a, i):
        return f"ld16({a}, {i})" if vec else "(" + ", ".join(f"{a}[{i} + {k}]" for k in range(N)) + ",)"

    def compute_store(u, i):
        ln = [f"for k in range({N}):",
              f"    R[k] = {call(f'X{u}[k]', f'G{u}[k]', f'{i} + k')}"]
        if vec:
            ln.append(f"st16(y, {i}, (" + ", ".join(f"R[{k}]" for k in range(N)) + ",))")
        else:
            ln.append(f"for k in range({N}):")
            ln.append(f"    y[{i} + k] = R[k]")
        return ln

    L = [f"def kernel({', '.join(args)}):",
         _body_function(row, _f32.uses_f32(row, "bfloat16" if bf else
                                           np.dtype(dtype).name)).rstrip("\n"),
         "    tid = cuda.threadIdx.x",
         "    bid = cuda.blockIdx.x",
         "    nb = cuda.gridDim.x",
         f"    R = cuda.local.array({N}, S)",
         f"    nvec = n // {N}",
         f"    ntile = nvec // {THREADS * U}",
         "    tile = bid",
         "    while tile < ntile:",
         f"        base = tile * {THREADS * U} + tid"]
    body = [f"i{u} = (base + {u * THREADS}) * {N}" for u in range(U)]
    for u in range(U):
        body += [f"{a.upper()}{u} = {load(a, f'i{u}')}" for a in arrays]
    for u in range(U):
        body += compute_store(u, f"i{u}")
    body.append("tile += nb")
    L += ["        " + ln for ln in body]
    L += [f"    v = ntile * {THREADS * U} + bid * {THREADS} + tid",
          "    while v < nvec:",
          f"        i0 = v * {N}"]
    L += [f"        {a.upper()}0 = {load(a, 'i0')}" for a in arrays]
    L += ["        " + ln for ln in compute_store(0, "i0")]
    L += [f"        v += nb * {THREADS}",
          f"    j = nvec * {N} + bid * {THREADS} + tid",
          "    if j < n:",
          f"        y[j] = {call('x[j]', 'g[j]', 'j')}"]
    return "\n".join(L) + "\n", args


def _local_functions(body):
    """Source of the local functions a gated body calls (indented for a kernel):
    ``gated_<row>`` (a gated forward row, from a backward), ``row_<row>`` (a
    one-operand row: the activation or its gradient) and the helpers, each
    defined once, the called before the callers."""
    defs = {}
    todo = [body]
    while todo:
        text = todo.pop()
        for name, (_, _, _, src) in GATED_ROWS.items():
            key = "gated_" + name
            if key + "(" in text and key not in defs:
                defs[key] = f"    def {key}(a, b):\n" + _indent(src, 8) + "\n"
                todo.append(src)
        for name, (_, _, _, src) in ROWS.items():
            key = "row_" + name
            if key + "(" in text and key not in defs:
                defs[key] = f"    def {key}(x, g, a, b):\n" + _indent(src, 8) + "\n"
                todo.append(src)
        for name, src in HELPERS.items():
            if name + "(" in text and name not in defs:
                defs[name] = _indent(src, 4) + "\n"
                todo.append(src)
    # helpers first (they call no row), then the one-operand rows, then the gated ones
    order = [n for n in HELPERS if n in defs] + [k for k in defs if k.startswith("row_")] + \
        [k for k in defs if k.startswith("gated_")]
    return "".join(defs[k] for k in order)


def gated_kernel_source(row, dtype, variant):
    """Python source of a gated row's kernel for storage `dtype` and `variant`
    ('vec', 'scalar', 'vec_split', 'scalar_split'), and its argument names.

    The tiles are those of :func:`kernel_source`.  Arguments: the contiguous
    variants ``(n, a, b, y)`` (forward) and ``(n, g, a, b, ga, gb)``
    (backward), each array n elements; the split variants ``(n, L, x, y)`` and
    ``(n, L, g, x, o)``: a and b are the halves of x (2n elements, rows of 2L:
    element i of a half is at ``i + (i // L) * L``, b's L further on), and the
    backward writes ga and gb into the same places of o (x's shape)."""
    nin = GATED_ROWS[row][0]
    fwd = nin == 2
    N = lanes(dtype)
    U = unroll(row, variant)
    split = variant.endswith("_split")
    vec = variant in ("vec", "vec_split")
    bf = BF16 is not None and np.dtype(dtype) == BF16
    if split:
        args = ["n", "L"] + (["x", "y"] if fwd else ["g", "x", "o"])
    else:
        args = ["n"] + (["xa", "xb", "y"] if fwd else ["xg", "xa", "xb", "oa", "ob"])
    ins = ["a", "b"] if fwd else ["g", "a", "b"]
    outs = ["y"] if fwd else ["ga", "gb"]

    def place(op, i, base):
        """(array, index) of operand `op` for element i of the half (its split
        position `base`)."""
        if not split:
            return {"a": "xa", "b": "xb", "g": "xg", "y": "y", "ga": "oa", "gb": "ob"}[op], i
        if op in ("a", "ga"):
            return ("x" if op == "a" else "o"), base
        if op in ("b", "gb"):
            return ("x" if op == "b" else "o"), f"{base} + L"
        return op, i  # g and y: contiguous, the shape of a half

    def ld(e):  # a stored element in the compute type
        return f"C(bf2f({e}))" if bf else f"C({e})"

    def st(v):  # a computed value as stored: bfloat16 through the float32 result
        return f"f2bf(F32({v}))" if bf else f"S({v})"

    def bases(u, i):
        """Lines defining the split position(s) of vector u starting at element i."""
        if not split:
            return []
        if vec:  # a whole vector lies in one row (L is a multiple of the lanes)
            return [f"P{u} = {i} + ({i} // L) * L"]
        return [f"P{u}_{k} = ({i} + {k}) + (({i} + {k}) // L) * L" for k in range(N)]

    def load(op, u, i):
        if vec:
            a, idx = place(op, i, f"P{u}")
            return f"{op.upper()}{u} = ld16({a}, {idx})"
        elems = []
        for k in range(N):
            a, idx = place(op, f"{i} + {k}", f"P{u}_{k}")
            elems.append(f"{a}[{idx}]")
        return f"{op.upper()}{u} = (" + ", ".join(elems) + ",)"

    def compute_store(u, i):
        call = "f(" + ", ".join(ld(f"{op.upper()}{u}[k]") for op in ins) + ")"
        ln = [f"for k in range({N}):"]
        if fwd:
            ln.append(f"    R0[k] = {st(call)}")
        else:
            ln += [f"    v0, v1 = {call}", f"    R0[k] = {st('v0')}", f"    R1[k] = {st('v1')}"]
        for j, op in enumerate(outs):
            if vec:
                a, idx = place(op, i, f"P{u}")
                ln.append(f"st16({a}, {idx}, (" + ", ".join(f"R{j}[{k}]" for k in range(N)) + ",))")
            else:
                for k in range(N):
                    a, idx = place(op, f"{i} + {k}", f"P{u}_{k}")
                    ln.append(f"{a}[{idx}] = R{j}[{k}]")
        return ln

    src = _body_function(row, _f32.uses_f32(row, "bfloat16" if bf else np.dtype(dtype).name))
    L = [f"def kernel({', '.join(args)}):",
         src.rstrip("\n"),
         "    tid = cuda.threadIdx.x",
         "    bid = cuda.blockIdx.x",
         "    nb = cuda.gridDim.x"]
    L += [f"    R{j} = cuda.local.array({N}, S)" for j in range(len(outs))]
    L += [f"    nvec = n // {N}",
          f"    ntile = nvec // {THREADS * U}",
          "    tile = bid",
          "    while tile < ntile:",
          f"        base = tile * {THREADS * U} + tid"]
    tb = [f"i{u} = (base + {u * THREADS}) * {N}" for u in range(U)]
    for u in range(U):
        tb += bases(u, f"i{u}")
    for u in range(U):
        tb += [load(op, u, f"i{u}") for op in ins]
    for u in range(U):
        tb += compute_store(u, f"i{u}")
    tb.append("tile += nb")
    L += ["        " + ln for ln in tb]
    L += [f"    v = ntile * {THREADS * U} + bid * {THREADS} + tid",
          "    while v < nvec:",
          f"        i0 = v * {N}"]
    L += ["        " + ln for ln in bases(0, "i0")]
    L += ["        " + load(op, 0, "i0") for op in ins]
    L += ["        " + ln for ln in compute_store(0, "i0")]
    L += [f"        v += nb * {THREADS}",
          f"    j = nvec * {N} + bid * {THREADS} + tid",
          "    if j < n:"]
    if split:
        L.append("        pj = j + (j // L) * L")
    tail = {}
    for op in ins + outs:
        a, idx = place(op, "j", "pj")
        tail[op] = f"{a}[{idx}]"
    call = "f(" + ", ".join(ld(tail[op]) for op in ins) + ")"
    if fwd:
        L.append(f"        {tail['y']} = {st(call)}")
    else:
        L += [f"        v0, v1 = {call}",
              f"        {tail['ga']} = {st('v0')}",
              f"        {tail['gb']} = {st('v1')}"]
    return "\n".join(L) + "\n", args


def kernel_signature(row, dtype, variant):
    """The Numba signature of a kernel (explicit, so it compiles once)."""
    dtype = np.dtype(dtype)
    st = _STORAGE[dtype]
    arr = st[::1]
    if row in GATED_ROWS:  # no scalar parameters; the split variants take L
        nin = GATED_ROWS[row][0]
        if variant.endswith("_split"):
            return nt.void(nt.int64, nt.int64, *[arr] * (2 if nin == 2 else 3))
        return nt.void(nt.int64, *[arr] * (3 if nin == 2 else 5))
    ct = _STORAGE[compute_dtype(row, dtype)]
    arrays = [arr] * (ROWS[row][0] + 1)
    if variant == "chan":
        return nt.void(nt.int64, *arrays, arr, nt.int64, nt.int64)
    return nt.void(nt.int64, *arrays, ct, ct)


def python_kernel(row, dtype, variant):
    """The kernel of (row, dtype, variant) as a plain Python function, with its
    globals bound, ready for ``cuda.jit`` or ``cuda.compile_ptx``."""
    dtype = np.dtype(dtype)
    cdt = compute_dtype(row, dtype)
    src, _ = kernel_source(row, dtype, variant)
    ns = _namespace(cdt, dtype, _f32.uses_f32(row, "bfloat16" if dtype == BF16 else dtype.name))
    ns.update({"cuda": cuda, "ld16": ld16, "st16": st16, "C": _STORAGE[cdt], "S": _STORAGE[dtype],
               "F32": nt.float32, "bf2f": bf2f, "f2bf": f2bf})
    exec(compile(src, f"<relukit.cuda kernel {row} {dtype.name} {variant}>", "exec"), ns)
    fn = ns["kernel"]
    fn.__name__ = f"rk_{dtype.name}_{row}_{variant}"
    fn.__qualname__ = fn.__name__
    return fn


_KERNELS = {}


def get_kernel(row, dtype, variant):
    """The compiled kernel (compiled on first use, then cached)."""
    key = (row, np.dtype(dtype), variant)
    k = _KERNELS.get(key)
    if k is None:
        fn = python_kernel(row, dtype, variant)
        try:
            k = cuda.jit(kernel_signature(row, dtype, variant))(fn) if not SIM else cuda.jit(fn)
        except AttributeError as exc:  # numba-cuda too old for this NumPy
            if "row_stack" in str(exc) or "numpy" in str(exc):
                raise RuntimeError(
                    f"relukit.cuda: numba-cuda cannot compile with NumPy {np.__version__} "
                    f"({exc}); install a NumPy it supports, e.g. pip install 'numpy<2.5' "
                    "(the relukit[cuda] extra pins a working set)") from exc
            raise
        _KERNELS[key] = k
    return k


# ---------------------------------------------------------------- the rrelu noise and prelu weight-gradient kernels
def _rrelu_noise(n, x, noise):
    t = cuda.grid(1)
    T = cuda.gridsize(1)
    i = t
    while i < n:
        if not (x[i] <= 0):  # a slope where x <= 0, as torch and the CPU
            noise[i] = 1
        i += T


_PRELU_WGRAD = """
def kernel(n, g, x, inner, nch, acc):
    # acc[c] += g * x where x < 0, per channel c = (i // inner) % nch, in acc's dtype
    T = cuda.gridsize(1)
    i = cuda.grid(1)
    while i < n:
        xv = x[i]
        if xv < 0:
            cuda.atomic.add(acc, (i // inner) % nch, A(g[i]) * A(xv))
        i += T
"""

_AUX = {}


def aux_kernel(name, dtype):
    """The rrelu-noise or prelu weight-gradient kernel for `dtype`."""
    key = (name, np.dtype(dtype))
    k = _AUX.get(key)
    if k is None:
        if name == "rrelu_noise":
            k = cuda.jit(_rrelu_noise)
        else:
            ns = {"cuda": cuda, "A": nt.float64 if np.dtype(dtype) == np.float64 else nt.float32}
            exec(compile(_PRELU_WGRAD, "<relukit.cuda prelu weight gradient>", "exec"), ns)
            k = cuda.jit(ns["kernel"])
        _AUX[key] = k
    return k


# ---------------------------------------------------------------- launch
_SMS = {}


def sm_count():
    """Number of SMs of the current device (1 in the simulator)."""
    if SIM:
        return 1
    dev = cuda.get_current_device()
    n = _SMS.get(dev.id)
    if n is None:
        n = _SMS[dev.id] = int(dev.MULTIPROCESSOR_COUNT)
    return n


def grid_for(work_items):
    """Blocks for a grid-stride loop over `work_items` (at least 1)."""
    want = max(1, -(-work_items // THREADS))
    return min(want, sm_count() * BLOCKS_PER_SM)


def launch(row, dtype, variant, stream, n, arrays, params):
    """Run the kernel of `row` on the operands ``arrays`` (x, [g,] y: objects
    with ``ptr``, ``size`` and ``flat()``, see ``_arrays._Operand``; a gated
    row: the arrays of its kernel's arguments, in order) with the scalar
    `params` (a gated row: none, or L for its split variants) on the stream
    with handle `stream` (an int; 0: the default stream)."""
    launcher(row, dtype, variant)(stream, n, arrays, params)


_LAUNCHERS = {}


def launcher(row, dtype, variant):
    """The cached :class:`Launcher` of (row, storage dtype, variant)."""
    key = (row, dtype, variant)
    f = _LAUNCHERS.get(key)
    if f is None:
        f = _LAUNCHERS[key] = Launcher(row, np.dtype(dtype), variant)
    return f


class Launcher:
    """Everything about launching one kernel that does not change from call to
    call, worked out once: the compiled function, the elements a block covers,
    the grid cap, the parameter ctype, the argument layout.  A call then only
    fills in the length, the addresses, the parameters and the stream.

    Direct launches hand the compiled function its arguments as Numba lays them
    out (n; per 1-D array: meminfo, parent, size, itemsize, data, shape, stride;
    then the parameters) through cuda.core; where that is unavailable (the
    simulator, another numba-cuda), the call goes through Numba's dispatcher.
    """
    __slots__ = ("row", "dtype", "variant", "per_block", "isz", "fast", "kern", "ctype",
                 "max_blocks", "zeros", "gated")

    def __init__(self, row, dtype, variant):
        self.row, self.dtype, self.variant = row, dtype, variant
        self.gated = row in GATED_ROWS
        self.per_block = THREADS * lanes(dtype) * unroll(row, variant)
        self.isz = dtype.itemsize
        self.fast = None  # None: not tried yet; then True or False
        self.kern = self.ctype = self.zeros = None
        self.max_blocks = 0

    def _resolve(self):
        f = _fast_kernel(self.row, self.dtype, self.variant)
        if f is None:
            self.fast = False
            return
        # cuda.core passes a Python float (NumPy's float64 is one) as a double and a
        # NumPy float32 as a float, both checked early in its argument conversion
        self.kern = f[0]
        self.ctype = compute_dtype(self.row, self.dtype).type
        self.zeros = (self.ctype(0.0), self.ctype(0.0))
        self.max_blocks = sm_count() * BLOCKS_PER_SM
        self.fast = True

    def __call__(self, stream, n, arrays, params):
        if not self.fast:
            if self.fast is None:
                self._resolve()
                return self(stream, n, arrays, params)
            return self._dispatch(stream, n, arrays, params)
        blocks = -(-n // self.per_block)
        if blocks > self.max_blocks:
            blocks = self.max_blocks
        cfg = _CONFIGS.get(blocks)
        if cfg is None:
            cfg = _config(blocks)
        st = _STREAMS.get(stream)
        if st is None:
            st = _core_stream(stream)
        if self.gated:  # n [, L], then each array (its own size: x of a split form has 2n)
            isz = self.isz
            args = [n, *params]
            for a in arrays:
                args += (0, 0, a.size, isz, a.ptr, a.size, isz)
            _core_launch(st, cfg, self.kern, *args)
            return
        # Numba's layout: n, then per 1-D array (meminfo, parent, size, itemsize, data,
        # shape, stride), then the parameters; a Python int goes in as 8 bytes
        isz = self.isz
        if self.variant == "chan":
            w, inner, nch = params
            ps = (0, 0, w.size, isz, w.ptr, w.size, isz, inner, nch)
        elif params:  # one or two scalars, converted only where they are not yet
            c = self.ctype
            p0 = params[0]
            if type(p0) is not c:
                p0 = c(p0)
            if len(params) == 1:
                ps = (p0, self.zeros[1])
            else:
                p1 = params[1]
                ps = (p0, p1 if type(p1) is c else c(p1))
        else:
            ps = self.zeros
        if len(arrays) == 2:
            x, y = arrays
            _core_launch(st, cfg, self.kern, n, 0, 0, n, isz, x.ptr, n, isz,
                         0, 0, n, isz, y.ptr, n, isz, *ps)
        else:
            x, g, y = arrays
            _core_launch(st, cfg, self.kern, n, 0, 0, n, isz, x.ptr, n, isz,
                         0, 0, n, isz, g.ptr, n, isz, 0, 0, n, isz, y.ptr, n, isz, *ps)

    def _dispatch(self, stream, n, arrays, params):
        k = get_kernel(self.row, self.dtype, self.variant)
        blocks = grid_for(-(-n // (lanes(self.dtype) * unroll(self.row, self.variant))))
        if self.gated:
            k[blocks, THREADS, numba_stream(stream)](n, *[np.int64(p) for p in params],
                                                     *[a.flat() for a in arrays])
            return
        if self.variant == "chan":
            params = [params[0].flat(), np.int64(params[1]), np.int64(params[2])]
        else:
            c = compute_dtype(self.row, self.dtype).type
            params = [c(p) for p in params] + [c(0)] * (2 - len(params))
        k[blocks, THREADS, numba_stream(stream)](n, *[a.flat() for a in arrays], *params)


def numba_stream(s):
    """A Numba stream (or 0, the default stream) for an int handle; a Numba
    stream object as it is."""
    if isinstance(s, int):
        return cuda.external_stream(s) if s else 0
    return s


def stream_int(s):
    """The int handle of a stream given as an int or a Numba stream object (the
    simulator keeps its objects)."""
    if SIM or isinstance(s, int):
        return s
    return int(s.handle)


# ---------------------------------------------------------------- direct launch
# Numba's dispatcher spends a few hundred microseconds per call (typing the
# arguments, wrapping each array as a device array), far more than a kernel on a
# few megabytes takes.  The kernels here have fixed signatures, so a call can
# hand the compiled function its arguments as Numba lays them out (each 1-D
# array: meminfo, parent, size, itemsize, data, shape, stride) and launch it
# through cuda.core directly.  Where this numba-cuda lacks the internals used
# (checked once, on the first launch), every call takes the dispatcher.
import ctypes

FAST_LAUNCH = {"enabled": not SIM, "reason": "simulator" if SIM else ""}
# cuda.core's launch and LaunchConfig, Numba's stream conversion: set on the first launch
_core_launch = _LaunchConfig = _core_stream_of = _GE_1_0 = None
_FAST = {}
_CONFIGS = {}
_STREAMS = {}


def _fast_kernel(row, dtype, variant):
    """(cuda.core kernel, parameter ctype) of a row's kernel, or None when
    direct launches are unavailable (the launcher passes parameters as Python
    floats or NumPy float32, which cuda.core converts as fast)."""
    if not FAST_LAUNCH["enabled"]:
        return None
    key = (row, np.dtype(dtype), variant)
    f = _FAST.get(key)
    if f is None:
        try:
            global _core_launch, _LaunchConfig, _core_stream_of, _GE_1_0
            from cuda.core import LaunchConfig as _LaunchConfig
            from cuda.core import launch as _core_launch
            from numba.cuda._compat import CUDA_CORE_GE_1_0 as _GE_1_0
            from numba.cuda.cudadrv.driver import _to_core_stream as _core_stream_of
            k = get_kernel(row, dtype, variant)
            (ovl,) = k.overloads.values()
            kern = ovl._codelibrary.get_cufunc().kernel
        except Exception as exc:  # noqa: BLE001 - any other numba-cuda: the dispatcher
            FAST_LAUNCH.update(enabled=False, reason=f"{type(exc).__name__}: {exc}")
            return None
        cdt = compute_dtype(row, dtype)
        f = _FAST[key] = (kern, ctypes.c_double if cdt == np.float64 else ctypes.c_float)
    return f


def _config(blocks):
    c = _CONFIGS.get(blocks)
    if c is None:
        kw = {"is_cooperative": False} if _GE_1_0 else {"cooperative_launch": False}
        c = _CONFIGS[blocks] = _LaunchConfig(grid=blocks, block=THREADS, shmem_size=0, **kw)
    return c


def _core_stream(handle):
    s = _STREAMS.get(handle)
    if s is None:
        s = _core_stream_of(numba_stream(handle))
        if len(_STREAMS) > 64:
            _STREAMS.clear()
        _STREAMS[handle] = s
    return s


def aux_launch(name, dtype, stream, n, args):
    k = aux_kernel(name, dtype)
    k[grid_for(n), THREADS, stream](n, *args)
