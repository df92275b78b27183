"""The expressions a user would otherwise write, per op: plain NumPy and
PyTorch (torch.nn.functional, or the aten backward op), for `python -m relukit
bench`.  Each entry takes the same prepared operands.  PyTorch is imported by
the caller, lazily, and only when installed."""
import math

import numpy as np

import relukit

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805
_erf = np.vectorize(math.erf, otypes=[np.float64])
_K = math.sqrt(2 / math.pi)


def _np_gelu(x):
    return (0.5 * x * (1 + _erf(x / math.sqrt(2)))).astype(x.dtype)


def _np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(_K * (x + 0.044715 * x ** 3)))


def _np_gelu_tanh_bwd(x, g):
    u = _K * (x + 0.044715 * x ** 3)
    t = np.tanh(u)
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _K * (1 + 3 * 0.044715 * x * x))


def _sig(x):
    return 1 / (1 + np.exp(-x))


# Groups, for the chart: (title, ops)
GROUPS = (
    ("piecewise", ("relu", "relu6", "hardtanh", "threshold", "leaky_relu", "prelu", "rrelu",
                   "hardsigmoid", "hardswish")),
    ("exp / tanh / erf", ("elu", "celu", "selu", "silu", "swish", "softplus", "mish", "gelu",
                          "gelu_tanh")),
    ("piecewise backward", ("relu_backward", "relu6_backward", "hardtanh_backward",
                            "threshold_backward", "leaky_relu_backward", "hardsigmoid_backward",
                            "hardswish_backward")),
    ("exp / tanh / erf backward", ("elu_backward", "celu_backward", "selu_backward",
                                   "silu_backward", "softplus_backward", "mish_backward",
                                   "gelu_backward", "gelu_tanh_backward")),
)

# name -> (uses g?, relukit(x[, g], out), numpy(x[, g]), torch(F, a, t[, tg]) or None)
#   F = torch.nn.functional, a = torch.ops.aten
PEERS = {
    "relu": (False, lambda x, out: relukit.relu(x, out=out), lambda x: np.maximum(x, 0),
             lambda F, a, t: F.relu(t)),
    "relu6": (False, lambda x, out: relukit.relu6(x, out=out), lambda x: np.clip(x, 0, 6),
              lambda F, a, t: F.relu6(t)),
    "hardtanh": (False, lambda x, out: relukit.hardtanh(x, out=out), lambda x: np.clip(x, -1, 1),
                 lambda F, a, t: F.hardtanh(t)),
    "threshold": (False, lambda x, out: relukit.threshold(x, 0.5, -1.0, out=out),
                  lambda x: np.where(x <= 0.5, x.dtype.type(-1), x),
                  lambda F, a, t: F.threshold(t, 0.5, -1.0)),
    "leaky_relu": (False, lambda x, out: relukit.leaky_relu(x, out=out),
                   lambda x: np.where(x < 0, x * x.dtype.type(0.01), x), lambda F, a, t: F.leaky_relu(t)),
    "prelu": (False, lambda x, out: relukit.prelu(x, 0.25, out=out),
              lambda x: np.where(x < 0, x * x.dtype.type(0.25), x),
              lambda F, a, t: F.prelu(t, t.new_full((1,), 0.25))),
    "hardsigmoid": (False, lambda x, out: relukit.hardsigmoid(x, out=out),
                    lambda x: np.clip(x + 3, 0, 6) / 6, lambda F, a, t: F.hardsigmoid(t)),
    "hardswish": (False, lambda x, out: relukit.hardswish(x, out=out),
                  lambda x: x * np.clip(x + 3, 0, 6) / 6, lambda F, a, t: F.hardswish(t)),
    "elu": (False, lambda x, out: relukit.elu(x, out=out), lambda x: np.where(x > 0, x, np.expm1(x)),
            lambda F, a, t: F.elu(t)),
    "celu": (False, lambda x, out: relukit.celu(x, 1.0, out=out),
             lambda x: np.where(x > 0, x, np.expm1(x)), lambda F, a, t: F.celu(t)),
    "selu": (False, lambda x, out: relukit.selu(x, out=out),
             lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)), lambda F, a, t: F.selu(t)),
    "silu": (False, lambda x, out: relukit.silu(x, out=out), lambda x: x / (1 + np.exp(-x)),
             lambda F, a, t: F.silu(t)),
    "softplus": (False, lambda x, out: relukit.softplus(x, out=out), lambda x: np.logaddexp(0, x),
                 lambda F, a, t: F.softplus(t)),
    "mish": (False, lambda x, out: relukit.mish(x, out=out), lambda x: x * np.tanh(np.logaddexp(0, x)),
             lambda F, a, t: F.mish(t)),
    "gelu": (False, lambda x, out: relukit.gelu(x, out=out), _np_gelu, lambda F, a, t: F.gelu(t)),
    "gelu_tanh": (False, lambda x, out: relukit.gelu(x, "tanh", out=out), _np_gelu_tanh,
                  lambda F, a, t: F.gelu(t, approximate="tanh")),
    # backward: (x, g); torch through the aten backward op autograd would call
    "relu_backward": (True, lambda x, g, out: relukit.relu_backward(g, x, out=out),
                      lambda x, g: np.where(x > 0, g, 0),
                      lambda F, a, t, tg: a.threshold_backward(tg, t, 0)),
    "relu6_backward": (True, lambda x, g, out: relukit.relu6_backward(g, x, out=out),
                       lambda x, g: np.where((x > 0) & (x < 6), g, 0),
                       lambda F, a, t, tg: a.hardtanh_backward(tg, t, 0.0, 6.0)),
    "hardtanh_backward": (True, lambda x, g, out: relukit.hardtanh_backward(g, x, out=out),
                          lambda x, g: np.where((x > -1) & (x < 1), g, 0),
                          lambda F, a, t, tg: a.hardtanh_backward(tg, t, -1.0, 1.0)),
    "threshold_backward": (True, lambda x, g, out: relukit.threshold_backward(g, x, 0.5, out=out),
                           lambda x, g: np.where(x > 0.5, g, 0),
                           lambda F, a, t, tg: a.threshold_backward(tg, t, 0.5)),
    "leaky_relu_backward": (True, lambda x, g, out: relukit.leaky_relu_backward(g, x, out=out),
                            lambda x, g: np.where(x > 0, g, g * g.dtype.type(0.01)),
                            lambda F, a, t, tg: a.leaky_relu_backward(tg, t, 0.01, False)),
    "hardsigmoid_backward": (True, lambda x, g, out: relukit.hardsigmoid_backward(g, x, out=out),
                             lambda x, g: np.where((x > -3) & (x < 3), g / 6, 0),
                             lambda F, a, t, tg: a.hardsigmoid_backward(tg, t)),
    "hardswish_backward": (True, lambda x, g, out: relukit.hardswish_backward(g, x, out=out),
                           lambda x, g: np.where(x < -3, 0, np.where(x <= 3, g * (2 * x + 3) / 6, g)),
                           lambda F, a, t, tg: a.hardswish_backward(tg, t)),
    "elu_backward": (True, lambda x, g, out: relukit.elu_backward(g, x, out=out),
                     lambda x, g: np.where(x > 0, g, g * np.exp(x)),
                     lambda F, a, t, tg: a.elu_backward(tg, 1.0, 1.0, 1.0, False, t)),
    "celu_backward": (True, lambda x, g, out: relukit.celu_backward(g, x, 1.0, out=out),
                      lambda x, g: np.where(x > 0, g, g * np.exp(x)),
                      lambda F, a, t, tg: a.elu_backward(tg, 1.0, 1.0, 1.0, False, t)),
    "selu_backward": (True, lambda x, g, out: relukit.selu_backward(g, x, out=out),
                      lambda x, g: SELU_S * np.where(x > 0, g, g * SELU_A * np.exp(x)),
                      lambda F, a, t, tg: a.elu_backward(tg, SELU_A, SELU_S, 1.0, False, t)),
    "silu_backward": (True, lambda x, g, out: relukit.silu_backward(g, x, out=out),
                      lambda x, g: (lambda s: g * s * (1 + x * (1 - s)))(_sig(x)),
                      lambda F, a, t, tg: a.silu_backward(tg, t)),
    "softplus_backward": (True, lambda x, g, out: relukit.softplus_backward(g, x, out=out),
                          lambda x, g: g * _sig(x),
                          lambda F, a, t, tg: a.softplus_backward(tg, t, 1.0, 20.0)),
    "mish_backward": (True, lambda x, g, out: relukit.mish_backward(g, x, out=out),
                      lambda x, g: (lambda tsp, s: g * (tsp + x * s * (1 - tsp * tsp)))(
                          np.tanh(np.logaddexp(0, x)), _sig(x)),
                      lambda F, a, t, tg: a.mish_backward(tg, t)),
    "gelu_backward": (True, lambda x, g, out: relukit.gelu_backward(g, x, out=out),
                      lambda x, g: (g * (0.5 * (1 + _erf(x / math.sqrt(2))) + x * np.exp(-x * x / 2)
                                         / math.sqrt(2 * math.pi))).astype(x.dtype),
                      lambda F, a, t, tg: a.gelu_backward(tg, t)),
    "gelu_tanh_backward": (True, lambda x, g, out: relukit.gelu_backward(g, x, "tanh", out=out),
                           _np_gelu_tanh_bwd,
                           lambda F, a, t, tg: a.gelu_backward(tg, t, approximate="tanh")),
}

# the alias, and rrelu (eval mode: leaky_relu with the mean slope, as torch's default)
PEERS["swish"] = (False, lambda x, out: relukit.swish(x, out=out), PEERS["silu"][2],
                  lambda F, a, t: F.silu(t))
_RRELU_SLOPE = (1 / 8 + 1 / 3) / 2
PEERS["rrelu"] = (False, lambda x, out: relukit.rrelu(x, out=out),
                  lambda x: np.where(x < 0, x * x.dtype.type(_RRELU_SLOPE), x),
                  lambda F, a, t: F.rrelu(t, training=False))

# the NumPy peers going through math.erf element by element: few repeats when large
SLOW_NUMPY = ("gelu", "gelu_backward")


def torch_call(name, torch, tx, tg=None):
    """A zero-argument callable running PyTorch's op on tensors, or None."""
    uses_g, _, _, fn = PEERS[name]
    if fn is None:
        return None
    F, a = torch.nn.functional, torch.ops.aten
    return (lambda: fn(F, a, tx, tg)) if uses_g else (lambda: fn(F, a, tx))


# ---------------------------------------------------------------- the gated family
# op -> (relukit activation alone (the fused op's own baseline), NumPy forward(a, b),
#        NumPy backward(g, a, b) -> (ga, gb), torch composite forward(F, a, b))
# (glu: torch's F.glu on the halves is F.glu(cat) = a * sigmoid(b))
def _np_swiglu_bwd(g, a, b):
    s = _sig(a)
    return g * b * s * (1 + a * (1 - s)), g * a * s


def _np_glu_bwd(g, a, b):
    s = _sig(b)
    return g * s, g * a * s * (1 - s)


def _np_geglu_bwd(g, a, b):
    phi = np.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    P = (0.5 * (1 + _erf(a / math.sqrt(2)))).astype(a.dtype)
    return g * b * (P + a * phi), g * a * P


GATED_PEERS = {
    "swiglu": ("silu", lambda a, b: a / (1 + np.exp(-a)) * b, _np_swiglu_bwd,
               lambda F, a, b: F.silu(a) * b),
    "glu": ("silu", lambda a, b: a * _sig(b), _np_glu_bwd,
            lambda F, a, b: a * torch_sigmoid(F, b)),
    "reglu": ("relu", lambda a, b: np.maximum(a, 0) * b,
              lambda g, a, b: (np.where(a > 0, g * b, 0), g * np.maximum(a, 0)),
              lambda F, a, b: F.relu(a) * b),
    "geglu": ("gelu", lambda a, b: _np_gelu(a) * b, _np_geglu_bwd,
              lambda F, a, b: F.gelu(a) * b),
    "geglu_tanh": ("gelu_tanh", lambda a, b: _np_gelu_tanh(a) * b,
                   lambda g, a, b: (_np_gelu_tanh_bwd(a, g * b), g * _np_gelu_tanh(a)),
                   lambda F, a, b: F.gelu(a, approximate="tanh") * b),
}


def torch_sigmoid(F, t):
    return t.sigmoid()


def gated_relukit(op):
    """(forward(a, b, out), backward(g, a, b, outs), activation alone(a, out)) of relukit."""
    from relukit._ufuncs import GATED_UFUNCS, UFUNCS

    fwd, bwd = GATED_UFUNCS[op], GATED_UFUNCS[op + "_backward"]
    act = UFUNCS[GATED_PEERS[op][0]]
    return (lambda a, b, out: fwd(a, b, out=out), lambda g, a, b, outs: bwd(g, a, b, out=outs),
            lambda a, out: act(a, out=out))
