"""The expressions a user would otherwise write, per op: plain NumPy and
PyTorch (torch.nn.functional / aten), for benchmarks (`python -m relukit bench`,
asv).  Each entry: (relukit call, NumPy expression, torch expression or None),
all taking the same prepared operands.  PyTorch is imported lazily and only
when installed."""
import math

import numpy as np

import relukit

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805
_erf = np.vectorize(math.erf, otypes=[np.float64])


def _np_gelu(x):
    return (0.5 * x * (1 + _erf(x / math.sqrt(2)))).astype(x.dtype)


# name -> (uses g?, relukit(x[, g], out), numpy(x[, g]), torch(F, tx[, tg]) or None)
PEERS = {
    "relu": (False, lambda x, out: relukit.relu(x, out=out), lambda x: np.maximum(x, 0),
             lambda F, t: F.relu(t)),
    "relu6": (False, lambda x, out: relukit.relu6(x, out=out), lambda x: np.clip(x, 0, 6),
              lambda F, t: F.relu6(t)),
    "hardtanh": (False, lambda x, out: relukit.hardtanh(x, out=out), lambda x: np.clip(x, -1, 1),
                 lambda F, t: F.hardtanh(t)),
    "threshold": (False, lambda x, out: relukit.threshold(x, 0.5, -1.0, out=out),
                  lambda x: np.where(x <= 0.5, x.dtype.type(-1), x), lambda F, t: F.threshold(t, 0.5, -1.0)),
    "leaky_relu": (False, lambda x, out: relukit.leaky_relu(x, out=out),
                   lambda x: np.where(x < 0, x * x.dtype.type(0.01), x), lambda F, t: F.leaky_relu(t)),
    "hardsigmoid": (False, lambda x, out: relukit.hardsigmoid(x, out=out),
                    lambda x: np.clip(x + 3, 0, 6) / 6, lambda F, t: F.hardsigmoid(t)),
    "hardswish": (False, lambda x, out: relukit.hardswish(x, out=out),
                  lambda x: x * np.clip(x + 3, 0, 6) / 6, lambda F, t: F.hardswish(t)),
    "elu": (False, lambda x, out: relukit.elu(x, out=out), lambda x: np.where(x > 0, x, np.expm1(x)),
            lambda F, t: F.elu(t)),
    "celu": (False, lambda x, out: relukit.celu(x, 1.0, out=out), lambda x: np.where(x > 0, x, np.expm1(x)),
             lambda F, t: F.celu(t)),
    "selu": (False, lambda x, out: relukit.selu(x, out=out),
             lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)), lambda F, t: F.selu(t)),
    "silu": (False, lambda x, out: relukit.silu(x, out=out), lambda x: x / (1 + np.exp(-x)),
             lambda F, t: F.silu(t)),
    "softplus": (False, lambda x, out: relukit.softplus(x, out=out), lambda x: np.logaddexp(0, x),
                 lambda F, t: F.softplus(t)),
    "mish": (False, lambda x, out: relukit.mish(x, out=out), lambda x: x * np.tanh(np.logaddexp(0, x)),
             lambda F, t: F.mish(t)),
    "gelu": (False, lambda x, out: relukit.gelu(x, out=out), _np_gelu, lambda F, t: F.gelu(t)),
    "gelu_tanh": (False, lambda x, out: relukit.gelu(x, "tanh", out=out),
                  lambda x: 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3))),
                  lambda F, t: F.gelu(t, approximate="tanh")),
    # backward: (g, x)
    "relu_backward": (True, lambda x, g, out: relukit.relu_backward(g, x, out=out),
                      lambda x, g: np.where(x > 0, g, 0), lambda F, t, tg: F.threshold_backward(tg, t, 0)
                      if hasattr(F, "threshold_backward") else None),
    "leaky_relu_backward": (True, lambda x, g, out: relukit.leaky_relu_backward(g, x, out=out),
                            lambda x, g: np.where(x > 0, g, g * g.dtype.type(0.01)), None),
    "elu_backward": (True, lambda x, g, out: relukit.elu_backward(g, x, out=out),
                     lambda x, g: np.where(x > 0, g, g * np.exp(x)), None),
    "silu_backward": (True, lambda x, g, out: relukit.silu_backward(g, x, out=out),
                      lambda x, g: (lambda s: g * s * (1 + x * (1 - s)))(1 / (1 + np.exp(-x))), None),
    "softplus_backward": (True, lambda x, g, out: relukit.softplus_backward(g, x, out=out),
                          lambda x, g: g / (1 + np.exp(-x)), None),
    "mish_backward": (True, lambda x, g, out: relukit.mish_backward(g, x, out=out),
                      lambda x, g: (lambda sp, s: g * (np.tanh(sp) + x * s * (1 - np.tanh(sp) ** 2)))(
                          np.logaddexp(0, x), 1 / (1 + np.exp(-x))), None),
    "gelu_backward": (True, lambda x, g, out: relukit.gelu_backward(g, x, out=out),
                      lambda x, g: (g * (0.5 * (1 + _erf(x / math.sqrt(2))) + x * np.exp(-x * x / 2)
                                         / math.sqrt(2 * math.pi))).astype(x.dtype), None),
}

# aten backward ops where torch.nn.functional has none (operands: grad, input)
_ATEN_BWD = {
    "relu_backward": lambda a, tg, t: a.threshold_backward(tg, t, 0),
    "leaky_relu_backward": lambda a, tg, t: a.leaky_relu_backward(tg, t, 0.01, False),
    "elu_backward": lambda a, tg, t: a.elu_backward(tg, 1.0, 1.0, 1.0, False, t),
    "silu_backward": lambda a, tg, t: a.silu_backward(tg, t),
    "softplus_backward": lambda a, tg, t: a.softplus_backward(tg, t, 1.0, 20.0),
    "mish_backward": lambda a, tg, t: a.mish_backward(tg, t),
    "gelu_backward": lambda a, tg, t: a.gelu_backward(tg, t),
}


def torch_call(name, torch, tx, tg=None):
    """A zero-argument callable running PyTorch's op on tensors, or None."""
    F = torch.nn.functional
    if name in _ATEN_BWD:
        a = torch.ops.aten
        return lambda: _ATEN_BWD[name](a, tg, tx)
    fn = PEERS[name][3]
    return (lambda: fn(F, tx)) if fn is not None else None
