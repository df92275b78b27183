"""relukit: the ReLU family of activations as fast, exact NumPy ufuncs.

Every op is a real :class:`numpy.ufunc` backed by SIMD C kernels compiled for
several CPU targets and picked at import (``RELUKIT_TARGET`` forces one), so
``out=``, ``where=``, ``dtype=``, broadcasting and ``__array_ufunc__`` all work.
In place is ``op(x, out=x)``.  See :func:`show_config`.
"""
from relukit._build_info import version as __version__
from relukit._config import show_config
from relukit._ufuncs import UFUNCS as _UFUNCS

relu = _UFUNCS["relu"]
relu_backward = _UFUNCS["relu_backward"]

__all__ = ["relu", "relu_backward", "show_config", "__version__"]
