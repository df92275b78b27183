"""Benchmarks of the gated family (src/gated.c): glu, reglu, geglu, geglu_tanh,
swiglu, forward (a, b) and the fused backward (g, a, b) -> (ga, gb).

Each class times relukit with out= (and allocating), relukit's activation alone
(the fused op's own baseline: swiglu against silu), the NumPy expression a user
would otherwise write, and, where torch is installed, PyTorch's composite
(``F.silu(a) * b``) and the autograd backward of that composite.  The peers come
from relukit._peers.GATED_PEERS."""
import numpy as np

from relukit import _peers, _ufuncs

from .common import SEED, SIZES, standard_normal

try:  # an optional peer
    import torch
except ImportError:
    torch = None


class _Gated:
    params = (["float16", "float32", "float64"], SIZES)
    param_names = ["dtype", "size"]
    op = None

    def setup(self, dtype, size):
        if self.op not in _ufuncs.GATED_UFUNCS:
            raise NotImplementedError(f"{self.op} is not in this relukit")
        rng = np.random.default_rng(SEED)
        self.a, self.b, self.g = (standard_normal(rng, size, dtype) for _ in range(3))
        self.y, self.ga, self.gb, self.ya = (np.empty_like(self.a) for _ in range(4))
        self.fwd, self.bwd, self.act = _peers.gated_relukit(self.op)
        _, self.np_fwd, self.np_bwd, self.torch_fwd = _peers.GATED_PEERS[self.op]
        if torch is not None:
            self.ta, self.tb, self.tg = (torch.from_numpy(v) for v in (self.a, self.b, self.g))
            self.la = self.ta.clone().requires_grad_(True)
            self.lb = self.tb.clone().requires_grad_(True)
        else:
            self.ta = None

    def time_out(self, dtype, size):
        self.fwd(self.a, self.b, self.y)

    def time_alloc(self, dtype, size):
        self.fwd(self.a, self.b, None)

    def time_activation_alone(self, dtype, size):
        self.act(self.a, self.ya)

    def time_backward_out(self, dtype, size):
        self.bwd(self.g, self.a, self.b, (self.ga, self.gb))

    def time_numpy_alloc(self, dtype, size):
        with np.errstate(all="ignore"):
            self.np_fwd(self.a, self.b)

    def time_numpy_backward(self, dtype, size):
        with np.errstate(all="ignore"):
            self.np_bwd(self.g, self.a, self.b)

    def time_torch_alloc(self, dtype, size):
        if self.ta is None:
            raise NotImplementedError("torch is not installed")
        self.torch_fwd(torch.nn.functional, self.ta, self.tb)

    def time_torch_autograd_backward(self, dtype, size):
        if self.ta is None:
            raise NotImplementedError("torch is not installed")
        self.la.grad = self.lb.grad = None
        self.torch_fwd(torch.nn.functional, self.la, self.lb).backward(self.tg)


class Swiglu(_Gated):
    op = "swiglu"


class Glu(_Gated):
    op = "glu"


class Reglu(_Gated):
    op = "reglu"


class Geglu(_Gated):
    op = "geglu"


class GegluTanh(_Gated):
    op = "geglu_tanh"
