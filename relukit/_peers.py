"""The expressions a user would otherwise write, per op: plain NumPy and
PyTorch (torch.nn.functional, or the aten backward op), for `python -m relukit
bench`.  Each entry takes the same prepared operands.  PyTorch is imported by
the caller, lazily, and only when installed."""
import math

import numpy as np

import relukit

from relukit._optable import SELU_A, SELU_S, _erf, _np_gelu, _np_gelu_tanh, _np_gelu_tanh_bwd, _sig  # noqa: F401
from relukit._optable import peers as _table_peers


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
#   F = torch.nn.functional, a = torch.ops.aten: every op's row of the op table
PEERS = _table_peers()

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
