"""A small program using relukit's public API, type-checked by mypy
(tests/test_typing.py).  Each ``reveal``-free assignment states the type the
stubs must give; a wrong stub makes mypy fail."""
from typing import Any

import numpy as np
from numpy.typing import NDArray

import relukit

x: NDArray[np.float32] = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
g = np.ones_like(x)
out = np.empty_like(x)

# ops without parameters are thin callables around ufuncs, with their attributes
uf: np.ufunc = relukit.relu.ufunc
nin: int = relukit.mish.nin
types: list[str] = relukit.silu.types
y0 = relukit.relu(x, out=out)
relukit.relu.at(out, [0, 1])
y1 = relukit.relu(x=x, inplace=False)
y2: NDArray[Any] = relukit.leaky_relu(out, 0.2, inplace=True)
gy: NDArray[Any] = relukit.relu_backward(g=g, x=x, from_output=True)

# wrappers with parameters return an ndarray for an ndarray
a: NDArray[Any] = relukit.hardtanh(x, -0.5, 0.5)
b: NDArray[Any] = relukit.hardtanh_backward(g, x, min_val=-0.5, max_val=0.5, from_output=False)
c: NDArray[Any] = relukit.threshold(x, 0.1, 20.0, out=out)
d: NDArray[Any] = relukit.threshold_backward(g, x, 0.1, value=-1.0, from_output=True)
e: NDArray[Any] = relukit.leaky_relu(x, negative_slope=np.full(4, 0.2, np.float32))
f: NDArray[Any] = relukit.leaky_relu_backward(g, x, 0.2, where=x > 0, out=out)
h: NDArray[Any] = relukit.prelu(x, np.array([0.1, 0.2, 0.3]), axis=0)
gx, gw = relukit.prelu_backward(g, x, np.array([0.1, 0.2, 0.3]), axis=0)
gx_typed: NDArray[Any] = gx
gw_typed: NDArray[Any] = gw
i: NDArray[Any] = relukit.rrelu(x)
yi, noise = relukit.rrelu(x, 0.1, 0.3, True, rng=np.random.default_rng(0))
yk, noise_k = relukit.rrelu(x, training=True, rng=1)
noise_typed: NDArray[Any] = noise
j: NDArray[Any] = relukit.rrelu_backward(g, x, noise)
k: NDArray[Any] = relukit.elu(x, alpha=0.5) + relukit.celu(x, 2.0) + relukit.softplus(x, 2.0, 10.0)
m: NDArray[Any] = relukit.elu_backward(g, x, from_output=False)
n: NDArray[Any] = relukit.celu_backward(g, x, 1.5) + relukit.softplus_backward(g, x, beta=1.0)
o: NDArray[Any] = relukit.gelu(x, approximate="tanh")
p: NDArray[Any] = relukit.gelu_backward(g, x, "none")
q: NDArray[Any] = relukit.relu6_backward(g, x) + relukit.selu_backward(g, x, from_output=True)
r: NDArray[Any] = relukit.hardsigmoid_backward(g, x) + relukit.hardswish_backward(g, x)
s: NDArray[Any] = relukit.silu_backward(g, x) + relukit.swish_backward(g, x) + relukit.mish_backward(g, x)

# scalars and lists go through too (whatever the ufunc returns)
t = relukit.leaky_relu(-2.0)
u = relukit.gelu([-1.0, 1.0])

# configuration
cfg: dict[str, dict[str, Any]] = relukit.show_config(mode="dicts")
relukit.show_config()
version: str = relukit.__version__
