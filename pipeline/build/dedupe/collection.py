"""Pause Python's cyclic garbage collector around bulk work that makes no reference cycles.

De-duplication and the progressions step allocate millions of small tuples, strings and frozen dataclasses,
none of which refer back to each other. Each allocation burst triggers the collector, and every full
collection walks the whole heap (at 2,000 documents: the occurrences and parse results too). That was a
quarter of the build's CPU time, collecting nothing. Reference counting still frees everything as usual;
only the cycle search is deferred until the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
