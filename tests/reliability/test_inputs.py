"""Whatever a user drops in raw/, the run finishes: odd names, links, special files, NUL bytes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.ingest import display_name, scan_inputs
from pipeline.run import run_local
from tests.conftest import HIGH_TOUCH, RAW, SCALE


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SCALE).write_bytes((RAW / SCALE).read_bytes())
    (raw / HIGH_TOUCH).write_bytes((RAW / HIGH_TOUCH).read_bytes())
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (raw / "outside.txt").symlink_to(outside)
    (raw / "inside.txt").symlink_to(HIGH_TOUCH)
    (raw / "broken.md").symlink_to("nowhere.md")
    os.mkfifo(raw / "pipe.txt")
    (raw / "folder.txt").mkdir()
    (raw / "folder.txt" / "inner.txt").write_text("never read")
    (raw / "nul-late.txt").write_bytes(b"Ownership\n" + b"Keeps the board up to date.\n" * 500 + b"\x00 tail\n")
    (raw / os.fsdecode(b"caf\xe9 ladder.txt")).write_bytes((RAW / SCALE).read_bytes())
    return raw


def test_scan_refuses_links_out_and_special_files(messy: Path) -> None:
    scan = scan_inputs(messy, Config())
    assert [display_name(p, messy) for p in scan.files] == [
        SCALE,
        HIGH_TOUCH,
        "caf\\xe9 ladder.txt",
        "inside.txt",
        "nul-late.txt",
    ]
    assert [(r.file, r.reason) for r in scan.rejected] == [
        ("broken.md", "broken link: its target does not exist"),
        ("folder.txt", "a folder named like a document, not read"),
        ("outside.txt", "link to a file outside the input folder, not read (--follow-links reads it)"),
        ("pipe.txt", "not a regular file (FIFO), not read"),
    ]
    followed = scan_inputs(messy, Config(), follow_links=True)
    assert "outside.txt" in [display_name(p, messy) for p in followed.files]


def test_run_finishes_on_messy_folder(messy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_local(messy, out, Config())
    rejected = json.loads((out / "rejected.json").read_text(encoding="utf-8"))
    assert [(r["file"], r["reason"]) for r in rejected] == [
        ("broken.md", "broken link: its target does not exist"),
        ("folder.txt", "a folder named like a document, not read"),
        ("nul-late.txt", "binary file (contains NUL bytes), not a text document"),
        ("outside.txt", "link to a file outside the input folder, not read (--follow-links reads it)"),
        ("pipe.txt", "not a regular file (FIFO), not read"),
    ]
    assert (summary.documents_read, summary.rejected) == (4, 5)
    ladder = json.loads((out / "ladder.json").read_text(encoding="utf-8"))
    assert sorted(d["file"] for d in ladder["documents"]) == sorted(
        [SCALE, HIGH_TOUCH, "caf\\xe9 ladder.txt", "inside.txt"]
    )
    assert "root:x" not in (out / "ladder.json").read_text(encoding="utf-8")
    assert "caf\\xe9 ladder.txt" in (out / "occurrences.csv").read_text(encoding="utf-8")


def test_display_name_escapes_undecodable_bytes_and_controls(tmp_path: Path) -> None:
    assert display_name(tmp_path / os.fsdecode(b"a\xffb.txt"), tmp_path) == "a\\xffb.txt"
    assert display_name(tmp_path / "new\nline.txt", tmp_path) == "new\\x0aline.txt"
    assert display_name(tmp_path / "sub" / "équipe.md", tmp_path) == "sub/équipe.md"


def test_nul_byte_rule_is_the_same_at_any_offset(tmp_path: Path) -> None:
    from pipeline.run import process_file

    for name, data in {"early.txt": b"Own\x00ership\n", "late.txt": b"Ownership\n" * 1000 + b"\x00"}.items():
        (tmp_path / name).write_bytes(data)
        result = process_file(tmp_path / name, tmp_path, Config())
        assert result.rejection is not None
        assert result.rejection.reason == "binary file (contains NUL bytes), not a text document"


def test_only_refused_entries_is_still_an_empty_folder(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(InputError, match="no documents in"):
        scan_inputs(tmp_path, Config())
