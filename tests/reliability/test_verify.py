"""`ladder verify` catches an edited release even when its datapackage.json was edited to match."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pipeline.release.emit import emit_dataset
from pipeline.release.integrity import INDEX_FILE
from pipeline.release.publish import plan_release, publish_release, verify_releases
from tests.tiny_ladder import make_ladder

CREATED = "2025-01-31T12:00:00Z"


def published(tmp_path: Path) -> Path:
    out = tmp_path / "normalized"
    ladder = make_ladder()
    emit_dataset(ladder, out)
    publish_release(ladder, out, plan_release(ladder, out, None), created=CREATED)
    ladder.behaviors[1].text = "Finds advanced data insights"
    emit_dataset(ladder, out)
    publish_release(ladder, out, plan_release(ladder, out, None), created=CREATED)
    return out


def rewrite(path: Path, data: bytes) -> None:
    os.chmod(path, 0o644)
    path.write_bytes(data)


def test_edit_plus_updated_hash_is_caught(tmp_path: Path) -> None:
    out = published(tmp_path)
    assert [(r.version, r.ok) for r in verify_releases(out)] == [("1.0.0", True), ("1.0.1", True)]
    release = out / "releases" / "1.0.0"
    edited = (release / "roles.csv").read_bytes() + b"Forged,Role\n"
    rewrite(release / "roles.csv", edited)
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["path"] == "roles.csv":
            resource["hash"] = "sha256:" + hashlib.sha256(edited).hexdigest()
            resource["bytes"] = len(edited)
    rewrite(release / "datapackage.json", (json.dumps(package, indent=2) + "\n").encode())
    results = verify_releases(out)
    assert [(r.version, [(p.file, p.problem) for p in r.problems]) for r in results] == [
        ("1.0.0", [(INDEX_FILE, "datapackage.json changed since publication (sha256 differs from index.json)")]),
        ("1.0.1", []),
    ]


def test_edited_index_entry_breaks_the_chain(tmp_path: Path) -> None:
    out = published(tmp_path)
    index = out / "releases" / INDEX_FILE
    data = json.loads(index.read_text(encoding="utf-8"))
    data["releases"][0]["descriptor_sha256"] = "0" * 64
    index.write_text(json.dumps(data), encoding="utf-8")
    problems = [(r.version, p.problem) for r in verify_releases(out) for p in r.problems]
    assert problems == [
        ("1.0.0", "index.json entry 0: entry edited (its hash does not match)"),
        ("1.0.0", "datapackage.json changed since publication (sha256 differs from index.json)"),
    ]
    # recomputing the edited entry's own hash moves the break to the next entry
    from pipeline.release.integrity import entry_hash

    data["releases"][0]["hash"] = entry_hash(data["releases"][0])
    index.write_text(json.dumps(data), encoding="utf-8")
    problems = [(r.version, p.problem) for r in verify_releases(out) for p in r.problems]
    assert problems == [
        ("1.0.0", "datapackage.json changed since publication (sha256 differs from index.json)"),
        ("1.0.1", "index.json entry 1: chain broken (previous hash does not match)"),
    ]
