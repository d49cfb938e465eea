"""The collector policy of the build and the writes (`pipeline.heap`)."""

from __future__ import annotations

import gc
import platform
import weakref

from pipeline.heap import BULK_THRESHOLD, bulk_work, return_free_memory, settle


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_bulk_work_freezes_and_restores() -> None:
    before = gc.get_threshold()
    gc.unfreeze()
    held = [[i] for i in range(1000)]
    with bulk_work():
        assert gc.get_threshold() == (BULK_THRESHOLD, before[1], before[2])
        assert gc.get_freeze_count() >= len(held)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_bulk_work_collects_the_garbage_it_finds_rather_than_freezing_it() -> None:
    """Cycles left by the work before (a flow's finished futures hold each batch's bytes in one) are freed when
    the build starts, not frozen with the dataset until it ends."""
    gc.unfreeze()
    dead = _cycle()
    with bulk_work():
        assert dead() is None
        settle()
        assert dead() is None


def test_bulk_work_restores_after_an_error() -> None:
    before = gc.get_threshold()
    try:
        with bulk_work(5_000):
            assert gc.get_threshold() == (5_000, before[1], before[2])
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_settle_collects_cycles_before_freezing() -> None:
    with bulk_work():
        dead = _cycle()
        assert dead() is not None  # a cycle: reference counting alone never frees it
        settle()
        assert dead() is None
        frozen = gc.get_freeze_count()
        kept = [[1], [2]]
        settle()
        assert gc.get_freeze_count() >= frozen + len(kept)
    assert gc.get_freeze_count() == 0


def test_free_memory_is_returned_where_the_c_library_can() -> None:
    assert return_free_memory() is (platform.libc_ver()[0] == "glibc")
