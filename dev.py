#!/usr/bin/env python3
"""Set up a local environment and run the pipeline or the tests, with nothing but Python installed.

    python3 dev.py run [ladder run options]   # creates .venv, installs pinned deps, runs `ladder run`
    python3 dev.py test [pytest options]      # same set-up, then runs the test suite
    python3 dev.py lint                       # same set-up, then ruff (format + lint) and mypy, as CI does

The environment is rebuilt only when requirements.lock or pyproject.toml change (a stamp file in .venv
records their hash). Uses only the standard library, so it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"
USAGE = "usage: python3 dev.py run|test|lint [options passed on to `ladder run` / pytest]"
# What `lint` runs, in order; each must pass. Settings are in pyproject.toml.
LINT = (
    ("ruff", "format", "--check", "."),
    ("ruff", "check", "."),
    ("mypy",),
)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _pip(*args: str) -> None:
    """Run pip with its chatter sent to .venv/install.log; on failure show the end of it and stop."""
    log = VENV / "install.log"
    with log.open("a", encoding="utf-8") as fh:
        code = subprocess.call(
            [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", *args], stdout=fh, stderr=fh
        )
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        sys.exit("dev.py: pip install failed (full log: .venv/install.log):\n" + "\n".join(tail))


def setup() -> None:
    if STAMP.is_file() and STAMP.read_text() == _fingerprint():
        return
    if sys.version_info < (3, 11):  # noqa: UP036 -- dev.py runs on whatever python3 the user has
        sys.exit(f"dev.py: Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    print("dev.py: creating .venv and installing pinned dependencies (about 2 minutes the first time)…", flush=True)
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    _pip("install", "-r", str(ROOT / "requirements.lock"))
    _pip("install", "--no-deps", "-e", str(ROOT))
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "lint"):
        print(USAGE, file=sys.stderr)
        return 2
    setup()
    os.chdir(ROOT)
    if argv[0] == "lint":
        for tool, *args in LINT:
            code = subprocess.call([str(BIN / tool), *args])
            if code != 0:
                return code
        return 0
    if argv[0] == "run":
        cmd = [str(BIN / "ladder"), "run", *argv[1:]]
    else:
        cmd = [str(BIN / "python"), "-m", "pytest", *argv[1:]]
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
