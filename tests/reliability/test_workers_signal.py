"""SIGINT and SIGTERM stop a run whose parse tasks are in worker processes as at once as a thread run:
exit 130 / 143 with one line, the output folder as it was, and no worker process left behind."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from pipeline.devtools.synth import write_corpus
from pipeline.runtime.batches import PROCESS_MIN_FILES
from tests.reliability.runs import start_run, stop_run


def _children(pid: int) -> list[int]:
    """Worker processes of `pid` (multiprocessing's spawned children, not Prefect's server)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in cmdline:
                found.append(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize(
    ("sig", "code", "word"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")]
)
def test_signal_stops_the_parse_workers(tmp_path: Path, sig: signal.Signals, code: int, word: str) -> None:
    raw = write_corpus(tmp_path / "synth", PROCESS_MIN_FILES + 40, seed=11).raw_dir
    out = tmp_path / "out"
    out.mkdir()
    (out / "ladder.json").write_text("previous run\n", encoding="utf-8")
    proc = start_run(raw, out, tmp_path, "--workers", "2")
    deadline = time.monotonic() + 300
    workers: list[int] = []
    while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(proc.pid)
    assert len(workers) == 2, "the run never started its parse workers"
    time.sleep(2.0)  # the workers are importing or parsing
    stop_run(proc, sig, code, word, out)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["ladder.json"]
    assert (out / "ladder.json").read_text(encoding="utf-8") == "previous run\n"
    time.sleep(1.0)
    assert [pid for pid in workers if _alive(pid)] == []
