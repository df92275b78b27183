"""Type stubs: relukit/__init__.pyi covers exactly the public API, ships with
py.typed, and mypy (--strict) accepts a usage file and rejects misuse."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import relukit

TESTS_DIR = Path(__file__).resolve().parent
USAGE = TESTS_DIR / "typing" / "usage.py"


def _package_dir():
    """The relukit package holding the stubs: the source tree when the tests
    run inside a checkout (an editable install is not visible to mypy), else
    the installed package."""
    src = TESTS_DIR.parent / "relukit"
    if (src / "__init__.pyi").exists():
        return src
    return Path(relukit.__file__).resolve().parent


def _stub_tree():
    return ast.parse((_package_dir() / "__init__.pyi").read_text())


def _stub_names(tree):
    """Top-level names the stub defines (functions, annotated or assigned names)."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_stub_all_is_the_runtime_all():
    tree = _stub_tree()
    stub_all = next(ast.literal_eval(n.value) for n in tree.body
                    if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets))
    assert stub_all == relukit.__all__
    defined = {n for n in _stub_names(tree) if not n.startswith("_")} | {"__version__"}
    assert defined == set(relukit.__all__), (
        f"stub defines {sorted(defined - set(relukit.__all__))} not in __all__; "
        f"missing {sorted(set(relukit.__all__) - defined)}")


def test_stub_ops_are_ops():
    """Names annotated Op in the stub are the thin callables around ufuncs, and
    every public one is annotated as one."""
    import numpy as np

    annotated = {node.target.id for node in _stub_tree().body
                 if isinstance(node, ast.AnnAssign) and ast.unparse(node.annotation) == "Op"}
    from conftest import GATED  # wrappers typed with their own signatures, also carrying .ufunc

    runtime = {n for n in relukit.__all__ if hasattr(getattr(relukit, n), "ufunc") and n not in GATED}
    assert annotated == runtime and len(runtime) >= 8
    assert all(isinstance(getattr(relukit, n).ufunc, np.ufunc) for n in runtime)


def _stub_signatures(tree):
    """name -> list of [(parameter, kind)] for each stub definition (overload)."""
    sigs = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            a = node.args
            params = [(p.arg, "POSITIONAL_OR_KEYWORD") for p in a.posonlyargs + a.args]
            params += [(p.arg, "KEYWORD_ONLY") for p in a.kwonlyargs]
            if a.vararg:
                params.append((a.vararg.arg, "VAR_POSITIONAL"))
            if a.kwarg:
                params.append((a.kwarg.arg, "VAR_KEYWORD"))
            sigs.setdefault(node.name, []).append(params)
    return sigs


def test_stub_signatures_match_the_functions():
    """Every wrapper's parameters (names and kinds) are those of one of its
    stub definitions, so the stubs cannot drift from the code unnoticed."""
    import inspect

    sigs = _stub_signatures(_stub_tree())
    sigs["swish_backward"] = sigs["silu_backward"]
    checked = 0
    for name in relukit.__all__:
        obj = getattr(relukit, name)
        if not inspect.isfunction(obj) or hasattr(obj, "ufunc"):  # (Op: its own test)
            continue
        runtime = [(p.name, p.kind.name) for p in inspect.signature(obj).parameters.values()]
        assert runtime in sigs[name], f"{name}: runtime {runtime}, stub {sigs[name]}"
        checked += 1
    assert checked >= 25


def test_py_typed_marker():
    assert (_package_dir() / "py.typed").exists()


def _mypy(path, tmp_path):
    pytest.importorskip("mypy")
    pkg_parent = _package_dir().parent
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / "mypy_cache"), "--no-error-summary", str(path)],
        cwd=str(pkg_parent), capture_output=True, text=True, timeout=300)


def test_mypy_accepts_usage(tmp_path):
    r = _mypy(USAGE, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


MISUSE = '''
import numpy as np
from numpy.typing import NDArray
import relukit
x = np.ones(3, np.float32)
relukit.gelu(x, approximate="fast")
relukit.mish_backward(x, x, from_output=True)
single: NDArray[np.float32] = relukit.prelu_backward(x, x, 0.1)
relukit.hardtanh(x, -1.0, 1.0, 2.0)
relukit.not_an_op(x)
'''


def test_mypy_rejects_misuse(tmp_path):
    bad = tmp_path / "misuse.py"
    bad.write_text(MISUSE)
    r = _mypy(bad, tmp_path)
    assert r.returncode != 0
    lines = [ln for ln in r.stdout.splitlines() if ": error:" in ln]
    flagged = {int(ln.split(":")[1]) for ln in lines}
    # one error per misuse line (lines 6..10 of MISUSE)
    assert flagged == {6, 7, 8, 9, 10}, r.stdout
