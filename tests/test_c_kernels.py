"""The C-level kernel check (tests/c/check_kernels.c) for every SIMD target this
CPU runs, the portable one-lane header, and -- where a cross compiler and
qemu-aarch64 are installed -- the aarch64 NEON baseline: every kernel of the
list, every tail length and misalignment, in place and out of place, with
canaries around the output, against the scalar references."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from relukit import _ufuncs

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
FLAGS = {"baseline": [], "avx2": ["-mavx2", "-mfma", "-mf16c"],
         "avx512": ["-mavx2", "-mfma", "-mf16c", "-mavx512f", "-mavx512bw", "-mavx512dq",
                    "-mavx512vl", "-mprefer-vector-width=512"]}

pytestmark = pytest.mark.skipif(not (SRC / "kernels.inc").exists(),
                                reason="needs the source tree (src/) next to tests/")


def build_and_run(tmp_path, cc, target, extra=(), runner=()):
    families = [str(SRC / f) for f in ("piecewise.c", "exponential.c", "gelu.c", "gated.c", "reference.c")]
    exe = tmp_path / f"check_{target}_{Path(cc).name.replace('-', '_')}"
    cmd = [cc, "-O2", "-std=gnu11", "-w", *FLAGS.get(target, []), *extra, f"-DRK_TARGET={target}",
           f"-DRK_BUILD_{target.upper()}", f"-I{SRC}", str(ROOT / "tests" / "c" / "check_kernels.c"),
           *families, "-lm", "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    r = subprocess.run([*runner, str(exe)], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "0 failures" in r.stdout.splitlines()[-1]


@pytest.mark.parametrize("target", _ufuncs.COMPILED_TARGETS)
def test_c_kernels_native(tmp_path, target):
    if target not in _ufuncs.SUPPORTED_TARGETS:
        pytest.skip(f"this CPU cannot run the {target} kernels ({_ufuncs.CPU_FEATURES})")
    build_and_run(tmp_path, os.environ.get("CC", "cc"), target)


def test_c_kernels_portable_scalar_header(tmp_path):
    build_and_run(tmp_path, os.environ.get("CC", "cc"), "baseline", extra=["-DRK_FORCE_SCALAR"])


def test_c_kernels_aarch64_neon_under_qemu(tmp_path):
    cc, qemu = shutil.which("aarch64-linux-gnu-gcc"), shutil.which("qemu-aarch64")
    if not (cc and qemu and Path("/usr/aarch64-linux-gnu").exists()):
        pytest.skip("needs aarch64-linux-gnu-gcc and qemu-aarch64 (Debian: gcc-aarch64-linux-gnu qemu-user)")
    build_and_run(tmp_path, cc, "baseline", runner=[qemu, "-L", "/usr/aarch64-linux-gnu"])
