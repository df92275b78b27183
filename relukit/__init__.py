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

    from relukit._api import (
        celu,
        celu_backward,
        elu,
        elu_backward,
        hardsigmoid,
        hardswish,
        gelu,
        gelu_backward,
        hardsigmoid_backward,
        hardswish_backward,
        hardtanh,
        hardtanh_backward,
        leaky_relu,
        leaky_relu_backward,
        mish,
        mish_backward,
        prelu,
        prelu_backward,
        relu,
        relu6,
        relu6_backward,
        relu_backward,
        rrelu,
        rrelu_backward,
        selu,
        selu_backward,
        silu,
        silu_backward,
        softplus,
        softplus_backward,
        threshold,
        threshold_backward,
    )
    from relukit._api import (  # the gated family: act(a) * b, and the split form op(x)
        geglu,
        geglu_backward,
        glu,
        glu_backward,
        reglu,
        reglu_backward,
        swiglu,
        swiglu_backward,
    )

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

    # ops without parameters are thin functions around their ufuncs (relukit._api._op:
    # x= and inplace= besides every ufunc keyword; .ufunc is the ufunc itself)
    swish, swish_backward = silu, silu_backward

    __all__ = [
        "relu", "relu_backward", "relu6", "relu6_backward",
        "hardtanh", "hardtanh_backward", "threshold", "threshold_backward",
        "leaky_relu", "leaky_relu_backward", "prelu", "prelu_backward",
        "rrelu", "rrelu_backward",
        "hardsigmoid", "hardsigmoid_backward", "hardswish", "hardswish_backward",
        "elu", "elu_backward", "celu", "celu_backward", "selu", "selu_backward",
        "silu", "silu_backward", "swish", "swish_backward", "mish", "mish_backward",
        "softplus", "softplus_backward", "gelu", "gelu_backward",
        "glu", "glu_backward", "reglu", "reglu_backward", "geglu", "geglu_backward",
        "swiglu", "swiglu_backward",
        "get_num_threads", "set_num_threads", "show_config", "__version__",
    ]


def __getattr__(name):
    # relukit.cuda is imported on first use only: `import relukit` never imports numba
    if name == "cuda":
        import importlib

        return importlib.import_module("relukit.cuda")
    raise AttributeError(f"module 'relukit' has no attribute {name!r}")
