"""Pacing pulse posts to the rate Slack allows, and slowing down when Slack says 429: in the process
(`Pacer`, on SQLite, where one process sends), or shared by every process sending for the workspace
(`SharedPacer`, on PostgreSQL, where several replicas may)."""

from __future__ import annotations

import threading
import time

from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from pulsebot import metrics
from pulsebot.store import pace
from pulsebot.store.db import SessionFactory, engine_of
from pulsebot.store.scoping import TEAM


class Pacer:
    """Spaces posts evenly, at most `rate` a second, across every sender thread of the process.

    Slack allows chat.postMessage about once a second per conversation, with a workspace-wide cap of
    several hundred a minute; DMs are separate conversations, so a fan-out is bound by the workspace
    cap, which is what `rate` stands for. Slots are handed out at a fixed spacing rather than from a
    bucket of saved-up tokens, so a fan-out never opens with a burst.

    A 429 costs a whole second at least (Retry-After counts in whole seconds, and slack_sdk adds up to
    a second of jitter), a second in which nothing may be posted: `hold` moves the next free slot past
    it, so the other threads wait too instead of collecting 429s of their own, and lowers the pace by
    `BACK_OFF`, since a 429 means the limit is below it. Every `RECOVER_AFTER` seconds of clean sending
    the pace creeps back up towards `rate` (additive increase, multiplicative decrease, as in TCP).
    """

    BACK_OFF = 0.95
    FLOOR = 0.25  # never below a quarter of `rate`
    RECOVER_AFTER = 10.0
    ON_TIME = 0.005  # waking this late (or half a slot, if more) still counts as on time

    def __init__(self, rate: float) -> None:
        self.ceiling = self.rate = rate
        self._next = 0.0
        self._held_until = 0.0
        self._clean = 0
        self._lock = threading.Lock()

    def wait(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                slot = max(now, self._next)
                self._next = slot + 1.0 / self.rate
            if slot > now:
                time.sleep(slot - now)
            # A thread that wakes well after its slot (the process was busy) gives the slot up and
            # queues again: slots missed in a stall must not all be used at once when it ends, or
            # they would land in the same second at Slack.
            if time.monotonic() - slot <= max(0.5 / self.rate, self.ON_TIME):
                break
        with self._lock:
            self._clean += 1
            if self._clean >= self.rate * self.RECOVER_AFTER and self.rate < self.ceiling:
                self.rate = min(self.ceiling, self.rate + self.ceiling * 0.01)
                self._clean = 0

    def hold(self, seconds: float) -> None:
        with self._lock:
            now = time.monotonic()
            if now >= self._held_until:  # the 429s of one crowded moment count once
                self.rate = max(self.ceiling * self.FLOOR, self.rate * self.BACK_OFF)
                self._clean = 0
            self._held_until = max(self._held_until, now + seconds)
            self._next = max(self._next, self._held_until)


class SharedPacer:
    """`Pacer`'s rules with its state in PostgreSQL (store/pace.py): one pace per workspace for every
    process sending for it. Two replicas each pacing themselves would each take Slack's whole limit and
    draw 429s together; here each post reserves the workspace's next slot, and a 429 any of them hears
    holds them all. Costs one short statement a post."""

    BACK_OFF, FLOOR, RECOVER_AFTER, ON_TIME = Pacer.BACK_OFF, Pacer.FLOOR, Pacer.RECOVER_AFTER, Pacer.ON_TIME

    def __init__(self, engine, *, team_id: str, rate: float) -> None:
        self.engine, self.team_id = engine, team_id
        pace.start_pace(engine, team_id=team_id, ceiling=rate)

    @property
    def rate(self) -> float:
        return pace.pace_rate(self.engine, team_id=self.team_id)

    def wait(self) -> None:
        while True:
            slot = pace.take_slot(self.engine, team_id=self.team_id)
            began, delay = time.monotonic(), slot.at - slot.now
            if delay > 0:
                time.sleep(delay)
            # As in Pacer: a process that wakes well after its slot gives it up and queues again.
            if time.monotonic() - began - max(delay, 0.0) <= max(0.5 / slot.rate, self.ON_TIME):
                break
        if slot.clean >= slot.rate * self.RECOVER_AFTER and slot.rate < slot.ceiling:
            pace.raise_pace(self.engine, team_id=self.team_id, rate=slot.rate, step=slot.ceiling * 0.01)

    def hold(self, seconds: float) -> None:
        pace.hold_pace(
            self.engine, team_id=self.team_id, seconds=seconds, back_off=self.BACK_OFF, floor=self.FLOOR
        )


def pacer_for(sessions: SessionFactory, rate: float | None) -> Pacer | SharedPacer | None:
    """The pace for the workspace `sessions` are scoped to: shared through the database on PostgreSQL,
    where several processes may send; the process's own on SQLite, where one does."""
    if not rate:
        return None
    engine = engine_of(sessions)
    if engine.dialect.name != "postgresql":
        return Pacer(rate)
    with sessions() as session:
        team_id = session.info.get(TEAM) or ""
    return SharedPacer(engine, team_id=team_id, rate=rate)


class PacedRateLimitHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits Retry-After, then retries), telling the pacer about the wait."""

    def __init__(self, pacer: Pacer | SharedPacer | None, max_retry_count: int = 5) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        metrics.RATE_LIMITED.inc()
        if self.pacer is not None and response is not None:
            retry_after = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
            self.pacer.hold(float(retry_after[0]))
        super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)
