"""The outbox sender: a thread in every `pulsebot run` process that posts due pulse messages.

It drains the outbox as soon as it is woken (a run was just opened in this process) and otherwise
every PULSEBOT_SWEEP_SECONDS, which is how DMs due later (per-person local time) go out, and how
replicas share a big fan-out and finish one a dead process left behind. Any number of senders may run
at once: each message is claimed before it is posted (services/outbox.py).
"""

from __future__ import annotations

import logging
import threading
from http.client import HTTPException

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from pulsebot.slack.outbox import Outbox

log = logging.getLogger(__name__)


class OutboxSender:
    def __init__(self, outbox: Outbox, *, every: float) -> None:
        self.outbox = outbox
        self.every = every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> OutboxSender:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
                self._thread.start()
        return self

    def wake(self) -> None:
        """Drain now (starting the thread if this process has not yet)."""
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                if sent := self.outbox.drain(stop=self._stop):
                    log.info("sent %d pulse messages", sent)
            except (SQLAlchemyError, SlackApiError, OSError, HTTPException):
                # The database or Slack is away for a moment: whatever was claimed lapses and is
                # picked up by the next pass, here or on another replica.
                log.exception("outbox pass failed; trying again in %s s", self.every)
            self._wake.wait(self.every)
