"""CI's script (.ci/run): a failed install of torch or of the aarch64 cross tools
fails CI with the reason, instead of letting their tests skip."""
import re
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "run"
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="tests are not inside a source checkout")


def _function(name):
    text = SCRIPT.read_text()
    m = re.search(rf"^{name}\(\) \{{\n.*?^\}}\n", text, re.S | re.M)
    assert m, f".ci/run has no {name}()"
    return m.group(0)


def test_no_install_failure_is_hidden():
    text = SCRIPT.read_text()
    assert "|| echo" not in text
    assert re.search(r"install_or_fail \"torch 2\.13\.0\" python -m pip install", text)
    assert re.search(r"install_or_fail \"the aarch64 cross tools", text)


def test_install_or_fail_stops_with_the_reason():
    script = "set -euo pipefail\n" + _function("install_or_fail") + (
        "install_or_fail 'the thing' sh -c 'echo no such package >&2; exit 3'\necho reached\n")
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "reached" not in r.stdout
    assert "could not install the thing" in r.stderr and "no such package" in r.stderr
    ok = subprocess.run(["bash", "-c", "set -euo pipefail\n" + _function("install_or_fail")
                         + "install_or_fail x true\necho reached\n"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.strip() == "reached"
