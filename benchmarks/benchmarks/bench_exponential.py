"""Benchmarks of the exponential kernel family (src/exponential.c): ELU, CELU,
SELU, SiLU, Softplus, Mish and their gradients, each against the NumPy
expression a user would otherwise write, in the modes of common.py."""
import numpy as np

from .bench_piecewise import _peer
from .common import make_op_benchmarks, normal_inputs

A, S = 1.6732632423543772, 1.0507009873554805


def elu_peer(x, a): return np.where(x > 0, x, a * np.expm1(x))
def elu_backward_peer(g, x, a): return np.where(x > 0, g, g * a * np.exp(x))
def celu_peer(x, a): return np.where(x > 0, x, a * np.expm1(x / a))
def selu_peer(x): return S * np.where(x > 0, x, A * np.expm1(x))
def silu_peer(x): return x / (1 + np.exp(-x))
def silu_backward_peer(g, x):
    s = 1 / (1 + np.exp(-x))
    return g * s * (1 + x * (1 - s))
def softplus_peer(x, b, t): return np.where(b * x > t, x, np.logaddexp(0, b * x) / b)
def softplus_backward_peer(g, x, b, t): return np.where(b * x > t, g, g / (1 + np.exp(-b * x)))
def mish_peer(x): return x * np.tanh(np.logaddexp(0, x))
def mish_backward_peer(g, x):
    t, s = np.tanh(np.logaddexp(0, x)), 1 / (1 + np.exp(-x))
    return g * (t + x * s * (1 - t * t))
def celu_backward_peer(g, x, a): return np.where(x > 0, g, g * np.exp(x / a))
def selu_backward_peer(g, x): return S * np.where(x > 0, g, g * A * np.exp(x))
def elu_backward_from_output_peer(g, y, a): return np.where(y > 0, g, g * (y + a))
def celu_backward_from_output_peer(g, y, a): return np.where(y > 0, g, g * (y / a + 1))
def selu_backward_from_output_peer(g, y): return np.where(y > 0, g * S, g * (y + S * A))
def softplus_backward_from_output_peer(g, y, b, t):
    return np.where(y * b > t, g, g * -np.expm1(-b * y))


OPS = {
    "elu": (_peer(elu_peer), normal_inputs(1, params=(1.0,))),
    "elu_backward": (_peer(elu_backward_peer), normal_inputs(2, params=(1.0,))),
    "celu": (_peer(celu_peer), normal_inputs(1, params=(1.0,))),
    "selu": (_peer(selu_peer), normal_inputs(1)),
    "silu": (_peer(silu_peer), normal_inputs(1)),
    "silu_backward": (_peer(silu_backward_peer), normal_inputs(2)),
    "softplus": (_peer(softplus_peer), normal_inputs(1, params=(1.0, 20.0))),
    "softplus_backward": (_peer(softplus_backward_peer), normal_inputs(2, params=(1.0, 20.0))),
    "mish": (_peer(mish_peer), normal_inputs(1)),
    "mish_backward": (_peer(mish_backward_peer), normal_inputs(2)),
    "celu_backward": (_peer(celu_backward_peer), normal_inputs(2, params=(1.0,))),
    "selu_backward": (_peer(selu_backward_peer), normal_inputs(2)),
    "elu_backward_from_output": (_peer(elu_backward_from_output_peer), normal_inputs(2, params=(1.0,))),
    "celu_backward_from_output": (_peer(celu_backward_from_output_peer), normal_inputs(2, params=(1.0,))),
    "selu_backward_from_output": (_peer(selu_backward_from_output_peer), normal_inputs(2)),
    "softplus_backward_from_output": (_peer(softplus_backward_from_output_peer),
                                      normal_inputs(2, params=(1.0, 20.0))),
}

make_op_benchmarks(OPS, globals())
