"""The releases index: every published release pinned by the hash of its descriptor, in a hash chain.

`releases/index.json` lists the releases oldest first; each entry holds the version, the sha256 of the
release's `datapackage.json` (which holds the sha256 of every other file), the previous entry's hash and
its own hash (sha256 of the entry's other fields). Editing a released file and then its hash in
`datapackage.json` changes the descriptor's hash, which the index pins; editing the index entry too breaks
the chain at the next entry. The head hash (`verify` prints it) can be kept elsewhere (a commit, a ticket)
to pin the whole history. The index is rewritten atomically, one entry appended per release.

`heal` makes a releases folder whole after a crash (call it under the output lock): temporary release
folders are removed, the newest release is added to the index when a crash came between its rename and
the index update (only if its files match its descriptor), and `CHANGELOG.md` gets the newest release's
entry back from the release's own copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import ReleaseError
from pipeline.ids import canonical_json
from pipeline.release.commit import fault_point
from pipeline.release.emit import atomic_write_text, to_json

INDEX_FILE = "index.json"
GENESIS = "0" * 64


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def entry_hash(entry: dict) -> str:
    fields = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def read_index(releases: Path) -> list[dict] | None:
    """The index entries, or None when there is no index; raises `ReleaseError` when it is unreadable."""
    path = Path(releases) / INDEX_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["releases"]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise TypeError("releases is not a list of entries")
    except (ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{path}: not a releases index ({exc})") from exc
    return entries


def append_entry(releases: Path, version: str) -> dict:
    """Pin `version` (its datapackage.json) as the next entry of the index; atomic."""
    entries = read_index(releases) or []
    entry = {
        "version": version,
        "descriptor_sha256": sha256_file(Path(releases) / version / "datapackage.json"),
        "previous": entries[-1]["hash"] if entries else GENESIS,
    }
    entry["hash"] = entry_hash(entry)
    atomic_write_text(Path(releases) / INDEX_FILE, to_json({"releases": [*entries, entry]}))
    fault_point()
    return entry


def check_chain(releases: Path, versions: list[str]) -> list[tuple[str, str]]:
    """(version or file, problem) for every break in the index: edited entries, descriptors, gaps."""
    entries = read_index(releases)
    if entries is None:
        return [(INDEX_FILE, "missing: the releases are not pinned")] if versions else []
    problems = []
    previous = GENESIS
    listed = set()
    for i, entry in enumerate(entries):
        version = str(entry.get("version"))
        listed.add(version)
        if entry.get("previous") != previous:
            problems.append((version, f"{INDEX_FILE} entry {i}: chain broken (previous hash does not match)"))
        if entry.get("hash") != entry_hash(entry):
            problems.append((version, f"{INDEX_FILE} entry {i}: entry edited (its hash does not match)"))
        previous = str(entry.get("hash"))
        descriptor = Path(releases) / version / "datapackage.json"
        if not descriptor.is_file():
            problems.append((version, "listed in the index but missing"))
        elif sha256_file(descriptor) != entry.get("descriptor_sha256"):
            problems.append((version, f"datapackage.json changed since publication (sha256 differs from {INDEX_FILE})"))
    for version in versions:
        if version not in listed:
            problems.append((version, f"not in {INDEX_FILE}: not a published release"))
    return problems


def head(releases: Path) -> str | None:
    entries = read_index(releases)
    return entries[-1]["hash"] if entries else None


def heal(normalized_dir: Path, versions: list[str], verify_files: Callable[[str], bool]) -> list[str]:
    """Finish what a crashed publish left; returns one line per repair made. See the module docstring.

    `verify_files(version)` tells whether a release's files match its descriptor.
    """
    from pipeline.release.publish import CHANGELOG_FILE, CHANGELOG_TITLE, releases_dir

    releases = releases_dir(normalized_dir)
    done = []
    if releases.is_dir():
        for tmp in sorted(releases.iterdir()):
            if tmp.is_dir() and tmp.name.startswith(".") and tmp.name.endswith(".tmp"):
                shutil.rmtree(tmp, ignore_errors=True)
                done.append(f"removed the unfinished release folder {tmp.name}")
    if not versions:
        return done
    entries = read_index(releases)
    listed = [e.get("version") for e in entries or []]
    if entries is None:
        if all(verify_files(v) for v in versions):
            for v in versions:
                append_entry(releases, v)
            done.append(f"created {INDEX_FILE} pinning {len(versions)} release(s) published before it existed")
    elif versions[-1] not in listed and (not listed or listed[-1] in versions[:-1]) and verify_files(versions[-1]):
        append_entry(releases, versions[-1])
        done.append(f"added release {versions[-1]} to {INDEX_FILE} (its publication was interrupted)")
    latest = versions[-1]
    top = Path(normalized_dir) / CHANGELOG_FILE
    own = releases / latest / CHANGELOG_FILE
    text = top.read_text(encoding="utf-8") if top.is_file() else ""
    if own.is_file() and f"\n## {latest} " not in text.removeprefix(CHANGELOG_TITLE):
        atomic_write_text(top, own.read_text(encoding="utf-8"))
        done.append(f"restored the {latest} entry of {CHANGELOG_FILE}")
    return done
