"""relukit: the ReLU family of activations as fast, exact NumPy ufuncs.

Every op is a real :class:`numpy.ufunc` backed by SIMD C kernels compiled for
several CPU targets and picked at import (``RELUKIT_TARGET`` forces one), so
``out=``, ``where=``, ``dtype=``, broadcasting and ``__array_ufunc__`` all work.
In place is ``op(x, out=x)``.  See :func:`show_config`.
"""
import importlib.util as _ilu

if _ilu.find_spec("relukit._ufuncs") is None:
    # an unbuilt source checkout shadows the installed package: use the latter
    from relukit._source_tree import use_installed_build as _use_installed_build

    _use_installed_build(__path__[0])
else:
    from relukit import _ufuncs
    from relukit._build_info import version as __version__
    from relukit._config import show_config

    relu = _ufuncs.UFUNCS["relu"]
    relu_backward = _ufuncs.UFUNCS["relu_backward"]

    __all__ = ["relu", "relu_backward", "show_config", "__version__"]
