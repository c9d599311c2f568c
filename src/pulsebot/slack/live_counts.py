"""The live "N answered" count on channel pulses, updated at most once a second or so per pulse.

A channel pulse shows how many have answered. Updating it on every click would cost one chat.update
per click: a crowd of 200 clicking in the same minute would make 200 calls to a method Slack allows
about 50 times a minute (Tier 3), and each update re-reads the run and rebuilds the message, work that
competes with acknowledging the next clicks within Slack's 3 seconds. Instead a click marks its run
as changed; one update per run follows `DELAY` seconds later and shows every click made meanwhile.
"""

from __future__ import annotations

import logging
import threading
from http.client import HTTPException

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from pulsebot.services.errors import Refusal
from pulsebot.slack.publish import refresh_pulse_message
from pulsebot.slack.workspaces import Workspaces
from pulsebot.store.db import SessionFactory
from pulsebot.store.scoping import scoped_sessions

log = logging.getLogger(__name__)

DELAY = 1.0


class LiveCounts:
    def __init__(self, workspaces: Workspaces, sessions: SessionFactory, *, delay: float = DELAY) -> None:
        self.workspaces, self.sessions, self.delay = workspaces, sessions, delay
        self._waiting: set[int] = set()
        self._timers: set[threading.Timer] = set()  # waiting or under way
        self._lock = threading.Lock()
        self._stopped = False

    def changed(self, run_id: int, *, team_id: str) -> None:
        """A run's count has changed: update its message soon (once for any number of changes)."""
        with self._lock:
            if self._stopped or run_id in self._waiting:
                return
            timer = threading.Timer(self.delay, self._update, args=(run_id, team_id))
            timer.daemon = True
            self._waiting.add(run_id)
            self._timers.add(timer)
            timer.start()

    def stop(self) -> None:
        """Drop the updates still waiting and wait for those under way, so that none outlives the app:
        a late one would still hold database locks after the process meant to be done. The counts
        they would have shown come back with the next click or the closing message."""
        with self._lock:
            self._stopped = True
            timers = list(self._timers)
        for timer in timers:
            timer.cancel()
            timer.join()

    def _update(self, run_id: int, team_id: str) -> None:
        with self._lock:
            self._waiting.discard(run_id)  # a click from now on asks for a further update
        try:
            client = self.workspaces.client_for(team_id)
            refresh_pulse_message(client, scoped_sessions(self.sessions, team_id), run_id=run_id)
        except Refusal:
            pass  # the run is gone: no message to update
        except (SlackApiError, SQLAlchemyError, OSError, HTTPException) as error:
            # Only the count is stale; the next click's update brings it up to date.
            log.warning("could not update the count of run %s: %s", run_id, error)
        finally:
            with self._lock:
                self._timers.discard(threading.current_thread())
