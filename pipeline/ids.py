"""Stable ids: a short hash of a canonical JSON of the fields that define identity.

Ids never depend on run order, so the diff between two releases is a join on ids.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

_PREFIX_LEN = 12


def canonical_json(value: object) -> str:
    """JSON with sorted keys and no whitespace: the one serialization ids are hashed from."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def stable_id(prefix: str, **fields: object) -> str:
    """`stable_id("comp", name="ownership")` -> `"comp_5f1c…"` (prefix + 12 hex chars of sha256)."""
    digest = hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:_PREFIX_LEN]}"


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


def ref_line(ref: str) -> int:
    """Line number of a source ref: `"L12"` -> 12, a table cell's `"L40:r2c3"` -> 40; 0 when there is none."""
    digits = ref[1:].split(":", 1)[0] if ref[:1] == "L" else ""
    return int(digits) if digits.isdigit() else 0
