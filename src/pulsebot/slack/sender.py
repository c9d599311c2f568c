"""The outbox sender: a thread in every `pulsebot run` process that posts due pulse messages.

It drains the outbox as soon as it is woken (a run was just opened in this process) and otherwise
every PULSEBOT_SWEEP_SECONDS, which is how DMs due later (per-person local time) go out, and how
replicas share a big fan-out and finish one a dead process left behind. Any number of senders may run
at once: each message is claimed before it is posted (services/pulse/outbox.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.client import HTTPException

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from pulsebot.slack.outbox import Outbox
from pulsebot.slack.workspaces import Workspaces
from pulsebot.store.db import SessionFactory
from pulsebot.store.scoping import scoped_sessions

log = logging.getLogger(__name__)


class TeamOutboxes:
    """One outbox per workspace, each scoped to it and paced on its own (Slack's limits are per
    workspace), drained in turn."""

    def __init__(
        self, workspaces: Workspaces, sessions: SessionFactory, make: Callable[..., Outbox] = Outbox
    ) -> None:
        self.workspaces, self.sessions, self._make = workspaces, sessions, make
        self._outboxes: dict[str, Outbox] = {}
        self._lock = threading.Lock()

    def for_team(self, team_id: str) -> Outbox:
        client = self.workspaces.client_for(team_id)
        with self._lock:
            outbox = self._outboxes.get(team_id)
            if outbox is None or outbox.client.token != client.token:  # reinstalled: a new token
                outbox = self._outboxes[team_id] = self._make(client, scoped_sessions(self.sessions, team_id))
            return outbox

    def drain(self, *, stop: threading.Event | None = None) -> int:
        sent = 0
        for team_id in self.workspaces.team_ids():
            try:
                outbox = self.for_team(team_id)
            except LookupError:  # uninstalled since it was listed: its messages wait for a reinstall
                continue
            sent += outbox.drain(stop=stop)
        return sent


class OutboxSender:
    def __init__(self, outboxes: TeamOutboxes, *, every: float) -> None:
        self.outboxes = outboxes
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
                if sent := self.outboxes.drain(stop=self._stop):
                    log.info("sent %d pulse messages", sent)
            except (SQLAlchemyError, SlackApiError, OSError, HTTPException):
                # The database or Slack is away for a moment: whatever was claimed lapses and is
                # picked up by the next pass, here or on another replica.
                log.exception("outbox pass failed; trying again in %s s", self.every)
            self._wake.wait(self.every)
