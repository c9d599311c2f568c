"""A pass over every digest pauses the cycle collector (collector.py): it comes back on, with the pass's
objects no longer counted as young, and cycles made meanwhile are still collected."""

import gc
import weakref

from pulsebot.collector import collector_paused


class Node:
    pass


def test_the_collector_comes_back_without_the_pass_objects_counted_as_young():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        made = [(n, [n]) for n in range(50_000)]
    assert gc.isenabled()
    assert gc.get_count()[0] < 1_000  # not 100,000 young objects waiting to be walked
    assert len(made) == 50_000 and gc.get_freeze_count() == 0  # nothing left out of the collector


def test_a_cycle_made_during_the_pass_is_still_collected():
    with collector_paused():
        node = Node()
        node.itself = node
        gone = weakref.ref(node)
        del node
    gc.collect()
    assert gone() is None


def test_a_pause_inside_a_pause_leaves_the_collector_off_until_the_outer_one_ends():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
