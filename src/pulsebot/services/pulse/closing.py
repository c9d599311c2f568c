"""Closing runs: at `closes_at` a run is frozen, and its messages are to show the final count."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, select

from pulsebot.services.results.release import release_closed_runs
from pulsebot.services.segments.periods import SegmentSettings, release_due_periods
from pulsebot.services.survey.audience import viewers_counted
from pulsebot.store.db import write_lock
from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun, RunStatus


def due_runs(session: Session, *, now: datetime) -> list[int]:
    """The open runs whose time is up (to read who they were sent to before closing them)."""
    return list(
        session.exec(
            select(PulseRun.id).where(PulseRun.status == RunStatus.open, PulseRun.closes_at <= now)
        ).all()
    )


def close_due_runs(
    session: Session,
    *,
    now: datetime,
    admins: Collection[str],
    min_group: int,
    segments: SegmentSettings | None = None,
) -> list[int]:
    """Close every open run whose time is up and release its figures in the same transaction (a closed
    run is never seen without them); return their ids. Then release the segments of every period that
    is due (services/segments/periods.py; `segments`: the workspace's periods and crossings, the defaults
    if not given), so whichever process closes the runs releases the periods too.

    Each run's count of people who can see the team's results is brought up to date as it closes
    (`admins`: the pulsebot admins among the people the runs were sent to), so that someone who became a
    manager or admin while it was open counts toward its minimum (services/survey/audience.py).

    A run's figures are shown from its close on and must not change after it. A window's batch of
    answers checks its runs open under a lock on their rows (services/pulse/answers.py): a run whose
    row a batch holds is skipped here and closed by the next sweep, once the batch is in; a batch that
    comes after the close, from whichever replica's window, finds the run closed and refuses its
    answers. On SQLite both take the database's write lock before they read."""
    write_lock(session)
    runs = session.exec(
        select(PulseRun)
        .where(PulseRun.status == RunStatus.open, PulseRun.closes_at <= now)
        .order_by(PulseRun.id)
        .with_for_update(skip_locked=True)
    ).all()
    for run in runs:
        run.managers_asked = viewers_counted(session, run=run, admins=admins)
        run.status, run.closed_at = RunStatus.closed, now
    session.flush()
    release_closed_runs(session, min_group=min_group, now=now)
    release_due_periods(session, now=now, settings=segments or SegmentSettings(min_group=min_group))
    return [run.id for run in runs]


def run_messages(session: Session, *, run_id: int) -> list[tuple[str, str, str | None]]:
    """Every message that shows this run: the channel post (no person), or each person's DM with whose it
    is (it is redrawn closed in their language)."""
    run = session.get(PulseRun, run_id)
    if run is not None and run.message_ts is not None:
        return [(run.channel_id, run.message_ts, None)]
    rows = session.exec(
        select(Delivery.channel_id, Delivery.message_ts, Delivery.user_id)
        .where(Delivery.run_id == run_id, Delivery.status == DeliveryStatus.sent)
        .order_by(Delivery.id)
    ).all()
    return [(channel, ts, user_id) for channel, ts, user_id in rows if channel and ts]
