"""`ladder run` in a child process, stopped by a signal: what the signal tests share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT


def start_run(raw: Path, out: Path, cwd: Path, *options: str) -> subprocess.Popen[str]:
    """`ladder run --raw raw --out out [options]` started in `cwd`, its output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", "--raw", str(raw), "--out", str(out), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def stop_run(proc: subprocess.Popen[str], sig: signal.Signals, code: int, word: str, out: Path) -> None:
    """Send `sig`: the run ends within 10 s with `code`, its last line says `out/` was left as it was, and
    nothing is left staged."""
    sent = time.monotonic()
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 10
    assert proc.returncode == code
    assert stderr.strip().splitlines()[-1] == f"ladder: {word} ({sig.name}); {out}/ left as it was"
    assert not (out / ".staging").exists()
