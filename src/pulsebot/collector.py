"""Pausing Python's cycle collector while one pass builds a great many small objects.

Every digest of a 50,000-person organisation is made of about a million tuples, lists and frozen
dataclasses (each team's weeks, questions and drivers), none of them part of a reference cycle. The
collector, triggered by the allocations alone, would walk the whole growing heap again and again: a third
of the time went there. Nothing is freed later than it would be otherwise (reference counting frees what
is no longer used), and any cycle made meanwhile is collected once the pass ends.
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
            gc.enable()
