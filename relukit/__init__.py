"""relukit: the ReLU family of activations as fast, exact NumPy ufuncs.

Every op is a thin call around a :class:`numpy.ufunc` backed by SIMD C kernels
compiled for several CPU targets and picked at import (``RELUKIT_TARGET`` forces
one), so ``out=``, ``where=``, ``dtype=``, broadcasting and ``__array_ufunc__``
all work.  In place is ``op(x, out=x)`` or torch's ``op(x, inplace=True)``.
See :func:`show_config`.
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
    from relukit._threads import get_num_threads, set_num_threads
    from relukit._threads import _install_threadpoolctl_support, _warn_bad_env

    _install_threadpoolctl_support()
    _warn_bad_env()

    from relukit import _api
    from relukit._optable import public_names as _public_names

    # every public op, from the op table (relukit/_optable.py): the generated wrappers,
    # the parameterless ops (thin functions around their ufuncs: x= and inplace= besides
    # every ufunc keyword; .ufunc is the ufunc itself), the aliases (swish is silu),
    # prelu, rrelu and the gated family
    globals().update({_n: getattr(_api, _n) for _n in _public_names()})

    def _register_bfloat16():
        """bfloat16 loops on every ufunc where ml_dtypes is installed (else nothing:
        a cheap look-up, no import); its dtype, or None."""
        if _ilu.find_spec("ml_dtypes") is None:
            return None
        try:
            import ml_dtypes
            import numpy

            dt = numpy.dtype(ml_dtypes.bfloat16)
        except Exception:  # a broken ml_dtypes must not break relukit
            return None
        from relukit import _api, _bfloat16

        _bfloat16.register([*_ufuncs.UFUNCS.values(), *_ufuncs.GATED_UFUNCS.values()], dt)
        npar = {_ufuncs.ufunc_name(row): p for row, _, p, _ in _ufuncs.KERNEL_ROWS}
        _bfloat16.register_f32par([(uf, _ufuncs.UFUNCS[n], npar[n])
                                   for n, uf in _ufuncs.F32PAR_UFUNCS.items()], dt)
        _api._HALF.add(dt)
        for op in _api.OPS_WITHOUT_PARAMETERS:  # their types now list bfloat16
            _api._share_ufunc_attributes(op)
        _api._EXTRA_FLOATS.add(dt)
        return dt

    _bfloat16_dtype = _register_bfloat16()
    del _register_bfloat16

    __all__ = [*_public_names(), "get_num_threads", "set_num_threads", "show_config", "__version__"]


def __getattr__(name):
    # relukit.cuda is imported on first use only: `import relukit` never imports numba
    if name == "cuda":
        import importlib

        return importlib.import_module("relukit.cuda")
    raise AttributeError(f"module 'relukit' has no attribute {name!r}")
