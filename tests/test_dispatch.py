"""Targets and dispatch: the selected target, RELUKIT_TARGET, show_config, and
the whole test suite re-run under every other compiled target this CPU runs."""
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import relukit
from relukit import _ufuncs

TESTS_DIR = Path(__file__).resolve().parent


def run_python(code, target=None, timeout=120):
    env = dict(os.environ)
    env.pop("RELUKIT_TARGET", None)
    if target is not None:
        env["RELUKIT_TARGET"] = target
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=str(TESTS_DIR))


def test_selected_target_is_best_supported():
    assert _ufuncs.TARGET in _ufuncs.SUPPORTED_TARGETS
    if "RELUKIT_TARGET" not in os.environ:
        assert _ufuncs.TARGET == _ufuncs.SUPPORTED_TARGETS[-1]
        assert _ufuncs.TARGET_REASON == "best target this CPU supports"


def test_targets_compiled_on_x86_64():
    if platform.machine() in ("x86_64", "AMD64"):
        assert _ufuncs.COMPILED_TARGETS == ("baseline", "avx2", "avx512")
        features = _ufuncs.CPU_FEATURES.split()
        expect = ["baseline"]
        if {"avx2", "fma", "f16c"} <= set(features):
            expect.append("avx2")
            if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= set(features):
                expect.append("avx512")
        assert list(_ufuncs.SUPPORTED_TARGETS) == expect
    else:
        assert _ufuncs.COMPILED_TARGETS == ("baseline",)


def test_show_config_dicts_and_stdout(capsys):
    cfg = relukit.show_config(mode="dicts")
    assert cfg["relukit"]["version"] == relukit.__version__
    assert cfg["Runtime"]["target"] == _ufuncs.TARGET
    assert cfg["Build"]["compiled_targets"] == list(_ufuncs.COMPILED_TARGETS)
    assert cfg["Runtime"]["threads"] >= 1
    assert "relu" in cfg["Kernels"]["ufuncs"]
    # whether the bfloat16 loops are installed, and if not, why
    import importlib.util

    bf16 = cfg["Kernels"]["bfloat16_loops"]
    if importlib.util.find_spec("ml_dtypes") is not None:
        import ml_dtypes

        assert bf16 == f"installed (ml_dtypes {ml_dtypes.__version__})"
        assert relukit.relu(np.ones(2, ml_dtypes.bfloat16)).dtype == ml_dtypes.bfloat16
    else:
        assert bf16.startswith("not installed: ml_dtypes is not installed")
    assert relukit.show_config() is None
    text = capsys.readouterr().out
    assert f"target: {_ufuncs.TARGET}" in text and "compiler:" in text
    assert f"bfloat16_loops: {bf16}" in text
    with pytest.raises(ValueError, match="show_config: mode"):
        relukit.show_config(mode="json")


def test_show_config_bfloat16_without_ml_dtypes():
    r = run_python("import sys; sys.modules['ml_dtypes'] = None\n"
                   "import relukit; print(relukit.show_config('dicts')['Kernels']['bfloat16_loops'])")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().startswith("not installed: ml_dtypes")


def test_kernel_rows_generate_ufuncs():
    names = {_ufuncs.ufunc_name(row) for row, *_ in _ufuncs.KERNEL_ROWS}
    assert names == set(_ufuncs.UFUNCS)
    for row, nin, npar, ints in _ufuncs.KERNEL_ROWS:
        uf = _ufuncs.UFUNCS[_ufuncs.ufunc_name(row)]
        assert uf.nin == nin + npar and uf.nout == 1
        assert uf.types[:3] == [t * (nin + npar) + "->" + t for t in "efd"]
        assert (len(uf.types) > 3) == bool(ints)


@pytest.mark.parametrize("target", _ufuncs.SUPPORTED_TARGETS)
def test_forced_target_is_used(target):
    r = run_python("import relukit; c = relukit.show_config('dicts')['Runtime']; "
                   "print(c['target'], '|', c['target_reason'])", target=target)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{target} | forced by RELUKIT_TARGET"


def test_unknown_target_is_import_error():
    r = run_python("import relukit", target="sse9")
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "RELUKIT_TARGET='sse9' is not a relukit target" in r.stderr


def test_bogus_target_is_import_error():
    r = run_python("import relukit", target="avx9000")
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "RELUKIT_TARGET='avx9000' is not a relukit target" in r.stderr
    assert "use one of " + ", ".join(_ufuncs.TARGETS) in r.stderr


# Import picks its target with _ufuncs.choose_target; on x86-64 every target is
# compiled in and an AVX-512 CPU runs them all, so the "not compiled" and "cannot
# run" errors are reached here by giving it other compiled and supported lists.
@pytest.mark.parametrize("target", _ufuncs.TARGETS)
def test_target_not_compiled_into_this_build(target):
    compiled = tuple(t for t in _ufuncs.TARGETS if t != target)
    with pytest.raises(ImportError, match=rf"RELUKIT_TARGET='{target}' was not compiled into "
                                          rf"this build \(compiled: {', '.join(compiled)}\)"):
        _ufuncs.choose_target(target, compiled=compiled)
    # compiled in and runnable: chosen
    assert _ufuncs.choose_target(f" {target.upper()} ", compiled=_ufuncs.TARGETS,
                                 supported=_ufuncs.TARGETS) == (target, "forced by RELUKIT_TARGET")


@pytest.mark.parametrize("target", _ufuncs.TARGETS)
def test_target_this_cpu_cannot_run(target):
    supported = tuple(t for t in _ufuncs.TARGETS if t != target)
    with pytest.raises(ImportError, match=rf"RELUKIT_TARGET='{target}' cannot run on this CPU"):
        _ufuncs.choose_target(target, compiled=_ufuncs.TARGETS, supported=supported)


def test_choose_target_unset_and_bogus():
    assert _ufuncs.choose_target("") == (_ufuncs.BEST_TARGET, "best target this CPU supports")
    with pytest.raises(ImportError, match="'sse9' is not a relukit target"):
        _ufuncs.choose_target("sse9")


@pytest.mark.parametrize("target", [t for t in _ufuncs.COMPILED_TARGETS
                                    if t not in _ufuncs.SUPPORTED_TARGETS])
def test_unsupported_target_is_import_error(target):
    r = run_python("import relukit", target=target)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "cannot run on this CPU" in r.stderr


OTHER_TARGETS = [t for t in _ufuncs.COMPILED_TARGETS if t != _ufuncs.TARGET]
# the modules that exercise the kernels (values, routes, tails, accuracy): rerun
# under every other compiled target
KERNEL_MODULES = ("test_piecewise.py", "test_exponential.py", "test_gelu.py", "test_gated.py", "test_ufuncs.py",
                  "test_properties.py", "test_bfloat16.py", "test_verify.py", "test_wrappers.py")
# modules whose subject does not depend on the kernels' target (argument checks,
# type stubs, threads, processes, Dask/xarray plumbing, leaks, dispatch itself), or
# that build every target themselves (test_c_kernels.py): run once
TARGET_INDEPENDENT = ("test_bad_input.py", "test_typing.py", "test_processes.py", "test_dask.py",
                      "test_leaks.py", "test_benchmarks.py", "test_cuda.py", "test_threads.py",
                      "test_concurrency.py", "test_protocol.py", "test_dispatch.py",
                      "test_c_kernels.py", "test_big.py", "test_cli.py", "test_ci.py", "test_fit.py",
                      "test_reference.py", "test_optable.py", "test_constants.py",
                      # the GPU's float32 bodies mirror the FMA targets (avx2, avx512): run
                      # against the best target, with a check that the FMA targets agree
                      "test_cuda_f32.py")


def test_every_module_is_classified():
    """A new test module must say whether it exercises the kernels, so that the
    per-target rerun neither misses it nor reruns it for nothing."""
    modules = {p.name for p in TESTS_DIR.glob("test_*.py")}
    assert not set(KERNEL_MODULES) & set(TARGET_INDEPENDENT)
    assert modules == set(KERNEL_MODULES) | (set(TARGET_INDEPENDENT) & modules), \
        f"unclassified: {sorted(modules - set(KERNEL_MODULES) - set(TARGET_INDEPENDENT))}"


@pytest.mark.skipif("RELUKIT_TARGET" in os.environ, reason="already inside a per-target run")
@pytest.mark.parametrize("target", OTHER_TARGETS)
def test_whole_suite_under_target(target):
    """Every compiled target is tested, not only the best: re-run the modules
    that exercise the kernels (KERNEL_MODULES) with RELUKIT_TARGET set."""
    if target not in _ufuncs.SUPPORTED_TARGETS:
        pytest.skip(f"this CPU cannot run the {target} kernels ({_ufuncs.CPU_FEATURES})")
    env = dict(os.environ, RELUKIT_TARGET=target)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                        *(str(TESTS_DIR / name) for name in KERNEL_MODULES)],
                       env=env, capture_output=True, text=True,
                       timeout=900, cwd=str(TESTS_DIR))
    tail = "\n".join(r.stdout.splitlines()[-15:])
    assert r.returncode == 0, f"tests failed under RELUKIT_TARGET={target}:\n{tail}\n{r.stderr[-2000:]}"
    assert " passed" in tail


def test_main_job_from_clone_root():
    """`python -m relukit` run where the source folder shadows the installed
    package (the root of a clone) still runs the built relukit and passes."""
    root = TESTS_DIR.parent
    if not (root / "relukit" / "__init__.py").exists():
        pytest.skip("tests are not inside a source checkout")
    env = {k: v for k, v in os.environ.items() if k != "RELUKIT_TARGET"}
    r = subprocess.run([sys.executable, "-m", "relukit", "--no-bench"], cwd=str(root), env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "all PASS" in r.stdout and "FAIL" not in r.stdout
    for name in _ufuncs.GATED_UFUNCS:  # the gated family is self-checked too
        assert re.search(rf"^  PASS  {name} +float32 ", r.stdout, re.M), name
