"""show_config(): what was built and what runs here."""
import platform
import sys

import numpy as np

from relukit import _api, _build_info, _threads, _ufuncs


def _config_dict():
    return {
        "relukit": {"version": _build_info.version},
        "Build": {
            "compiler": _build_info.compiler,
            "buildtype": _build_info.buildtype,
            "host_cpu": _build_info.host_cpu,
            "compiled_targets": list(_ufuncs.COMPILED_TARGETS),
        },
        "Runtime": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "machine": platform.machine(),
            "cpu_features": _ufuncs.CPU_FEATURES.split(),
            "supported_targets": list(_ufuncs.SUPPORTED_TARGETS),
            "target": _ufuncs.TARGET,
            "target_reason": _ufuncs.TARGET_REASON,
            "threads": _ufuncs.get_num_threads(),
            "threads_env": _threads.env_status(),
            "available_cpus": _ufuncs.available_cpus(),
        },
        "Kernels": {
            "bfloat16_loops": _bfloat16_status(),
            # every kernels.inc row and its ufunc, the gated family's included
            "rows": [row for row, *_ in _ufuncs.ALL_ROWS],
            "ufuncs": sorted({**_ufuncs.UFUNCS, **_ufuncs.GATED_UFUNCS}),
        },
    }


def _bfloat16_status():
    """Whether the bfloat16 loops are installed, and if not, why."""
    if _api._EXTRA_FLOATS:
        import ml_dtypes

        return f"installed (ml_dtypes {getattr(ml_dtypes, '__version__', '?')})"
    import importlib.util

    if importlib.util.find_spec("ml_dtypes") is None:
        return "not installed: ml_dtypes is not installed (pip install ml_dtypes)"
    return "not installed: ml_dtypes failed to import"


def show_config(mode="stdout"):
    """Show relukit's build and runtime configuration.

    Parameters
    ----------
    mode : {'stdout', 'dicts'}, optional
        ``'stdout'`` (default) prints a readable summary; ``'dicts'`` returns it
        as a dict of dicts instead (NumPy's convention).

    Returns
    -------
    dict or None
        The configuration when ``mode='dicts'``, else None.

    Raises
    ------
    ValueError
        If `mode` is not one of the two.
    """
    if mode not in ("stdout", "dicts"):
        raise ValueError(f"show_config: mode must be 'stdout' or 'dicts', not {mode!r}")
    cfg = _config_dict()
    if mode == "dicts":
        return cfg
    for section, items in cfg.items():
        print(f"{section}:")
        for key, value in items.items():
            if isinstance(value, list):
                value = ", ".join(map(str, value))
            print(f"  {key}: {value}")
    return None
