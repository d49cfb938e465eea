"""Publish: immutable, versioned releases of the dataset, with checksums, schema and changelog.

A release is the folder `normalized/releases/<MAJOR.MINOR.PATCH>/` holding ladder.json, the JSON Schema,
CSV and Parquet tables, the report (against the previous release), the changelog, and a `datapackage.json`
(Frictionless Data Package) listing every other file with its size and sha256. The folder is written under
a temporary name and renamed into place in one step, so a reader never sees half a release, and a version
that exists is never written again. `verify_release` re-hashes the files against `datapackage.json`.

Approval is not decided here: the CLI (`--approve`) and the publish flow (a pause for input) ask for it
before calling `publish_release`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field, PrivateAttr, ValidationError

from pipeline.errors import InputError, ReleaseError
from pipeline.models import Ladder, Record
from pipeline.release.commit import fault_point, output_lock
from pipeline.release.diff import (
    ENTITY_KINDS,
    SINGULAR,
    DatasetDiff,
    bump_version,
    diff_ladders,
    parse_version,
    summary_lines,
)
from pipeline.release.emit import (
    atomic_write_text,
    dataset_pieces,
    schema_json,
    to_json,
)
from pipeline.release.integrity import INDEX_FILE, append_entry, check_chain, heal
from pipeline.release.report import report_files
from pipeline.release.tables import TABLES, write_release_tables

RELEASES_DIR = "releases"
CANDIDATE_FILE = "ladder.json"
CHANGELOG_FILE = "CHANGELOG.md"
DATAPACKAGE_FILE = "datapackage.json"
PACKAGE_NAME = "career-ladder"
CHANGELOG_TITLE = "# Changelog of the published ladder dataset"

_MEDIA = {
    "json": "application/json",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "md": "text/markdown",
    "html": "text/html",
}


class Approval(Record):
    """Who approved a release, and their note; recorded in its datapackage.json and changelog entry."""

    approver: str = Field(description="Who approved the release (a name or a login).")
    note: str = Field("", description="What the approver said, if anything.")

    def line(self) -> str:
        """`Approved by Ana: matches the March ladder.` (the changelog's line)."""
        return f"Approved by {self.approver or 'an unnamed reviewer'}" + (f": {self.note}" if self.note else ".")


class ReleasePlan(Record):
    """What a publish would do: the version it would write and the diff against the latest release."""

    version: str
    latest: str | None = Field(description="Latest published version, None before the first release.")
    diff: DatasetDiff
    _made_for: tuple[Ladder, str | None] | None = PrivateAttr(None)
    """The ladder the plan was made for and the sha256 of the latest release's ladder.json then (see
    `_plan_holds`); not serialized, so a plan that went through JSON is checked by diffing again."""


class Release(Record):
    """A release written to disk."""

    version: str
    path: str
    files: list[str] = Field(description="Files of the release, sorted, datapackage.json included.")


class FileProblem(Record):
    """A file of a release that does not match its `datapackage.json`."""

    file: str
    problem: str


class Verification(Record):
    """Result of checking a release's files against the sizes and hashes its datapackage.json lists."""

    version: str
    checked: list[str]
    problems: list[FileProblem] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------------------------- find, load


def releases_dir(normalized_dir: Path) -> Path:
    return Path(normalized_dir) / RELEASES_DIR


def list_releases(normalized_dir: Path) -> list[str]:
    """Published versions, oldest first by semantic version (`1.10.0` after `1.9.0`)."""
    root = releases_dir(normalized_dir)
    if not root.is_dir():
        return []
    versions = []
    for p in root.iterdir():
        if p.is_dir() and not p.name.startswith("."):
            try:
                versions.append((parse_version(p.name), p.name))
            except ReleaseError:
                continue  # not a release folder (a stray folder is not ours to judge)
    return [name for _, name in sorted(versions)]


def latest_release(normalized_dir: Path) -> str | None:
    """The highest published version, or None when nothing has been published yet."""
    versions = list_releases(normalized_dir)
    return versions[-1] if versions else None


def release_path(normalized_dir: Path, version: str) -> Path:
    """Folder of a published release; raises `ReleaseError` listing the versions when it does not exist."""
    path = releases_dir(normalized_dir) / version
    if not path.is_dir():
        raise ReleaseError(f"no release {version} in {releases_dir(normalized_dir)} ({_available(normalized_dir)})")
    return path


def load_ladder_file(path: Path) -> Ladder:
    """Read a ladder.json; raises `ReleaseError` when it is missing or is not a ladder dataset."""
    path = Path(path)
    if not path.is_file():
        raise ReleaseError(f"no ladder dataset at {path} (expected a ladder.json written by `ladder run` or a release)")
    try:
        return Ladder.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top)"
        raise ReleaseError(f"{path}: not a ladder dataset ({where}: {first['msg']})") from exc


def load_release(normalized_dir: Path, version: str) -> Ladder:
    return load_ladder_file(release_path(normalized_dir, version) / CANDIDATE_FILE)


def load_candidate(normalized_dir: Path) -> Ladder:
    """The dataset of the last run (`normalized/ladder.json`)."""
    path = Path(normalized_dir) / CANDIDATE_FILE
    if not path.is_file():
        raise InputError(f"no candidate dataset at {path}: run `ladder run` first")
    return load_ladder_file(path)


def resolve_ladder(ref: str, normalized_dir: Path) -> tuple[str, str | None, Ladder]:
    """`ref` is a release version or a path (a ladder.json or a folder holding one).

    Returns (label, version or None, ladder).
    """
    try:
        parse_version(ref)
    except ReleaseError:
        path = Path(ref)
        if path.is_dir():
            path = path / CANDIDATE_FILE
        if not path.is_file():
            raise ReleaseError(
                f"{ref!r} is neither a release ({_available(normalized_dir)}) nor a path to a ladder.json"
            ) from None
        return path.as_posix(), None, load_ladder_file(path)
    return f"release {ref}", ref, load_release(normalized_dir, ref)


def diff_against_latest(
    ladder: Ladder, normalized_dir: Path, *, target_label: str = "candidate", listed: int | None = None
) -> DatasetDiff:
    """Diff a ladder against the latest release (everything added when there is none); with `listed`, only
    what a report of `listed` rows shows is listed (see `diff_ladders`)."""
    latest = latest_release(normalized_dir)
    base = load_release(normalized_dir, latest) if latest is not None else None
    return diff_ladders(base, ladder, base_version=latest, target_label=target_label, listed=listed)


def diff_refs(normalized_dir: Path, a: str | None = None, b: str | None = None) -> DatasetDiff:
    """`ladder diff [A [B]]`: B (default: the candidate) against A (default: the latest release).

    A and B are release versions or paths to a ladder.json (or a folder holding one).
    """
    if b is None:
        target_label, target = "candidate", load_candidate(normalized_dir)
    else:
        target_label, _, target = resolve_ladder(b, normalized_dir)
    if a is None:
        return diff_against_latest(target, normalized_dir, target_label=target_label)
    base_label, base_version, base = resolve_ladder(a, normalized_dir)
    return diff_ladders(base, target, base_version=base_version, base_label=base_label, target_label=target_label)


def _available(normalized_dir: Path) -> str:
    versions = list_releases(normalized_dir)
    return "available: " + ", ".join(versions) if versions else "no release published yet"


# ----------------------------------------------------------------------------------------------- plan


def plan_release(ladder: Ladder, normalized_dir: Path, version: str | None = None) -> ReleasePlan:
    """Check the version a publish would write and compute the diff to show for approval.

    Without `version` the suggested bump from the latest release is used (1.0.0 for the first); an
    unchanged dataset is then refused, since a release identical to the previous one tells nobody anything.
    """
    latest = latest_release(normalized_dir)
    diff = diff_against_latest(ladder, normalized_dir)
    if version is None:
        if diff.is_empty:
            raise ReleaseError(
                f"nothing to publish: the candidate is identical to release {latest} "
                "(give a version explicitly to publish it anyway)"
            )
        version = diff.suggested_version
        assert version is not None  # the base is a release or nothing, so a version is always suggested
    new = parse_version(version)
    existing = releases_dir(normalized_dir) / version
    # An unchanged dataset suggests its own version; point at the next patch instead.
    suggested = bump_version(latest, "patch") if latest is not None and diff.is_empty else diff.suggested_version
    if existing.exists():
        raise ReleaseError(
            f"release {version} exists already at {existing}; published releases are never rewritten "
            f"(choose a new version, e.g. {suggested}; {_available(normalized_dir)})"
        )
    if latest is not None and new <= parse_version(latest):
        raise ReleaseError(
            f"version {version} is not above the latest release {latest}; expected a higher version, e.g. {suggested}"
        )
    plan = ReleasePlan(version=version, latest=latest, diff=diff)
    plan._made_for = (ladder, _base_hash(normalized_dir, latest))
    return plan


def _base_hash(normalized_dir: Path, latest: str | None) -> str | None:
    """sha256 of the ladder.json a diff against release `latest` reads (None when there is no release)."""
    if latest is None:
        return None
    return _size_and_hash(releases_dir(normalized_dir) / latest / CANDIDATE_FILE)[1]


def _plan_holds(plan: ReleasePlan, ladder: Ladder, normalized_dir: Path) -> bool:
    """Whether `plan` still describes publishing `ladder`: made for this very ladder object, and the latest
    release is the same version with the same ladder.json bytes, so its diff would come out the same."""
    if plan._made_for is None or plan._made_for[0] is not ladder:
        return False
    latest = latest_release(normalized_dir)
    if latest != plan.latest or (releases_dir(normalized_dir) / plan.version).exists():
        return False
    return plan._made_for[1] == _base_hash(normalized_dir, latest)


# -------------------------------------------------------------------------------------------- publish


def release_created(created: str | None = None) -> str:
    """The release timestamp: `created` as given, else SOURCE_DATE_EPOCH (reproducible builds), else now (UTC)."""
    if created is not None:
        try:
            datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            raise ReleaseError(
                f"invalid created timestamp {created!r}: expected ISO 8601, e.g. 2025-01-31T12:00:00Z"
            ) from None
        return created
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError:
            raise ReleaseError(f"invalid SOURCE_DATE_EPOCH {epoch!r}: expected whole seconds since 1970") from None
    else:
        moment = datetime.now(tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def publish_release(
    ladder: Ladder,
    normalized_dir: Path,
    plan: ReleasePlan,
    *,
    created: str | None = None,
    approval: Approval | None = None,
) -> Release:
    """Write `plan.version` as a new release and prepend its entry to `normalized/CHANGELOG.md`.

    The caller has obtained approval for `plan`; `approval` (who, and their note) is recorded in the
    release's datapackage.json and changelog entry. Raises `ReleaseError` when the version exists already or
    the releases changed since the plan was made. A plan made by `plan_release` for this very `ladder`, with
    the latest release unchanged since (same version, same ladder.json bytes), is not diffed again.
    """
    with output_lock(normalized_dir):
        heal_releases(normalized_dir)
        return _publish(ladder, normalized_dir, plan, release_created(created), approval)


def _publish(
    ladder: Ladder, normalized_dir: Path, plan: ReleasePlan, created: str, approval: Approval | None
) -> Release:
    if not _plan_holds(plan, ladder, normalized_dir):
        # Planned again: raises when the version is taken; a different diff means the releases changed.
        fresh = plan_release(ladder, normalized_dir, plan.version)
        if fresh.latest != plan.latest or fresh.diff != plan.diff:
            raise ReleaseError(
                f"the releases changed since the diff was approved (latest is now {fresh.latest}); "
                "review the diff again"
            )
    root = releases_dir(normalized_dir)
    root.mkdir(parents=True, exist_ok=True)
    target = root / plan.version
    changelog = _changelog_with(Path(normalized_dir) / CHANGELOG_FILE, changelog_entry(plan, created, approval))

    release_diff = plan.diff.model_copy(update={"target": f"release {plan.version}"})
    tmp = Path(tempfile.mkdtemp(prefix=f".{plan.version}.", suffix=".tmp", dir=root))
    try:
        files = _write_release_files(ladder, tmp, changelog, release_diff)
        package = datapackage_json(plan.version, created, {name: tmp / name for name in files}, approval)
        (tmp / DATAPACKAGE_FILE).write_bytes(package.encode("utf-8"))
        (tmp / DATAPACKAGE_FILE).chmod(0o444)
        fault_point()
        files.append(DATAPACKAGE_FILE)
        tmp.chmod(0o755)
        if target.exists():
            raise ReleaseError(
                f"release {plan.version} exists already at {target}; published releases are never rewritten"
            )
        # One rename publishes the whole folder; readers never see a partial release.
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fault_point()
    # After the rename, pinning and the changelog are completed by `heal_releases` if a crash stops them.
    append_entry(root, plan.version)
    atomic_write_text(Path(normalized_dir) / CHANGELOG_FILE, changelog)
    fault_point()
    return Release(version=plan.version, path=target.as_posix(), files=sorted(files))


def _write_release_files(ladder: Ladder, folder: Path, changelog: str, diff: DatasetDiff) -> list[str]:
    """Write every file of a release but datapackage.json into `folder`, each streamed; return their names.

    Each file is made read-only once written (a release is never edited in place) and counts one file step.
    """
    names: list[str] = []

    def done(*written: str) -> None:
        for name in written:
            (folder / name).chmod(0o444)
            fault_point()
        names.extend(written)

    with open(folder / CANDIDATE_FILE, "wb") as fh:
        fh.writelines(dataset_pieces(ladder))
    done(CANDIDATE_FILE)
    texts = {"ladder.schema.json": schema_json(), CHANGELOG_FILE: changelog, **report_files(ladder, diff)}
    for name, text in texts.items():
        (folder / name).write_bytes(text.encode("utf-8"))
        done(name)
    write_release_tables(ladder, folder, done)
    return names


def sha256_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _size_and_hash(data: bytes | Path) -> tuple[int, str]:
    """Bytes and sha256 of data in memory or of a file (read in pieces)."""
    if isinstance(data, bytes):
        return len(data), sha256_of(data)
    digest, size = hashlib.sha256(), 0
    with open(data, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, "sha256:" + digest.hexdigest()


def datapackage(
    version: str, created: str, files: Mapping[str, bytes | Path], approval: Approval | None = None
) -> dict:
    """The Frictionless Data Package descriptor of a release: one resource per file (its bytes, or the path of
    the file written), with its sha256.

    Tables (CSV and Parquet) carry their Table Schema: typed, described fields, a primary key and foreign
    keys to the same format's tables, so `frictionless validate datapackage.json` checks the joins too.
    """
    resources = []
    for name in sorted(files):
        if name == DATAPACKAGE_FILE:
            continue
        stem, _, ext = name.rpartition(".")
        size, sha256 = _size_and_hash(files[name])
        resource: dict = {
            "name": name.lower().replace("_", "-"),
            "path": name,
            "format": ext,
            "mediatype": _MEDIA.get(ext, "application/octet-stream"),
            "bytes": size,
            "hash": sha256,
        }
        if ext == "parquet":
            # Frictionless reads Parquet through pyarrow without counting bytes, so a declared size would be
            # reported as a mismatch; the sha256 (checked by `ladder verify`) pins the file all the same.
            del resource["bytes"]
        else:
            resource["encoding"] = "utf-8"
        if stem in TABLES and ext in ("csv", "parquet"):
            table = TABLES[stem]
            resource["profile"] = "tabular-data-resource"
            resource["description"] = table.description
            resource["schema"] = table.table_schema(f".{ext}")
            if ext == "csv":
                resource["dialect"] = {"delimiter": ",", "lineTerminator": "\n", "header": True}
        elif ext == "json":
            # A plain JSON document: without a type, validators read `*.schema.json` as a Table Schema.
            resource["type"] = "json"
            if name == CANDIDATE_FILE:
                # `schema` means a Table Schema to Frictionless tools; the JSON Schema gets its own key.
                resource["jsonSchema"] = "ladder.schema.json"
        resources.append(resource)
    package: dict = {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": "Career ladder dataset",
        "version": version,
        "created": created,
    }
    if approval is not None:
        package["approval"] = approval.model_dump()
    package["resources"] = resources
    return package


def datapackage_json(
    version: str, created: str, files: Mapping[str, bytes | Path], approval: Approval | None = None
) -> str:
    return to_json(datapackage(version, created, files, approval))


def changelog_entry(plan: ReleasePlan, created: str, approval: Approval | None = None) -> str:
    """`## 1.1.0 (2025-01-31)` followed by the counts of the diff and the ids removed or renamed."""
    lines = [f"## {plan.version} ({created[:10]})", ""]
    if approval is not None:
        lines += [approval.line(), ""]
    if plan.latest is None:
        lines.append("First release: everything is added.")
    elif plan.diff.is_empty:
        lines.append(f"Same dataset as release {plan.latest}.")
    else:
        lines.append(f"Changes since release {plan.latest} ({plan.diff.bump} changes).")
    lines += ["", *(line for line in summary_lines(plan.diff) if line.startswith("- "))]
    breaking = []
    for kind in ENTITY_KINDS:
        entities = plan.diff.entities(kind)
        breaking += [f"- removed {SINGULAR[kind]} `{e.id}`: {e.label}" for e in entities.removed]
        for e in entities.changed:
            for f in e.fields:
                if f.kind == "rename":
                    breaking.append(f"- renamed `{e.id}` {f.field}: {f.before} -> {f.after}")
    if breaking:
        lines += ["", "Breaking changes:", "", *breaking]
    return "\n".join(lines) + "\n"


def _changelog_with(path: Path, entry: str) -> str:
    """The changelog with `entry` on top (newest first)."""
    body = path.read_text(encoding="utf-8").removeprefix(CHANGELOG_TITLE).lstrip("\n") if path.is_file() else ""
    return f"{CHANGELOG_TITLE}\n\n{entry}" + (f"\n{body}" if body else "")


# --------------------------------------------------------------------------------------------- verify


def heal_releases(normalized_dir: Path) -> list[str]:
    """Finish or remove what a crashed publish left (see `integrity.heal`); one line per repair made."""
    return heal(normalized_dir, list_releases(normalized_dir), lambda v: verify_release(normalized_dir, v).ok)


def verify_releases(normalized_dir: Path, version: str | None = None) -> list[Verification]:
    """Verify one release, or every release when `version` is None (oldest first).

    Besides each release's files against its datapackage.json, the releases index is checked: each
    descriptor's hash and the chain of entries (see `integrity`), so a file edited together with its hash
    in datapackage.json is still caught.
    """
    with output_lock(normalized_dir):
        heal_releases(normalized_dir)
        every = list_releases(normalized_dir)
        versions = [version] if version is not None else every
        if not versions:
            raise ReleaseError(
                f"no release to verify in {releases_dir(normalized_dir)} (publish one with `ladder publish --approve`)"
            )
        results = {v: verify_release(normalized_dir, v) for v in versions}
        for where, problem in check_chain(releases_dir(normalized_dir), every):
            if where == INDEX_FILE:
                where = versions[-1]
            if where not in results and version is None:
                results[where] = Verification(version=where, checked=[])
            if where in results:
                results[where].problems.append(FileProblem(file=INDEX_FILE, problem=problem))
        return list(results.values())


def verify_release(normalized_dir: Path, version: str) -> Verification:
    """Compare every file of a release with the size and sha256 its datapackage.json lists.

    Problems (changed, missing or unlisted files) are returned, not raised, so all of them can be shown;
    a release without a readable datapackage.json raises `ReleaseError`.
    """
    path = release_path(normalized_dir, version)
    package_file = path / DATAPACKAGE_FILE
    if not package_file.is_file():
        raise ReleaseError(f"release {version} has no {DATAPACKAGE_FILE}; it cannot be verified")
    try:
        package = json.loads(package_file.read_text(encoding="utf-8"))
        listed = {r["path"]: r for r in package["resources"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{package_file}: not a data package descriptor ({exc})") from exc
    problems = []
    for name in sorted(listed):
        file = path / name
        if not file.is_file():
            problems.append(FileProblem(file=name, problem="missing"))
            continue
        found = sha256_of(file.read_bytes())
        if found != listed[name].get("hash"):
            problems.append(
                FileProblem(
                    file=name, problem=f"checksum mismatch (expected {listed[name].get('hash')}, found {found})"
                )
            )
    for p in sorted(path.iterdir()):
        if p.name != DATAPACKAGE_FILE and p.name not in listed:
            problems.append(FileProblem(file=p.name, problem=f"not listed in {DATAPACKAGE_FILE}"))
    return Verification(version=version, checked=sorted(listed), problems=problems)
