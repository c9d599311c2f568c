"""Pausing Python's cycle collector while one pass builds a great many small objects.

Every digest of a 50,000-person organisation is made of about a million tuples, lists and frozen
dataclasses (each team's weeks, questions and drivers), none of them part of a reference cycle. The
collector, triggered by the allocations alone, would walk the whole growing heap again and again: a third
of the time went there. Nothing is freed later than it would be otherwise (reference counting frees what
is no longer used).

Turning the collector back on is not enough, though: every object the pass made is still counted as
young, and the first allocation after it walked all of them at once (half a second for a large
organisation, inside the pass's time). So the pass's objects are moved straight to the oldest generation
(`gc.freeze()` then `gc.unfreeze()`: two list splices, nothing walked), where they are looked at with the
process's other long-lived objects, at its next full collection; any cycle made meanwhile is collected
then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the block, then back as it was (another thread's pause is left alone)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Young objects become old without being walked (see above). freeze() also moves what other
            # threads made meanwhile; unfreeze() gives everything back to the collector.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
