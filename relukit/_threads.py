"""Threads: the process-wide limit, and threadpoolctl support.

Large ufunc calls are cut into chunks run by relukit's own thread pool (POSIX
threads, not OpenMP: the pool re-creates itself in a forked child, so
``multiprocessing`` with the ``fork`` start method works).  Each op has a
threshold of elements per thread below which it stays on the calling thread,
so small calls never pay for threads.

The limit is, in order of precedence: :func:`set_num_threads` (or
threadpoolctl's ``threadpool_limits``), the ``RELUKIT_NUM_THREADS``
environment variable read at the first use, and the number of CPUs this
process may run on.  A RELUKIT_NUM_THREADS that is not a positive integer is
ignored with one RuntimeWarning at import, naming the value and the thread count
used instead (a thread count is a tuning knob: a typo in it should not stop a
program, unlike RELUKIT_TARGET, which chooses the code that runs).
"""
import operator
import os
import sys
import warnings

from relukit import _ufuncs

__all__ = ["get_num_threads", "set_num_threads"]


def env_status():
    """RELUKIT_NUM_THREADS as relukit reads it: None if unset or empty, else its
    value, and ``(ignored: ...)`` where it is not a positive integer."""
    raw = os.environ.get("RELUKIT_NUM_THREADS")
    if raw is None or not raw.strip():
        return None
    if _ufuncs.env_num_threads():
        return raw.strip()
    return f"{raw!r} (ignored: not a positive integer)"


def _warn_bad_env():
    """One RuntimeWarning at import where RELUKIT_NUM_THREADS is set but unusable."""
    raw = os.environ.get("RELUKIT_NUM_THREADS")
    if raw is None or not raw.strip() or _ufuncs.env_num_threads():
        return
    warnings.warn(f"relukit: RELUKIT_NUM_THREADS={raw!r} is not a positive integer; ignored: "
                  f"using {min(_ufuncs.available_cpus(), 256)} threads (the CPUs this process may run on)",
                  RuntimeWarning, stacklevel=3)


def get_num_threads():
    """Return the number of threads a large relukit call may use.

    Returns
    -------
    int
        The current limit, the calling thread included (1 means no threads are
        started).

    See Also
    --------
    set_num_threads
    """
    return _ufuncs.get_num_threads()


def set_num_threads(n):
    """Set the number of threads large relukit calls may use, process-wide.

    Parameters
    ----------
    n : int
        The new limit, at least 1 (1: every call runs on the calling thread).
        Values above 256 are taken as 256.

    Returns
    -------
    int
        The previous limit, so that it can be restored.

    Raises
    ------
    TypeError
        If `n` is not an integer.
    ValueError
        If `n` is less than 1.

    Notes
    -----
    ``threadpoolctl.threadpool_limits(limits=n)`` (or with
    ``user_api='relukit'``) has the same effect for the duration of its block.
    """
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"set_num_threads: n must be an integer, not {type(n).__name__}") from None
    if n < 1:
        raise ValueError(f"set_num_threads: n must be at least 1, not {n}")
    return _ufuncs.set_num_threads(min(n, 256))


# ---- threadpoolctl ----------------------------------------------------------
# threadpoolctl finds thread pools by scanning the shared libraries loaded in
# the process.  relukit's pool lives in its extension module, which exports
# relukit_get_num_threads / relukit_set_num_threads for this controller.
# Importing threadpoolctl costs tens of milliseconds, so `import relukit` does
# not: the controller is registered when threadpoolctl gets imported (now, if
# it already is).

_registered = False


def _register_with_threadpoolctl(tpc):
    global _registered
    if _registered:
        return

    class RelukitController(tpc.LibController):
        """threadpoolctl controller for relukit's thread pool."""

        user_api = "relukit"
        internal_api = "relukit"
        filename_prefixes = ("_ufuncs",)
        check_symbols = ("relukit_get_num_threads", "relukit_set_num_threads")

        def get_num_threads(self):
            return self.dynlib.relukit_get_num_threads()

        def set_num_threads(self, num_threads):
            return self.dynlib.relukit_set_num_threads(int(num_threads))

        def get_version(self):
            from relukit._build_info import version

            return version

    tpc.register(RelukitController)
    _registered = True


class _RegisterOnImport:
    """A meta-path finder that registers relukit's controller right after
    threadpoolctl's module has run, then steps aside."""

    def find_spec(self, name, path=None, target=None):
        if name != "threadpoolctl":
            return None
        import importlib.util

        _remove_hook()
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        class _Loader:
            def __getattr__(self, attr):
                return getattr(loader, attr)

            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                exec_module(module)
                try:
                    _register_with_threadpoolctl(module)
                except Exception:  # an incompatible threadpoolctl: leave it alone
                    pass

        spec.loader = _Loader()
        return spec


_hook = None


def _remove_hook():
    global _hook
    if _hook is not None and _hook in sys.meta_path:
        sys.meta_path.remove(_hook)
    _hook = None


def _install_threadpoolctl_support():
    global _hook
    mod = sys.modules.get("threadpoolctl")
    if mod is not None:
        try:
            _register_with_threadpoolctl(mod)
        except Exception:
            pass
        return
    if _hook is None:
        _hook = _RegisterOnImport()
        sys.meta_path.insert(0, _hook)
