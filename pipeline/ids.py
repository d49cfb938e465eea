"""Stable ids: a short hash of a canonical JSON of the fields that define identity.

Ids never depend on run order, so the diff between two releases is a join on ids.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from json.encoder import encode_basestring
from pathlib import Path

PREFIX_LEN = 12
"""Hex characters of the sha256 kept in a stable id."""


def canonical_json(value: object) -> str:
    """JSON with sorted keys and no whitespace: the one serialization ids are hashed from."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def stable_id(prefix: str, **fields: object) -> str:
    """`stable_id("comp", name="ownership")` -> `"comp_5f1c…"` (prefix + 12 hex chars of sha256).

    When every field is a string, the canonical JSON is spelled out (keys sorted, each string quoted as
    `json.dumps` quotes it): the same string as `canonical_json(fields)`, at a fraction of the cost."""
    names = sorted(fields)
    strings = [v for v in (fields[k] for k in names) if type(v) is str]
    if len(strings) == len(names):
        q = encode_basestring
        text = "{" + ",".join(f"{q(k)}:{q(v)}" for k, v in zip(names, strings, strict=True)) + "}"
    else:
        text = canonical_json(fields)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:PREFIX_LEN]}"


def source_fingerprint(paths: Iterable[Path], root: Path) -> str:
    """sha256 over each file's path relative to `root` and its bytes, in the order given: a cache key part that
    changes with any edit, addition, removal or rename of those files."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def content_id(data: bytes) -> str:
    """Id of a document: the first 16 hex chars of the sha256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


_KEY_DROP = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def name_key(text: str) -> str:
    """Key for comparing names: `"Teamwork  & Collab."` -> `"teamwork collab"`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _KEY_DROP.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
