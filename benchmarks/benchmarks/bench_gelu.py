"""Benchmarks of the GELU kernel family (src/gelu.c): exact and tanh forms and
their gradients, against the NumPy expression a user would otherwise write
(the exact form needs erf: math.erf, vectorized, as plain NumPy has none)."""
import math

import numpy as np

from .bench_piecewise import _peer
from .common import make_op_benchmarks, normal_inputs

_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu_peer(x): return (0.5 * x * (1 + _erf(x / math.sqrt(2)))).astype(x.dtype)
def gelu_tanh_peer(x): return 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))
def gelu_backward_peer(g, x):
    return (g * (0.5 * (1 + _erf(x / math.sqrt(2))) + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi))
            ).astype(x.dtype)
def gelu_tanh_backward_peer(g, x):
    k = 0.7978845608028654
    t = np.tanh(k * (x + 0.044715 * x ** 3))
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x))


OPS = {
    "gelu": (_peer(gelu_peer), normal_inputs(1)),
    "gelu_tanh": (_peer(gelu_tanh_peer), normal_inputs(1)),
    "gelu_backward": (_peer(gelu_backward_peer), normal_inputs(2)),
    "gelu_tanh_backward": (_peer(gelu_tanh_backward_peer), normal_inputs(2)),
}

make_op_benchmarks(OPS, globals())
