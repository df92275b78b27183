# The ufuncs, built at import from the kernel list (src/kernels.inc) and the
# kernel table of the selected SIMD target.
import os

cimport numpy as cnp
from libc.stdint cimport uint32_t, uint64_t
from libc.stdlib cimport malloc
from libc.string cimport memset

from relukit._docs import UFUNC_DOCS

cnp.import_array()
cnp.import_ufunc()

cdef extern from "relukit.h" nogil:
    ctypedef void (*rk_loop)(char **args, const cnp.npy_intp *dims,
                             const cnp.npy_intp *steps, void *data)
    ctypedef struct rk_table:
        pass
    ctypedef struct rk_opinfo:
        const char *name
        int nin
        int npar
        int ints
        rk_loop *loop
        void **data
        void *data_f16p32
    enum:
        RK_NDTYPES
        RK_NOPS
        RK_NTARGETS
        RK_f16
        RK_f32
        RK_f64
        RK_i8
        RK_u8
        RK_i16
        RK_u16
        RK_i32
        RK_u32
        RK_i64
        RK_u64
    const char *rk_target_name(int target)
    int rk_target_compiled(int target)
    int rk_target_supported(int target)
    int rk_best_target()
    const rk_table *rk_get_table(int target)
    const char *rk_cpu_features()
    void rk_fill_opinfo(const rk_table *t, rk_opinfo *info)
    ctypedef struct rk_refinfo:
        const void *entry
        int nin
        int npar
        rk_loop loop_d
        rk_loop loop_g
    int rk_fill_refinfo(rk_refinfo *info)
    void rk_set_tuning(size_t grain, size_t stream_bytes)
    void rk_get_tuning(size_t *grain, size_t *stream_bytes)
    int rk_get_num_threads()
    void rk_set_num_threads(int n)
    int rk_available_cpus()
    int rk_env_num_threads()
    int rk_verify_f32(const rk_opinfo *const *ops, int nops, const rk_refinfo *ref,
                      uint64_t lo, uint64_t hi, float pa, float pb, float g, int exact,
                      double bound, double *maxerr, uint32_t *worst, uint64_t *nbad)


def _target_names():
    return [rk_target_name(t).decode() for t in range(RK_NTARGETS)]


TARGETS = tuple(_target_names())
COMPILED_TARGETS = tuple(n for t, n in enumerate(TARGETS) if rk_target_compiled(t))
SUPPORTED_TARGETS = tuple(n for t, n in enumerate(TARGETS) if rk_target_supported(t))
BEST_TARGET = TARGETS[rk_best_target()]
CPU_FEATURES = rk_cpu_features().decode()


def choose_target(forced, compiled=COMPILED_TARGETS, supported=SUPPORTED_TARGETS,
                  best=BEST_TARGET, cpu_features=CPU_FEATURES):
    """The target to run and why, for a RELUKIT_TARGET value `forced` ('' if
    unset), given the compiled and the supported targets (this build's and this
    CPU's by default: import runs exactly this; tests pass others).

    Raises ImportError naming RELUKIT_TARGET for an unknown target, one this
    build did not compile, or one this CPU cannot run."""
    forced = forced.strip().lower()
    if not forced:
        return best, "best target this CPU supports"
    if forced not in TARGETS:
        raise ImportError(
            f"relukit: RELUKIT_TARGET={forced!r} is not a relukit target; "
            f"use one of {', '.join(TARGETS)} (or unset it to pick the best)")
    if forced not in compiled:
        raise ImportError(
            f"relukit: RELUKIT_TARGET={forced!r} was not compiled into this build "
            f"(compiled: {', '.join(compiled)})")
    if forced not in supported:
        raise ImportError(
            f"relukit: RELUKIT_TARGET={forced!r} cannot run on this CPU "
            f"(it has: {cpu_features}; runnable targets: {', '.join(supported)})")
    return forced, "forced by RELUKIT_TARGET"


def _choose_target():
    return choose_target(os.environ.get("RELUKIT_TARGET", ""))


TARGET, TARGET_REASON = _choose_target()

# (NumPy type number, relukit dtype) in loop order: floats narrowest first, so
# float16 stays float16; then the integer types (sized to the C types).
cdef list _FLOAT_LOOPS = [(cnp.NPY_FLOAT16, RK_f16), (cnp.NPY_FLOAT, RK_f32), (cnp.NPY_DOUBLE, RK_f64)]


def _int_loops():
    import numpy as np
    by_size = {(True, 1): RK_i8, (True, 2): RK_i16, (True, 4): RK_i32, (True, 8): RK_i64,
               (False, 1): RK_u8, (False, 2): RK_u16, (False, 4): RK_u32, (False, 8): RK_u64}
    out = []
    for typenum in (cnp.NPY_BYTE, cnp.NPY_UBYTE, cnp.NPY_SHORT, cnp.NPY_USHORT,
                    cnp.NPY_INT, cnp.NPY_UINT, cnp.NPY_LONG, cnp.NPY_ULONG,
                    cnp.NPY_LONGLONG, cnp.NPY_ULONGLONG):
        dt = cnp.PyArray_DescrFromType(typenum)
        out.append((typenum, by_size[(dt.kind == "i", dt.itemsize)]))
    return out


cdef rk_opinfo *_infos = NULL
_keepalive = []   # names and docstrings the ufuncs point to
KERNEL_ROWS = []  # (row name, nin, npar, ints) in kernels.inc order: the one-operand ops
UFUNCS = {}       # ufunc name -> ufunc, for KERNEL_ROWS
# The gated family (src/gated.c), kept apart because its operands differ: a forward
# (a, b) -> y (nin 2, no _bwd) and a backward (g, a, b) -> (ga, gb) (nin 3).
GATED_ROWS = []   # (row name, nin, npar, ints) in kernels.inc order
GATED_UFUNCS = {} # ufunc name -> ufunc, for GATED_ROWS
ALL_ROWS = []     # every row, in kernels.inc order (the C table's order)


def is_gated_row(row, nin):
    """Whether a kernels.inc row is of the gated family: a two-operand forward
    (nin 2, not a backward) or the gated backward (nin 3)."""
    return nin == 3 or (nin == 2 and not row.endswith("_bwd") and not row.endswith("_bwd_y"))


def ufunc_name(row):
    """Ufunc name of a kernels.inc row: relu_bwd -> relu_backward,
    elu_bwd_y -> elu_backward_from_output."""
    if row.endswith("_bwd_y"):
        return row[:len(row) - 6] + "_backward_from_output"
    return row[:len(row) - 4] + "_backward" if row.endswith("_bwd") else row


cdef object _make_ufunc(rk_opinfo *info):
    cdef int nout = 2 if info.nin == 3 else 1
    cdef int nargs = info.nin + info.npar + nout
    loops = list(_FLOAT_LOOPS)
    if info.ints:
        loops += _int_loops()
    cdef int nloops = len(loops)
    cdef cnp.PyUFuncGenericFunction *funcs = <cnp.PyUFuncGenericFunction *>malloc(
        nloops * sizeof(cnp.PyUFuncGenericFunction))
    cdef void **data = <void **>malloc(nloops * sizeof(void *))
    cdef char *types = <char *>malloc(nloops * nargs)
    if funcs == NULL or data == NULL or types == NULL:
        raise MemoryError()
    cdef int i, j, dt
    for i, (typenum, dt) in enumerate(loops):
        funcs[i] = <cnp.PyUFuncGenericFunction>info.loop[dt]
        data[i] = info.data[dt]
        for j in range(nargs):
            types[i * nargs + j] = <char>typenum
    row = info.name.decode()
    name = ufunc_name(row).encode()
    doc = UFUNC_DOCS[ufunc_name(row)].encode()
    _keepalive.extend([name, doc])
    uf = cnp.PyUFunc_FromFuncAndData(funcs, data, types, nloops, info.nin + info.npar, nout,
                                     cnp.PyUFunc_None, name, doc, 0)
    return uf


cdef object _make_f32par_ufunc(rk_opinfo *info):
    """The op's float16 loop with float32 scalar parameters, as a ufunc of that
    one loop (types e..f..->e): the wrappers call it for float16 x, so that a
    float16 op computes with the float32 value of a parameter (torch's opmath
    rule), not one first rounded to float16.  Its parameters must be scalars."""
    cdef int nargs = info.nin + info.npar + 1
    cdef cnp.PyUFuncGenericFunction *funcs = <cnp.PyUFuncGenericFunction *>malloc(
        sizeof(cnp.PyUFuncGenericFunction))
    cdef void **data = <void **>malloc(sizeof(void *))
    cdef char *types = <char *>malloc(nargs)
    if funcs == NULL or data == NULL or types == NULL:
        raise MemoryError()
    funcs[0] = <cnp.PyUFuncGenericFunction>info.loop[RK_f16]
    data[0] = info.data_f16p32
    cdef int j
    for j in range(nargs):
        types[j] = <char>(cnp.NPY_FLOAT if info.nin <= j < info.nin + info.npar else cnp.NPY_FLOAT16)
    name = ufunc_name(info.name.decode()).encode()
    doc = b"float16 loop with float32 scalar parameters (internal to the wrappers)."
    _keepalive.extend([name, doc])
    return cnp.PyUFunc_FromFuncAndData(funcs, data, types, 1, info.nin + info.npar, 1,
                                       cnp.PyUFunc_None, name, doc, 0)


# ufunc name -> its float16 loop with float32 scalar parameters (ops with parameters)
F32PAR_UFUNCS = {}


def _build():
    global _infos
    cdef int target = TARGETS.index(TARGET)
    cdef const rk_table *table = rk_get_table(target)
    if table == NULL:
        raise ImportError(f"relukit: no kernel table for target {TARGET!r}")
    _infos = <rk_opinfo *>malloc(RK_NOPS * sizeof(rk_opinfo))
    if _infos == NULL:
        raise MemoryError()
    rk_fill_opinfo(table, _infos)
    cdef int op
    cdef rk_opinfo *info
    for op in range(RK_NOPS):
        info = &_infos[op]
        row = (info.name.decode(), info.nin, info.npar, info.ints)
        ALL_ROWS.append(row)
        uf = _make_ufunc(info)
        if is_gated_row(row[0], row[1]):
            GATED_ROWS.append(row)
            GATED_UFUNCS[uf.__name__] = uf
            continue
        KERNEL_ROWS.append(row)
        UFUNCS[uf.__name__] = uf
        if info.npar:
            F32PAR_UFUNCS[uf.__name__] = _make_f32par_ufunc(info)


cdef rk_refinfo *_refinfos = NULL
REFERENCE_UFUNCS = {}  # ufunc name -> its scalar C reference as a ufunc (d and g loops)


def _build_references():
    """The ground truth of verification: reference.c (double and long double,
    libm-based scalar code) wrapped as ufuncs with the op's operand order."""
    global _refinfos
    _refinfos = <rk_refinfo *>malloc(RK_NOPS * sizeof(rk_refinfo))
    if _refinfos == NULL or rk_fill_refinfo(_refinfos) != 0:
        raise ImportError("relukit: a kernel row has no scalar reference")
    cdef int op, nargs, nout, j
    cdef cnp.PyUFuncGenericFunction *funcs
    cdef void **data
    cdef char *types
    for op in range(RK_NOPS):
        nout = 2 if _refinfos[op].nin == 3 else 1
        nargs = _refinfos[op].nin + _refinfos[op].npar + nout
        funcs = <cnp.PyUFuncGenericFunction *>malloc(2 * sizeof(cnp.PyUFuncGenericFunction))
        data = <void **>malloc(2 * sizeof(void *))
        types = <char *>malloc(2 * nargs)
        funcs[0] = <cnp.PyUFuncGenericFunction>_refinfos[op].loop_d
        funcs[1] = <cnp.PyUFuncGenericFunction>_refinfos[op].loop_g
        data[0] = data[1] = <void *>&_refinfos[op]
        for j in range(nargs):
            types[j] = <char>cnp.NPY_DOUBLE
            types[nargs + j] = <char>cnp.NPY_LONGDOUBLE
        name = ufunc_name(ALL_ROWS[op][0])
        bname = ("reference_" + name).encode()
        doc = (f"Scalar C reference of {name} (double and long double), for verification.").encode()
        _keepalive.extend([bname, doc])
        REFERENCE_UFUNCS[name] = cnp.PyUFunc_FromFuncAndData(
            funcs, data, types, 2, nargs - nout, nout, cnp.PyUFunc_None, bname, doc, 0)


cdef rk_opinfo *_target_infos[RK_NTARGETS]   # each supported target's rows, built on demand
_TARGET_UFUNCS = {}                            # target -> (UFUNCS, GATED_UFUNCS) of that target


cdef rk_opinfo *_infos_of(int t) except NULL:
    cdef const rk_table *table
    if t == TARGETS.index(TARGET):
        return _infos
    if _target_infos[t] == NULL:
        if not rk_target_supported(t):
            raise ValueError(f"relukit: target {TARGETS[t]!r} does not run on this CPU "
                             f"(supported: {', '.join(SUPPORTED_TARGETS)})")
        table = rk_get_table(t)
        if table == NULL:
            raise ValueError(f"relukit: no kernel table for target {TARGETS[t]!r}")
        _target_infos[t] = <rk_opinfo *>malloc(RK_NOPS * sizeof(rk_opinfo))
        if _target_infos[t] == NULL:
            raise MemoryError()
        rk_fill_opinfo(table, _target_infos[t])
    return _target_infos[t]


def target_ufuncs(str target):
    """(ufuncs, gated ufuncs) computing with `target`'s kernels (a name of
    SUPPORTED_TARGETS), whatever target this process selected: for verification
    of every target in one run.  The selected target's are UFUNCS, GATED_UFUNCS."""
    if target not in TARGETS:
        raise ValueError(f"relukit: unknown target {target!r}; use one of {', '.join(TARGETS)}")
    if target == TARGET:
        return UFUNCS, GATED_UFUNCS
    if target not in _TARGET_UFUNCS:
        infos = _infos_of(TARGETS.index(target))
        plain, gated = {}, {}
        for op in range(RK_NOPS):
            uf = _make_ufunc(&infos[op])
            (gated if is_gated_row(ALL_ROWS[op][0], ALL_ROWS[op][1]) else plain)[uf.__name__] = uf
        _TARGET_UFUNCS[target] = (plain, gated)
    return _TARGET_UFUNCS[target]


def verify_f32_range(str name, uint64_t lo, uint64_t hi, float pa=0, float pb=0,
                     float g=1, bint exact=False, double bound=0, targets=None):
    """Max ULP error of ufunc `name` over the float32 bit patterns [lo, hi),
    against its double reference.  Returns (max error, bits of the worst input,
    number of inputs above `bound`) for the selected target's float32 loop; with
    `targets` (names of SUPPORTED_TARGETS), a list of those tuples, one per
    target, from one sweep (the reference, most of the cost, computed once).
    Releases the GIL, so ranges can run on several threads."""
    cdef int op = [ufunc_name(r[0]) for r in ALL_ROWS].index(name)
    names = [TARGET] if targets is None else list(targets)
    cdef int nops = len(names), t
    if nops < 1 or nops > RK_NTARGETS:
        raise ValueError(f"verify: 1 to {RK_NTARGETS} targets, not {nops}")
    cdef const rk_opinfo *ops[RK_NTARGETS]
    cdef double maxerr[RK_NTARGETS]
    cdef uint32_t worst[RK_NTARGETS]
    cdef uint64_t nbad[RK_NTARGETS]
    for t in range(nops):
        if names[t] not in TARGETS:
            raise ValueError(f"relukit: unknown target {names[t]!r}; use one of {', '.join(TARGETS)}")
        ops[t] = &_infos_of(TARGETS.index(names[t]))[op]
    with nogil:
        rk_verify_f32(ops, nops, &_refinfos[op], lo, hi, pa, pb, g, exact, bound,
                      maxerr, worst, nbad)
    res = [(maxerr[t], worst[t], nbad[t]) for t in range(nops)]
    return res[0] if targets is None else res


_build()
_build_references()
globals().update(UFUNCS)
globals().update(GATED_UFUNCS)


def get_num_threads():
    """The number of threads a large ufunc call may use (the caller included)."""
    return rk_get_num_threads()


def set_num_threads(int n):
    """Set the process-wide thread limit (n >= 1); returns the previous one."""
    cdef int old = rk_get_num_threads()
    rk_set_num_threads(n)
    return old


def available_cpus():
    """The CPUs this process may run on (its affinity mask)."""
    return rk_available_cpus()


def env_num_threads():
    """The thread count RELUKIT_NUM_THREADS asked for at the first use, 0 if none."""
    return rk_env_num_threads()


def _get_tuning():
    """(grain override, streaming-store threshold in bytes); for tests and measurements."""
    cdef size_t g = 0, b = 0
    rk_get_tuning(&g, &b)
    return int(g), int(b)


def _set_tuning(grain=None, stream_bytes=None):
    """Override the per-op elements-per-thread threshold (0: the op's own) and the
    smallest output written with streaming stores (0: the default); None keeps the
    current value.  Returns the previous (grain, stream_bytes).  Not thread-safe:
    for tests and measurements only."""
    old = _get_tuning()
    cdef size_t g = old[0] if grain is None else grain
    cdef size_t b = old[1] if stream_bytes is None else stream_bytes
    rk_set_tuning(g, b)
    return old
