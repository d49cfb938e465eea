"""Crash consistency: a run or a publish stopped dead at every file step leaves old-or-new, never a mix.

`LADDER_FAULT_AFTER_FILES=k` makes the writer `os._exit` right after its k-th file step (see
`pipeline.release.commit`); each crash runs in a forked child, so nothing is cleaned up, as with kill -9.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.release.commit import FAULT_ENV, FAULT_EXIT, OutputInUse, output_lock, recover
from pipeline.release.publish import (
    heal_releases,
    list_releases,
    plan_release,
    publish_release,
    verify_releases,
)
from pipeline.run import run_local
from tests.conftest import HIGH_TOUCH, RAW, SCALE
from tests.tiny_ladder import make_ladder

OUTPUTS = [
    "ladder.json",
    "ladder.schema.json",
    "occurrences.csv",
    "rejected.json",
    "report.html",
    "report.md",
    "roles.csv",
]
CREATED = "2025-01-31T12:00:00Z"


def crash_at(k: int, work: Callable[[], object]) -> int:
    """Run `work` in a forked child that dies at file step k; the child's exit status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.environ[FAULT_ENV] = str(k)
            work()
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def snapshot(out: Path) -> dict[str, str]:
    return {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in OUTPUTS if (out / n).exists()}


def raw_with(tmp: Path, name: str, *docs: str) -> Path:
    raw = tmp / name
    raw.mkdir()
    for doc in docs:
        shutil.copy(RAW / doc, raw / doc)
    return raw


def test_run_fault_sweep_leaves_old_or_new(tmp_path: Path) -> None:
    config = Config()
    old_raw = raw_with(tmp_path, "old", SCALE)
    new_raw = raw_with(tmp_path, "new", SCALE, HIGH_TOUCH)
    ref_old, ref_new = tmp_path / "ref-old", tmp_path / "ref-new"
    run_local(old_raw, ref_old, config)
    run_local(new_raw, ref_new, config)
    old, new = snapshot(ref_old), snapshot(ref_new)
    assert old != new and len(old) == len(new) == len(OUTPUTS)
    outcomes = []
    k = 0
    while True:
        k += 1
        out = tmp_path / f"out-{k}"
        shutil.copytree(ref_old, out)
        code = crash_at(k, lambda: run_local(new_raw, out, config, reuse=False))  # noqa: B023
        outcome = recover(out)
        found = snapshot(out)
        assert found in (old, new), f"crash at file step {k}: a mix of old and new outputs"
        assert not (out / ".staging").exists()
        outcomes.append((code, outcome, "new" if found == new else "old"))
        if code == 0:
            break
        run_local(new_raw, out, config, reuse=False)  # the next run succeeds
        assert snapshot(out) == new
    # 7 files staged, then the commit point, then 7 moves; the 15th step is never reached
    assert outcomes == (
        [(FAULT_EXIT, "discarded", "old")] * 7 + [(FAULT_EXIT, "completed", "new")] * 7 + [(0, None, "new")]
    )


def test_publish_fault_sweep_is_crash_clean(tmp_path: Path) -> None:
    from pipeline.release.emit import emit_dataset

    ladder = make_ladder()
    base = tmp_path / "base"
    emit_dataset(ladder, base)
    results = []
    k = 0
    while True:
        k += 1
        out = tmp_path / f"out-{k}"
        shutil.copytree(base, out)
        code = crash_at(
            k,
            lambda: publish_release(ladder, out, plan_release(ladder, out, None), created=CREATED),  # noqa: B023
        )
        repairs = heal_releases(out)
        hidden = [p.name for p in (out / "releases").iterdir() if p.name.startswith(".")]
        assert hidden == [], f"crash at file step {k}: temporary release folder left"
        versions = list_releases(out)
        if versions:
            assert all(v.ok for v in verify_releases(out)), f"crash at file step {k}"
            assert "## 1.0.0 (2025-01-31)" in (out / "CHANGELOG.md").read_text(encoding="utf-8")
        else:
            publish_release(ladder, out, plan_release(ladder, out, None), created=CREATED)  # the next one works
            assert list_releases(out) == ["1.0.0"]
        results.append((code, versions, len(repairs)))
        if code == 0:
            break
    # 24 files written into the temporary folder (ladder.json, the schema, 9 tables as CSV and Parquet, the
    # report, CHANGELOG.md, datapackage.json), the rename, the index entry, the changelog
    files = 24
    assert [r[:2] for r in results] == [(FAULT_EXIT, [])] * files + [(FAULT_EXIT, ["1.0.0"])] * 3 + [(0, ["1.0.0"])]
    assert [r[2] for r in results] == [1] * files + [2, 1, 0, 0]


def test_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    to_parent, to_child = os.pipe(), os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child holds the lock until told to go
        try:
            with output_lock(out):
                os.write(to_parent[1], b"x")
                os.read(to_child[0], 1)
        except BaseException as exc:
            os.write(to_parent[1], repr(exc).encode())
        os._exit(0)
    assert os.read(to_parent[0], 100) == b"x"
    try:
        busy = rf"in use by another ladder process \(pid {pid}, started 20\d\d-"
        with pytest.raises(OutputInUse, match=busy), output_lock(out):
            pass
    finally:
        os.write(to_child[1], b"y")
        os.waitpid(pid, 0)
    with output_lock(out):  # released by the holder's exit
        pass


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - dies holding the lock
        with output_lock(out):
            os._exit(9)
    os.waitpid(pid, 0)
    assert f"pid {pid}" in (out / ".lock").read_text()
    with output_lock(out):
        assert f"pid {os.getpid()}" in (out / ".lock").read_text()


def test_random_kills_leave_old_or_new(tmp_path: Path) -> None:
    """kill -9 at seeded random moments of a run (forked, so no start-up cost): old-or-new, then a run works."""
    import random
    import signal
    import time

    config = Config()
    old_raw = raw_with(tmp_path, "old", SCALE)
    new_raw = raw_with(tmp_path, "new", SCALE, HIGH_TOUCH)
    ref_old, ref_new = tmp_path / "ref-old", tmp_path / "ref-new"
    run_local(old_raw, ref_old, config)
    start = time.monotonic()
    run_local(new_raw, ref_new, config, reuse=False)
    duration = time.monotonic() - start
    old, new = snapshot(ref_old), snapshot(ref_new)
    rng = random.Random(13)
    seen = set()
    for i in range(8):
        out = tmp_path / f"kill-{i}"
        shutil.copytree(ref_old, out)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                run_local(new_raw, out, config, reuse=False)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, duration * 1.2))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with output_lock(out):  # the dead child's lock is taken over
            recover(out)
        found = snapshot(out)
        assert found in (old, new), f"kill {i}: a mix of old and new outputs"
        seen.add("new" if found == new else "old")
        run_local(new_raw, out, config)
        assert snapshot(out) == new
    assert "old" in seen
