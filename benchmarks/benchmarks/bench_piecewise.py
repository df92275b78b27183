"""Benchmarks of the piecewise kernel family: relu, relu_backward.

For every op: dtype (float16, float32, float64) x size (4096, 2**20, 2**24), in
three modes -- ``time_out`` (preallocated ``out=``), ``time_inplace``
(``op(x, out=x)``; for relu_backward ``op(g, x, out=g)`` on a copy of g) and
``time_alloc`` (``op(x)``), the peak memory of the allocating call
(``peakmem_alloc``), and the NumPy expression a user would otherwise write as
the peer (``time_numpy_out``, ``time_numpy_alloc``).  Inputs are standard normal
with a fixed seed.

Adding an op of this family is one entry in OPS: its NumPy peer (written by hand,
per op) and its input maker.
"""
import numpy as np

from .common import make_op_benchmarks, normal_inputs


def relu_peer(x, out=None):
    """np.maximum(x, 0)"""
    return np.maximum(x, 0, out=out)


def relu_backward_peer(g, x, out=None):
    """np.where(x > 0, g, 0); with out=, the same selection without a full-size temporary."""
    if out is None:
        return np.where(x > 0, g, 0)
    out[...] = 0
    np.copyto(out, g, where=x > 0)
    return out


# op name (relukit ufunc) -> (NumPy peer, input maker)
OPS = {
    "relu": (relu_peer, normal_inputs(1)),
    "relu_backward": (relu_backward_peer, normal_inputs(2)),  # (g, x)
}

make_op_benchmarks(OPS, globals())
