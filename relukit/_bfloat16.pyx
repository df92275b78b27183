# bfloat16 loops for every relukit ufunc, where the ml_dtypes package is
# installed: each computes through the ufunc's own float32 loop (src/bf16loops.c).
"""bfloat16 support: :func:`register` adds a bfloat16 loop to relukit's ufuncs."""
cimport numpy as cnp
from libc.stdlib cimport free, malloc

cnp.import_array()
cnp.import_ufunc()

cdef extern from "numpy/ndarraytypes.h":
    enum:
        NPY_USERDEF  # the first type number of a user-defined dtype

cdef extern from "bf16loops.h" nogil:
    ctypedef void (*rk_loop)(char **args, const cnp.npy_intp *dims,
                             const cnp.npy_intp *steps, void *data)
    ctypedef struct rk_bf16_loopdata:
        rk_loop f32_loop
        void *f32_data
        int nargs
        int nfloat
        int nout
    enum:
        RK_BF16_MAXARGS
    void rk_bf16_loop(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps,
                      void *data) noexcept nogil


cdef int _float32_loop(cnp.ufunc uf) except -2:
    """Index of the ufunc's loop whose operands are all float32, or -1."""
    cdef int i, j
    for i in range(uf.ntypes):
        for j in range(uf.nargs):
            if uf.types[i * uf.nargs + j] != cnp.NPY_FLOAT:
                break
        else:
            return i
    return -1


cdef _register_one(cnp.ufunc uf, int typenum, cnp.ufunc compute=None, int nfloat=0):
    if uf.nargs > RK_BF16_MAXARGS:
        raise ValueError(f"relukit: {uf.__name__} has {uf.nargs} operands; "
                         f"the bfloat16 loop takes at most {RK_BF16_MAXARGS}")
    if compute is None:
        compute = uf
    cdef int f32 = _float32_loop(compute)
    if f32 < 0:
        raise ValueError(f"relukit: {uf.__name__} has no float32 loop to compute bfloat16 with")
    # lives as long as the ufunc, i.e. the process (NumPy keeps the pointer)
    cdef rk_bf16_loopdata *d = <rk_bf16_loopdata *>malloc(sizeof(rk_bf16_loopdata))
    cdef int *types = <int *>malloc(uf.nargs * sizeof(int))
    if d == NULL or types == NULL:
        free(d)
        free(types)
        raise MemoryError()
    d.f32_loop = <rk_loop><void *>compute.functions[f32]
    d.f32_data = compute.data[f32]
    d.nargs = uf.nargs
    d.nfloat = nfloat
    d.nout = uf.nout
    cdef int j
    for j in range(uf.nargs):
        types[j] = cnp.NPY_FLOAT if uf.nin - nfloat <= j < uf.nin else typenum
    try:
        cnp.PyUFunc_RegisterLoopForType(uf, typenum, <cnp.PyUFuncGenericFunction>rk_bf16_loop,
                                        types, d)
    finally:
        free(types)  # NumPy copies the operand types


def register(ufuncs, dtype):
    """Add a bfloat16 loop to each ufunc.

    Parameters
    ----------
    ufuncs : iterable of numpy.ufunc
        relukit ufuncs (each must have an all-float32 loop).
    dtype : numpy.dtype
        The bfloat16 dtype (``numpy.dtype(ml_dtypes.bfloat16)``), a user dtype
        whose items are the upper 16 bits of a float32.

    Raises
    ------
    TypeError
        If `dtype` is not a 2-byte user-defined dtype.
    ValueError
        If a ufunc has no float32 loop or too many operands.
    """
    dt = cnp.dtype(dtype)
    if dt.itemsize != 2 or dt.num < NPY_USERDEF:
        raise TypeError(f"relukit: {dt} is not a 2-byte user dtype such as ml_dtypes.bfloat16")
    for uf in ufuncs:
        _register_one(uf, dt.num)


def register_f32par(pairs, dtype):
    """Add a bfloat16 loop with float32 scalar parameters to each internal ufunc.

    Parameters
    ----------
    pairs : iterable of (numpy.ufunc, numpy.ufunc, int)
        ``(f32par_ufunc, op_ufunc, npar)``: the ufunc to register on, the op's
        ufunc whose float32 loop computes, and the op's number of parameters
        (its last inputs, which stay float32).
    dtype : numpy.dtype
        The bfloat16 dtype.
    """
    dt = cnp.dtype(dtype)
    for uf, compute, npar in pairs:
        _register_one(uf, dt.num, compute, npar)
