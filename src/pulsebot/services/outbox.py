"""The delivery outbox of DM pulses: which rows are due, and what became of each.

Rows are taken one at a time, locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
senders can drain the outbox together and a restart resumes where the last one stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun, RunStatus

ERROR_MAX_CHARS = 100


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: int
    run_id: int
    user_id: str


def next_due_delivery(session: Session, *, now: datetime, run_id: int | None = None) -> DueDelivery | None:
    """The oldest pending DM delivery due by `now` on a run still open; locked until the transaction ends."""
    query = (
        select(Delivery)
        .join(PulseRun, PulseRun.id == Delivery.run_id)
        .where(
            Delivery.status == DeliveryStatus.pending,
            Delivery.due_at.is_not(None),
            Delivery.due_at <= now,
            PulseRun.status == RunStatus.open,
            PulseRun.closes_at > now,
        )
        .order_by(Delivery.due_at, Delivery.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Delivery)
    )
    if run_id is not None:
        query = query.where(Delivery.run_id == run_id)
    delivery = session.exec(query).first()
    if delivery is None:
        return None
    return DueDelivery(delivery_id=delivery.id, run_id=delivery.run_id, user_id=delivery.user_id)


def mark_sent(session: Session, *, delivery_id: int, channel_id: str, message_ts: str) -> None:
    delivery = session.get(Delivery, delivery_id)
    delivery.status = DeliveryStatus.sent
    delivery.channel_id, delivery.message_ts, delivery.error = channel_id, message_ts, None
    session.flush()


def mark_failed(session: Session, *, delivery_id: int, error: str) -> None:
    """Slack refused this DM for good (e.g. a deactivated account): it is not retried."""
    delivery = session.get(Delivery, delivery_id)
    delivery.status, delivery.error = DeliveryStatus.failed, error[:ERROR_MAX_CHARS]
    session.flush()
