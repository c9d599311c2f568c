"""Acknowledgements first: the work a listener does after its ack waits for one of a few slots.

Bolt runs each listener, its ack and the work after it, on one thread pool, and Python runs one thread
at a time. When a crowd clicks at once, the after-ack work of the first clicks (saving the answer,
thanking, counting) shares the interpreter with, and so holds back, the acknowledgements of the later
ones, some until past Slack's 3 seconds. With a pool large enough for every listener of a crowd to
start at once (app.py) and the work after an ack limited to `AFTER_ACK_SLOTS` at a time, every
listener gets to its ack first and the work follows, in the same order and no slower overall.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

AFTER_ACK_SLOTS = 32
REGISTRATIONS = frozenset({"action", "command", "view", "event", "shortcut", "options", "message"})


def acks_first(listener: Callable, slots: threading.Semaphore) -> Callable:
    @functools.wraps(listener)  # Bolt reads the wrapped listener's argument names
    def run(**kwargs):
        ack = kwargs.get("ack")
        holding = False
        if ack is not None:

            def ack_then_wait_for_a_slot(*args, **ack_kwargs):
                nonlocal holding
                result = ack(*args, **ack_kwargs)
                if not holding:
                    slots.acquire()
                    holding = True
                return result

            kwargs["ack"] = ack_then_wait_for_a_slot
        try:
            return listener(**kwargs)
        finally:
            if holding:
                slots.release()

    return run


class AcksFirst:
    """Stands in for the App while listeners register: each one registered is wrapped in `acks_first`."""

    def __init__(self, app, slots: int = AFTER_ACK_SLOTS) -> None:
        self._app = app
        self._slots = threading.BoundedSemaphore(slots)

    def __getattr__(self, name: str):
        attribute = getattr(self._app, name)
        if name not in REGISTRATIONS:
            return attribute

        def register(*args, **kwargs):
            decorate = attribute(*args, **kwargs)
            return lambda listener: decorate(acks_first(listener, self._slots))

        return register
