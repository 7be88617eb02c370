"""graph.export.quiet_gc: thresholds raised while an export runs, restored after (also on error,
and only when the last of overlapping users leaves); cycles are still collected."""
import doctest
import gc
import threading

import pytest

from graph.export import quiet_gc
from graph.export.quiet_gc import YOUNG_THRESHOLD, fewer_collections


def test_doc_example():
    assert doctest.testmod(quiet_gc).failed == 0


def test_thresholds_raised_inside_and_restored_after_an_error():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError):
        with fewer_collections():
            assert gc.get_threshold() == (max(YOUNG_THRESHOLD, before[0]), *before[1:])
            raise RuntimeError("boom")
    assert gc.get_threshold() == before


def test_overlapping_users_restore_only_when_the_last_leaves():
    before = gc.get_threshold()
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] >= YOUNG_THRESHOLD   # the second export still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_threads_leave_the_thresholds_as_they_were():
    before = gc.get_threshold()
    gate = threading.Barrier(4)

    def work():
        with fewer_collections():
            gate.wait()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.get_threshold() == before


def test_cycles_are_still_collected():
    class Node:
        pass
    with fewer_collections():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2
