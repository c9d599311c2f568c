"""Acknowledgements first: the work a listener does after its ack waits while other requests still
wait for theirs.

Bolt runs each listener, its ack and the work after it, on one thread pool, and Python runs one thread
at a time. When a crowd clicks at once, the after-ack work of the first clicks (saving the answer,
thanking, counting) shares the interpreter with, and so holds back, the acknowledgements of the later
ones, some until past Slack's 3 seconds. So the HTTP transport counts the Slack requests that have not
had their answer yet (`AckGate.request`), and work after an ack starts only when that count is zero,
or after `MOST_DEFERRED` seconds at most, so a steady stream of requests cannot starve it. Unlike a
fixed number of slots, this lets any number of listeners wait on Slack's answers at once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MOST_DEFERRED = 1.0  # seconds
REGISTRATIONS = frozenset({"action", "command", "view", "event", "shortcut", "options", "message"})


class AckGate:
    def __init__(self) -> None:
        self._waiting = 0
        self._quiet = threading.Condition()
        # Requests the HTTP server has read whole but not yet handed to the app (waiting for one of its
        # threads): they wait for their acks too. The server sets this (slack/server.py).
        self.queued: Callable[[], int] = lambda: 0

    @contextmanager
    def request(self) -> Iterator[None]:
        """Around one Slack request, until its answer (the ack) is ready to go back."""
        with self._quiet:
            self._waiting += 1
        try:
            yield
        finally:
            with self._quiet:
                self._waiting -= 1
                # Only at zero: a request still queued in the server enters (and leaves) after this.
                if not self._waiting:
                    self._quiet.notify_all()

    def after_ack(self) -> None:
        """Wait until no request is waiting for its ack (or `MOST_DEFERRED` has passed)."""
        with self._quiet:
            self._quiet.wait_for(lambda: not self._waiting and not self.queued(), timeout=MOST_DEFERRED)


def acks_first(listener: Callable, gate: AckGate) -> Callable:
    @functools.wraps(listener)  # Bolt reads the wrapped listener's argument names
    def run(**kwargs):
        ack = kwargs.get("ack")
        if ack is not None:
            acked = False

            def ack_then_let_others_ack_first(*args, **ack_kwargs):
                nonlocal acked
                result = ack(*args, **ack_kwargs)
                if not acked:
                    acked = True
                    gate.after_ack()
                return result

            kwargs["ack"] = ack_then_let_others_ack_first
        return listener(**kwargs)

    return run


class AcksFirst:
    """Stands in for the App while listeners register: each one registered is wrapped in `acks_first`."""

    def __init__(self, app, gate: AckGate) -> None:
        self._app = app
        self._gate = gate

    def __getattr__(self, name: str):
        attribute = getattr(self._app, name)
        if name not in REGISTRATIONS:
            return attribute

        def register(*args, **kwargs):
            decorate = attribute(*args, **kwargs)
            return lambda listener: decorate(acks_first(listener, self._gate))

        return register
