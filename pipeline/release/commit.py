"""Crash-consistent output sets, the lock on an output folder, and the fault-injection point.

A run's outputs (ladder.json, the CSVs, rejected.json, the reports) are one set: the report a reviewer
approves must describe the data that gets published. `OutputSet` writes them into `<out>/.staging/`, then
writes `.staging/COMMIT` listing them (the commit point), then moves each into `<out>/` and removes the
staging folder. `recover` (called under the lock by every command that reads or writes the folder before
it does anything) finishes a committed set and discards an uncommitted one, so the folder holds entirely
the old set or entirely the new one.

`output_lock` keeps a second run (or a publish) off a folder in use: an advisory `flock` on `<out>/.lock`,
which holds the holder's pid and start time for the error message; the kernel drops the lock when its
process dies, so a stale lock is simply taken over. The lock is re-entrant within a process.

`fault_point()` is called after each file written or moved; with the environment variable
`LADDER_FAULT_AFTER_FILES=k` the process stops dead (`os._exit`, no clean-up, like a kill -9) at the k-th,
which lets tests crash a run or a publish at every step.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import LadderError

STAGING = ".staging"
COMMIT = "COMMIT"
LOCK = ".lock"
FAULT_ENV = "LADDER_FAULT_AFTER_FILES"
FAULT_EXIT = 86

_faults = 0
_fault_lock = threading.Lock()


class OutputInUse(LadderError):
    """Another process holds the lock on an output folder."""


def fault_point() -> None:
    """Count one file step; stop the process dead at step `$LADDER_FAULT_AFTER_FILES` (tests only)."""
    global _faults
    limit = os.environ.get(FAULT_ENV)
    if not limit:
        return
    with _fault_lock:
        _faults += 1
        if _faults == int(limit):
            os._exit(FAULT_EXIT)


# ----------------------------------------------------------------------------------------------- signals

# Set while a committed set is being moved into place: a SIGINT/SIGTERM then waits for the end of the moves.
_critical = threading.Event()
_deferred: list[int] = []


def in_critical_section() -> bool:
    return _critical.is_set()


def defer_exit(code: int) -> None:
    """Called by a signal handler during the critical section: exit with `code` when it ends."""
    _deferred.append(code)


@contextmanager
def _critical_section() -> Iterator[None]:
    _critical.set()
    try:
        yield
    finally:
        _critical.clear()
        if _deferred:
            os._exit(_deferred[0])


# ------------------------------------------------------------------------------------------------- lock

_held: dict[str, tuple[int, int]] = {}  # real path of the folder -> (fd, depth)
_held_lock = threading.Lock()


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the lock on `out_dir` (created if missing); raise `OutputInUse` naming the holder if taken."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(out_dir)
    with _held_lock:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
        else:
            fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise OutputInUse(
                    f"{out_dir}: in use by another ladder process ({holder}); wait for it to finish or stop it"
                ) from None
            os.ftruncate(fd, 0)
            started = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            os.pwrite(fd, f"pid {os.getpid()}, started {started}\n".encode(), 0)
            _held[key] = (fd, 1)
    try:
        yield
    finally:
        with _held_lock:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                os.ftruncate(fd, 0)
                os.close(fd)  # closing the last descriptor releases the flock


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "pid unknown"


# --------------------------------------------------------------------------------------------- the set


def recover(out_dir: Path) -> str | None:
    """Finish a committed output set left by a crash, or discard an uncommitted one.

    Returns "completed", "discarded" or None (nothing to do). Call it under `output_lock`.
    """
    staging = Path(out_dir) / STAGING
    if not staging.exists():
        return None
    marker = staging / COMMIT
    if marker.is_file():
        names = [n for n in marker.read_text(encoding="utf-8").splitlines() if n]
        with _critical_section():
            for name in names:
                if (staging / name).exists():
                    os.replace(staging / name, Path(out_dir) / name)
            shutil.rmtree(staging, ignore_errors=True)
        return "completed"
    shutil.rmtree(staging, ignore_errors=True)
    return "discarded"


class OutputSet:
    """Write a set of files into `<out>/.staging/` with `folder`, then `commit()` them into `<out>/` as one.

    `paths` maps staged paths to where they end up. Use it under `output_lock(out_dir)`.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        recover(self.out_dir)
        self.folder = self.out_dir / STAGING
        self.folder.mkdir(parents=True)

    def final(self, staged: list[Path]) -> list[Path]:
        return [self.out_dir / p.name for p in staged]

    def commit(self, staged: list[Path]) -> list[Path]:
        """Move the staged files into the output folder as one set; return their final paths."""
        names = [p.name for p in staged]
        for _ in names:
            fault_point()  # the files were written (and synced) into the staging folder one by one
        marker = self.folder / COMMIT
        tmp = self.folder / f".{COMMIT}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("\n".join(names) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, marker)  # the commit point: from here the new set wins, even after a crash
        _fsync_dir(self.folder)
        with _critical_section():
            for name in names:
                os.replace(self.folder / name, self.out_dir / name)
                fault_point()
            _fsync_dir(self.out_dir)
            shutil.rmtree(self.folder, ignore_errors=True)
        return self.final(staged)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
