"""Benchmarks of the piecewise kernel family: relu, relu6, hardtanh, threshold,
leaky_relu, hardsigmoid, hardswish and gradients.

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



def _peer(expr):
    """An out=-aware NumPy peer from an expression of the ufunc's operands."""
    def peer(*args, out=None):
        r = expr(*args)
        if out is None:
            return r
        out[...] = r
        return out
    peer.__name__ = expr.__name__
    return peer


def relu6_peer(x): return np.clip(x, 0, 6)
def hardtanh_peer(x, lo, hi): return np.clip(x, lo, hi)
def threshold_peer(x, th, v): return np.where(x <= th, v, x)
def leaky_relu_peer(x, s): return np.where(x < 0, x * s, x)
def leaky_relu_backward_peer(g, x, s): return np.where(x > 0, g, g * s)
def hardsigmoid_peer(x): return np.clip(x + 3, 0, 6) / 6
def hardswish_peer(x): return x * np.clip(x + 3, 0, 6) / 6
def hardswish_backward_peer(g, x): return np.where(x <= -3, 0, np.where(x >= 3, g, g * (2 * x + 3) / 6))
def relu6_backward_peer(g, x): return np.where((x > 0) & (x < 6), g, 0)
def hardtanh_backward_peer(g, x, lo, hi): return np.where((x > lo) & (x < hi), g, 0)
def threshold_backward_peer(g, x, th): return np.where(x > th, g, 0)
def hardsigmoid_backward_peer(g, x): return np.where((x > -3) & (x < 3), g / 6, 0)
def hardsigmoid_backward_from_output_peer(g, y): return np.where((y > 0) & (y < 1), g / 6, 0)


OPS.update({
    "relu6": (_peer(relu6_peer), normal_inputs(1)),
    "hardtanh": (_peer(hardtanh_peer), normal_inputs(1, params=(-1.0, 1.0))),
    "threshold": (_peer(threshold_peer), normal_inputs(1, params=(0.5, -1.0))),
    "leaky_relu": (_peer(leaky_relu_peer), normal_inputs(1, params=(0.01,))),
    "leaky_relu_backward": (_peer(leaky_relu_backward_peer), normal_inputs(2, params=(0.01,))),
    "hardsigmoid": (_peer(hardsigmoid_peer), normal_inputs(1)),
    "hardswish": (_peer(hardswish_peer), normal_inputs(1)),
    "hardswish_backward": (_peer(hardswish_backward_peer), normal_inputs(2)),
    "relu6_backward": (_peer(relu6_backward_peer), normal_inputs(2)),
    "hardtanh_backward": (_peer(hardtanh_backward_peer), normal_inputs(2, params=(-1.0, 1.0))),
    "threshold_backward": (_peer(threshold_backward_peer), normal_inputs(2, params=(0.5,))),
    "hardsigmoid_backward": (_peer(hardsigmoid_backward_peer), normal_inputs(2)),
    "hardsigmoid_backward_from_output": (_peer(hardsigmoid_backward_from_output_peer), normal_inputs(2)),
})
make_op_benchmarks(OPS, globals())
