"""Type stubs of relukit's public API (``relukit.__all__``).

Ops without parameters are thin functions around NumPy ufuncs (typed ``Op``:
the ufunc is ``.ufunc``, its attributes are copied onto the function); the
others are wrappers typed here with their parameters.  A wrapper given an
ndarray returns an ndarray (or, for ``prelu_backward`` and ``rrelu`` with
``training=True``, a pair of them); given a scalar, a list or a duck array
(Dask, xarray), it returns whatever the ufunc returns for it (``Any``).
"""
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

__version__: str
__all__ = [
    "relu", "relu_backward", "relu6", "relu6_backward", "hardtanh", "hardtanh_backward",
    "threshold", "threshold_backward", "leaky_relu", "leaky_relu_backward", "prelu",
    "prelu_backward", "rrelu", "rrelu_backward", "hardsigmoid", "hardsigmoid_backward",
    "hardswish", "hardswish_backward", "elu", "elu_backward", "celu", "celu_backward", "selu",
    "selu_backward", "silu", "silu_backward", "swish", "swish_backward", "mish",
    "mish_backward", "softplus", "softplus_backward", "gelu", "gelu_backward",
    "glu", "glu_backward", "reglu", "reglu_backward", "geglu", "geglu_backward",
    "swiglu", "swiglu_backward",
    "get_num_threads", "set_num_threads", "show_config",
    "__version__",
]

# a parameter: a real scalar or an array of reals broadcasting against x
_Param = ArrayLike
_Out = NDArray[Any] | tuple[NDArray[Any]] | None
_Approx = Literal["none", "tanh"]

# ------------------------------------------------------------------ ops without parameters
class Op:
    ufunc: np.ufunc
    nin: int
    nout: int
    nargs: int
    ntypes: int
    types: list[str]
    def __call__(self, x: ArrayLike, out: _Out = ..., *, inplace: bool = ...,
                 **kwargs: Any) -> Any: ...
    def at(self, a: NDArray[Any], indices: Any, /) -> None: ...
    def __getattr__(self, name: str) -> Any: ...


# ------------------------------------------------------------------ configuration
def get_num_threads() -> int: ...
def set_num_threads(n: int) -> int: ...

@overload
def show_config(mode: Literal["stdout"] = ...) -> None: ...
@overload
def show_config(mode: Literal["dicts"]) -> dict[str, dict[str, Any]]: ...

# ------------------------------------------------------------------ prelu
@overload
def prelu(x: NDArray[Any], weight: _Param, axis: int = ..., *, inplace: bool = ...,
          out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def prelu(x: ArrayLike, weight: _Param, axis: int = ..., *, inplace: bool = ...,
          out: _Out = ..., **kwargs: Any) -> Any: ...
def prelu_backward(g: ArrayLike, x: ArrayLike, weight: _Param, axis: int = ..., *,
                   out: _Out = ...) -> tuple[NDArray[Any], NDArray[Any]]: ...

# ------------------------------------------------------------------ rrelu
@overload
def rrelu(x: NDArray[Any], lower: float = ..., upper: float = ..., training: Literal[False] = ...,
          rng: np.random.Generator | int | None = ..., *, inplace: bool = ..., out: _Out = ...,
          **kwargs: Any) -> NDArray[Any]: ...
@overload
def rrelu(x: ArrayLike, lower: float, upper: float, training: Literal[True],
          rng: np.random.Generator | int | None = ..., *, inplace: bool = ..., out: _Out = ...,
          **kwargs: Any) -> tuple[NDArray[Any], NDArray[Any]]: ...
@overload
def rrelu(x: ArrayLike, lower: float = ..., upper: float = ..., *, training: Literal[True],
          rng: np.random.Generator | int | None = ..., inplace: bool = ..., out: _Out = ...,
          **kwargs: Any) -> tuple[NDArray[Any], NDArray[Any]]: ...
@overload
def rrelu(x: ArrayLike, lower: float = ..., upper: float = ..., training: bool = ...,
          rng: np.random.Generator | int | None = ..., *, inplace: bool = ..., out: _Out = ...,
          **kwargs: Any) -> Any: ...
@overload
def rrelu_backward(g: ArrayLike, x: NDArray[Any], noise: ArrayLike, *,
                   out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def rrelu_backward(g: ArrayLike, x: ArrayLike, noise: ArrayLike, *,
                   out: _Out = ..., **kwargs: Any) -> Any: ...

# ------------------------------------------------------------------ the gated family
# op(a, b) = act(a) * b (a 2-input ufunc call) or op(x, axis=-1), the split form on
# the halves of x; op_backward(g, a, b) -> (grad_a, grad_b), or (g, x) -> grad_x.
# Each also carries its ufunc as ``.ufunc``.
_Out2 = tuple[NDArray[Any] | None, NDArray[Any] | None] | NDArray[Any] | None
def glu(x: ArrayLike, axis: int = ..., *, out: _Out = ..., **kwargs: Any) -> Any: ...
def glu_backward(g: ArrayLike, x: ArrayLike, axis: int = ..., *, out: _Out = ..., **kwargs: Any) -> Any: ...
def reglu(a: ArrayLike, b: ArrayLike | None = ..., *, axis: int = ..., out: _Out = ...,
          **kwargs: Any) -> Any: ...
def reglu_backward(g: ArrayLike, a: ArrayLike, b: ArrayLike | None = ..., *, axis: int = ...,
                   out: _Out2 = ..., **kwargs: Any) -> Any: ...
def geglu(a: ArrayLike, b: ArrayLike | None = ..., approximate: _Approx = ..., *, axis: int = ...,
          out: _Out = ..., **kwargs: Any) -> Any: ...
def geglu_backward(g: ArrayLike, a: ArrayLike, b: ArrayLike | None = ..., approximate: _Approx = ...,
                   *, axis: int = ..., out: _Out2 = ..., **kwargs: Any) -> Any: ...
def swiglu(a: ArrayLike, b: ArrayLike | None = ..., *, axis: int = ..., out: _Out = ...,
           **kwargs: Any) -> Any: ...
def swiglu_backward(g: ArrayLike, a: ArrayLike, b: ArrayLike | None = ..., *, axis: int = ...,
                    out: _Out2 = ..., **kwargs: Any) -> Any: ...

# ------------------------------------------------------------------ the op table
# ---- generated by relukit/_opgen.py from the op table (python -m relukit optable --write)
# relu
relu: Op
@overload
def relu_backward(g: ArrayLike, x: NDArray[Any], *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def relu_backward(g: ArrayLike, x: ArrayLike, *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# relu6
relu6: Op
@overload
def relu6_backward(g: ArrayLike, x: NDArray[Any], *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def relu6_backward(g: ArrayLike, x: ArrayLike, *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# hardtanh
@overload
def hardtanh(x: NDArray[Any], min_val: _Param = ..., max_val: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def hardtanh(x: ArrayLike, min_val: _Param = ..., max_val: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
@overload
def hardtanh_backward(g: ArrayLike, x: NDArray[Any], min_val: _Param = ..., max_val: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def hardtanh_backward(g: ArrayLike, x: ArrayLike, min_val: _Param = ..., max_val: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# threshold
@overload
def threshold(x: NDArray[Any], threshold: _Param, value: _Param, *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def threshold(x: ArrayLike, threshold: _Param, value: _Param, *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
@overload
def threshold_backward(g: ArrayLike, x: NDArray[Any], threshold: _Param, *, value: float | None = ..., from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def threshold_backward(g: ArrayLike, x: ArrayLike, threshold: _Param, *, value: float | None = ..., from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# leaky_relu
@overload
def leaky_relu(x: NDArray[Any], negative_slope: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def leaky_relu(x: ArrayLike, negative_slope: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
@overload
def leaky_relu_backward(g: ArrayLike, x: NDArray[Any], negative_slope: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def leaky_relu_backward(g: ArrayLike, x: ArrayLike, negative_slope: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# hardsigmoid
hardsigmoid: Op
@overload
def hardsigmoid_backward(g: ArrayLike, x: NDArray[Any], *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def hardsigmoid_backward(g: ArrayLike, x: ArrayLike, *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# hardswish
hardswish: Op
@overload
def hardswish_backward(g: ArrayLike, x: NDArray[Any], *, from_output: Literal[False] = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def hardswish_backward(g: ArrayLike, x: ArrayLike, *, from_output: Literal[False] = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# elu
@overload
def elu(x: NDArray[Any], alpha: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def elu(x: ArrayLike, alpha: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
@overload
def elu_backward(g: ArrayLike, x: NDArray[Any], alpha: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def elu_backward(g: ArrayLike, x: ArrayLike, alpha: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# celu
@overload
def celu(x: NDArray[Any], alpha: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def celu(x: ArrayLike, alpha: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
@overload
def celu_backward(g: ArrayLike, x: NDArray[Any], alpha: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def celu_backward(g: ArrayLike, x: ArrayLike, alpha: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# selu
selu: Op
@overload
def selu_backward(g: ArrayLike, x: NDArray[Any], *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def selu_backward(g: ArrayLike, x: ArrayLike, *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# silu
silu: Op
swish: Op
@overload
def silu_backward(g: ArrayLike, x: NDArray[Any], *, from_output: Literal[False] = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def silu_backward(g: ArrayLike, x: ArrayLike, *, from_output: Literal[False] = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
swish_backward = silu_backward
# mish
mish: Op
@overload
def mish_backward(g: ArrayLike, x: NDArray[Any], *, from_output: Literal[False] = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def mish_backward(g: ArrayLike, x: ArrayLike, *, from_output: Literal[False] = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# softplus
@overload
def softplus(x: NDArray[Any], beta: _Param = ..., threshold: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def softplus(x: ArrayLike, beta: _Param = ..., threshold: _Param = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
@overload
def softplus_backward(g: ArrayLike, x: NDArray[Any], beta: _Param = ..., threshold: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def softplus_backward(g: ArrayLike, x: ArrayLike, beta: _Param = ..., threshold: _Param = ..., *, from_output: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# gelu
@overload
def gelu(x: NDArray[Any], approximate: _Approx = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def gelu(x: ArrayLike, approximate: _Approx = ..., *, inplace: bool = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
@overload
def gelu_backward(g: ArrayLike, x: NDArray[Any], approximate: _Approx = ..., *, from_output: Literal[False] = ...,
        out: _Out = ..., **kwargs: Any) -> NDArray[Any]: ...
@overload
def gelu_backward(g: ArrayLike, x: ArrayLike, approximate: _Approx = ..., *, from_output: Literal[False] = ...,
        out: _Out = ..., **kwargs: Any) -> Any: ...
# ---- end of the generated block
