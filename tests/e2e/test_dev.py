"""dev.py, the README's two commands: it refuses anything but `run` / `test` / `lint` with a usage line."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_dev_usage() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "dev.py"), "deploy"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == "usage: python3 dev.py run|test|lint [options passed on to `ladder run` / pytest]\n"


def test_dev_fingerprint_covers_pins() -> None:
    """The environment is rebuilt when the lock or pyproject changes: the stamp hashes both."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    import hashlib

    expected = hashlib.sha256((ROOT / "requirements.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    assert dev._fingerprint() == expected.hexdigest()
