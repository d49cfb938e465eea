"""Per-document budget: how long one document may take and how many blocks it may have.

A document that would stall a run (a pathological line, tens of thousands of bullets) is rejected with a
one-line reason instead. The time budget is checked cooperatively, at checkpoints the stages call
(`check`): each line of text repair, after cutting the blocks, after parsing. It is kept per thread, so
documents processed side by side in a thread pool have their own clocks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.errors import RejectedDocument
from pipeline.ingest.settings import IngestConfig
from pipeline.models import Document

_local = threading.local()


@contextmanager
def document_budget(file: str, config: IngestConfig) -> Iterator[None]:
    """Start the clock of `file`; `check` inside the block raises once `ingest.max_seconds` have passed."""
    previous = getattr(_local, "budget", None)
    seconds = config.max_seconds
    _local.budget = (file, time.monotonic() + seconds, seconds) if seconds > 0 else None
    try:
        yield
    finally:
        _local.budget = previous


def check(stage: str) -> None:
    """Raise `RejectedDocument` when the current document's time budget is spent (no-op outside one)."""
    budget = getattr(_local, "budget", None)
    if budget is not None and time.monotonic() > budget[1]:
        file, _deadline, seconds = budget
        raise RejectedDocument(
            file, f"over the time budget: {stage} took more than {seconds:g} s (set ingest.max_seconds)"
        )


def check_blocks(doc: Document, config: IngestConfig) -> None:
    """Reject a document with more blocks than `ingest.max_blocks`."""
    if config.max_blocks > 0 and len(doc.blocks) > config.max_blocks:
        raise RejectedDocument(
            doc.file, f"too many blocks: {len(doc.blocks):,} (limit {config.max_blocks:,}; set ingest.max_blocks)"
        )
