"""Importing relukit from an unbuilt source checkout.

`python -m relukit` or `python -m pytest` run from the root of a clone put the
clone on sys.path ahead of site-packages, so `import relukit` finds the source
folder, which has no compiled extension.  Then hand over to the installed
relukit (a regular `pip install .`), or say plainly how to build one.
"""
import importlib
import os
import sys


def use_installed_build(source_pkg_dir):
    root = os.path.dirname(os.path.abspath(source_pkg_dir))

    def is_root(entry):
        return os.path.abspath(entry or os.getcwd()) == root

    saved_path = list(sys.path)
    saved_modules = {k: v for k, v in sys.modules.items() if k == "relukit" or k.startswith("relukit.")}
    for k in saved_modules:
        del sys.modules[k]
    sys.path[:] = [p for p in sys.path if not is_root(p)]
    try:
        installed = importlib.import_module("relukit")
    except ImportError as exc:
        sys.path[:] = saved_path
        sys.modules.update(saved_modules)
        raise ImportError(
            f"relukit is imported from its source folder {source_pkg_dir}, which is not "
            "built, and no installed relukit was found: run `pip install .` (or "
            "`pip install -e . --no-build-isolation` for development) first") from exc
    finally:
        # keep the clone off sys.path only for the import above
        sys.path[:] = saved_path
    sys.modules["relukit"] = installed
    return installed
