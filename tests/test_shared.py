"""Helpers of the shared modules: `models.line_of`, `ids.source_fingerprint`, `settings.compiled`, and what the
build cache's code fingerprint covers."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from pipeline.ids import source_fingerprint
from pipeline.models import line_of
from pipeline.runtime.build_cache import _PACKAGE, package_files
from pipeline.settings import compiled


@pytest.mark.parametrize(("ref", "line"), [("L1", 1), ("L10", 10), ("L", 0), ("", 0), ("P3", 0), ("L3a", 0)])
def test_line_of(ref: str, line: int) -> None:
    assert line_of(ref) == line


def test_line_of_orders_numerically() -> None:
    assert sorted(["L10", "L9", "L100"], key=line_of) == ["L9", "L10", "L100"]


def test_source_fingerprint_hashes_paths_and_bytes_in_order(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.css").write_bytes(b"p{}")
    files = [tmp_path / "a.py", tmp_path / "sub" / "b.css"]
    expected = hashlib.sha256(b"a.py\0x = 1\n\0sub/b.css\0p{}\0").hexdigest()
    assert source_fingerprint(files, tmp_path) == expected
    (tmp_path / "sub" / "b.css").write_bytes(b"p{ }")
    assert source_fingerprint(files, tmp_path) != expected
    (tmp_path / "sub" / "b.css").write_bytes(b"p{}")
    (tmp_path / "sub" / "b.css").rename(tmp_path / "c.css")
    assert source_fingerprint([tmp_path / "a.py", tmp_path / "c.css"], tmp_path) != expected


def test_build_fingerprint_covers_modules_and_report_assets() -> None:
    names = {p.relative_to(_PACKAGE).as_posix() for p in package_files()}
    assert {"build/roles.py", "release/report/report.css", "release/report/report.js", "models.py"} <= names
    assert not any(n.endswith(".pyc") for n in names)


def test_compiled_compiles_once_per_patterns_and_flags() -> None:
    first = compiled(["^senior\\b", "lead"], re.IGNORECASE)
    again = compiled(("^senior\\b", "lead"), re.IGNORECASE)
    assert [rx.pattern for rx in first] == ["^senior\\b", "lead"]
    assert all(a is b for a, b in zip(first, again, strict=True)) and first is not again
    assert [bool(rx.search("Senior Team Lead")) for rx in first] == [True, True]
    assert [bool(rx.search("Senior Team Lead")) for rx in compiled(["^senior\\b", "lead"])] == [False, False]
    with pytest.raises(re.error):
        compiled(["(unclosed"])
