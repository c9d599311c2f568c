"""The delivery outbox of DM pulses: which rows are due, who is sending each, and what became of it.

A sender claims one row at a time with a conditional UPDATE (a lease until `claimed_until`), so
senders in several threads, processes or replicas never take the same row, on SQLite as on
PostgreSQL, and no database lock is held while Slack is called. A sender that dies mid-way leaves a
claim that lapses after `CLAIM_FOR`; the next pass sends that row, so a restart resumes where the
last sender stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, select

from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun, RunStatus

CLAIM_FOR = timedelta(minutes=5)
ERROR_MAX_CHARS = 100


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: int
    run_id: int
    user_id: str


def claim_due_delivery(session: Session, *, now: datetime, run_id: int | None = None) -> DueDelivery | None:
    """Claim the oldest DM delivery due by `now` on a run still open; None when there is none."""
    unclaimed = or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now)
    query = (
        select(Delivery.id, Delivery.run_id, Delivery.user_id)
        .join(PulseRun, PulseRun.id == Delivery.run_id)
        .where(
            Delivery.status == DeliveryStatus.pending,
            Delivery.due_at.is_not(None),
            Delivery.due_at <= now,
            unclaimed,
            PulseRun.status == RunStatus.open,
            PulseRun.closes_at > now,
        )
        .order_by(Delivery.due_at, Delivery.id)
        .limit(1)
    )
    if run_id is not None:
        query = query.where(Delivery.run_id == run_id)
    while (row := session.exec(query).first()) is not None:
        claim = (
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.status == DeliveryStatus.pending, unclaimed)
            .values(claimed_until=now + CLAIM_FOR)
        )
        if session.exec(claim).rowcount == 1:
            return DueDelivery(delivery_id=row.id, run_id=row.run_id, user_id=row.user_id)
        # Another sender took it between the two statements: look for the next row.
    return None


def mark_sent(session: Session, *, delivery_id: int, channel_id: str, message_ts: str) -> None:
    delivery = session.get(Delivery, delivery_id)
    delivery.status = DeliveryStatus.sent
    delivery.channel_id, delivery.message_ts = channel_id, message_ts
    delivery.error, delivery.claimed_until = None, None
    session.flush()


def mark_failed(session: Session, *, delivery_id: int, error: str) -> None:
    """Slack refused this DM for good (e.g. a deactivated account): it is not retried."""
    delivery = session.get(Delivery, delivery_id)
    delivery.status, delivery.error = DeliveryStatus.failed, error[:ERROR_MAX_CHARS]
    delivery.claimed_until = None
    session.flush()
