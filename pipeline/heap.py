"""How the build and the writes use Python's cycle collector.

A 10^4-document run holds millions of objects (parse results, occurrences, behaviors), and building the dataset
allocates tens of millions of short-lived ones. With the collector's default thresholds, every 700 new container
objects start a young collection, and the old generation, all of those millions, is scanned again each time
it has grown by a quarter: about a fifth of the build's CPU time, and most of the release comparison's.

`bulk_work` collects what is garbage when it starts, then moves what is left into the permanent generation
(`gc.freeze`: never scanned, still freed by reference counting), raises the young threshold to `BULK_THRESHOLD`
while it lasts, and puts both back as they were when it ends. `settle` collects once and freezes what exists:
called between the build and the writes, the writes do not scan the dataset again. The collection first matters:
the ingestion flow's finished parse futures sit in reference cycles (Prefect's process pool chains each to its
worker's future through a callback) that hold the batch's results twice, pickled and as returned; frozen, the
garbage of a 10^4-document run (about 0.05 MB a document) stayed for the whole build and its writes.
`collection_paused` turns the collector off around bulk work that makes no reference cycles (de-duplication, the
progressions step): millions of small tuples, strings and frozen dataclasses, none referring back to each other;
reference counting still frees them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

BULK_THRESHOLD = 100_000
"""New container objects between two young collections inside `bulk_work` (Python's default: 700)."""


@contextmanager
def bulk_work(threshold: int = BULK_THRESHOLD) -> Iterator[None]:
    """Fewer, cheaper collections while a build and its writes run; the collector as it was afterwards."""
    old = gc.get_threshold()
    gc.collect()
    return_free_memory()
    gc.freeze()
    gc.set_threshold(threshold, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def settle() -> None:
    """Collect what is garbage now, then freeze what is left (inside `bulk_work`, which unfreezes it)."""
    gc.collect()
    return_free_memory()
    gc.freeze()


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None (another C library, or none found)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def return_free_memory() -> bool:
    """Give the pages the C allocator holds free back to the system (glibc's `malloc_trim(0)`); False where
    there is no such call. Objects over 512 bytes (large dicts, the item arrays of long lists, long strings)
    come from the C allocator, which keeps what a step frees for later allocations, resident: after a
    2,000-document build about 90 MB of the process's 520 MB."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@contextmanager
def collection_paused() -> Iterator[None]:
    """`with collection_paused(): ...` runs the block with the cyclic collector off, then restores it (left
    off when it was off already, so nested blocks and callers that paused it themselves keep their state)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
