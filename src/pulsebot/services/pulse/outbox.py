"""The outbox of pulse messages: a channel pulse's one post and each DM pulse's delivery rows.

Opening a run writes its outbox in the same transaction (services/pulse/pulses.py): a channel run waits
for its post (`pulse_run.message_ts` is empty), a DM run has one pending `delivery` row per person.
A sender claims one message at a time (a lease until `claimed_until`), with `SELECT … FOR UPDATE
SKIP LOCKED` on PostgreSQL so senders on several replicas pass each other by, and a conditional
UPDATE that also keeps SQLite's single writer safe. No database lock is held while Slack is called.

`claimed_until` is empty on a message never tried. A message whose claim is found set again (its
sender died after claiming it, or Slack's answer never came back) may already be in Slack: the
sender is told so (`retry`) and looks for it there before posting again (slack/outbox.py), around
`attempted_at`, when the earlier attempt began (each claim sets it; it is cleared when Slack answered
that it did not post the message, which then needs no look).

A DM is checked once more when it is claimed: a pulse that waited (for working hours, or the weekly
limit) may fall on a day its person has since paused their pulses or gone on leave. It is then not sent,
and they leave the run as if they had been paused when it opened (`withdraw`).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, or_, update
from sqlmodel import Session, select

from pulsebot.services.survey.audience import run_minimum
from pulsebot.services.survey.snooze import snoozed_among
from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun, RunCell, RunMember, RunStatus, Survey

CLAIM_FOR = timedelta(minutes=5)
# A message Slack turned down for a passing reason (or whose fate is unknown) is tried again after this.
RETRY_AFTER = timedelta(seconds=30)
ERROR_MAX_CHARS = 100


@dataclass(frozen=True)
class DueMessage:
    """One pulse message to post: a DM to `to` (a user id), or the run's post in channel `to`."""

    run_id: int
    to: str
    opened_at: datetime
    delivery_id: int | None = None  # None for a channel post
    retry: bool = False  # an earlier attempt may have reached Slack: look before posting again
    attempted_before: datetime | None = None  # when that attempt began (None on rows from before it was kept)

    @property
    def is_dm(self) -> bool:
        return self.delivery_id is not None

    @property
    def user_id(self) -> str:
        return self.to

    @property
    def marker(self) -> dict[str, int]:
        """What the message carries in its metadata, so a later sender can recognise it in Slack."""
        return {"run": self.run_id, "delivery": self.delivery_id} if self.is_dm else {"run": self.run_id}


def unclaimed(column, now: datetime):
    """No claim on the row, or one that has lapsed by `now` (its sender died or gave up)."""
    return or_(column.is_(None), column <= now)


def claim_due(
    session: Session,
    *,
    now: datetime,
    run_id: int | None = None,
    claim_for: timedelta = CLAIM_FOR,
    min_group: int | None = None,
) -> DueMessage | None:
    """Claim the next message due by `now` (channel posts first, then DMs); None when there is none.
    `min_group` (PULSEBOT_MIN_GROUP) lets a DM be taken back from someone paused since it was planned
    (see `withdraw`)."""
    return claim_channel_post(session, now=now, run_id=run_id, claim_for=claim_for) or claim_due_delivery(
        session, now=now, run_id=run_id, claim_for=claim_for, min_group=min_group
    )


def claim_channel_post(
    session: Session, *, now: datetime, run_id: int | None = None, claim_for: timedelta = CLAIM_FOR
) -> DueMessage | None:
    """Claim an open channel run whose message is not in Slack yet."""
    awaiting_post = exists().where(
        Delivery.run_id == PulseRun.id,
        Delivery.status == DeliveryStatus.pending,
        Delivery.due_at.is_(None),  # the rows of a channel run have no due time of their own
    )
    query = (
        select(
            PulseRun.id, PulseRun.claimed_until, PulseRun.attempted_at, PulseRun.opened_at, Survey.channel_id
        )
        .join(Survey, Survey.id == PulseRun.survey_id)
        .where(
            PulseRun.status == RunStatus.open,
            PulseRun.closes_at > now,
            PulseRun.message_ts.is_(None),
            unclaimed(PulseRun.claimed_until, now),
            awaiting_post,
        )
        .order_by(PulseRun.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=PulseRun)
    )
    if run_id is not None:
        query = query.where(PulseRun.id == run_id)
    while (row := session.exec(query).first()) is not None:
        # Every condition again: between the two statements another sender may have posted it, or
        # found it refused for good (which clears its claim but leaves no pending row).
        claim = (
            update(PulseRun)
            .where(PulseRun.id == row.id, PulseRun.message_ts.is_(None), awaiting_post)
            .where(unclaimed(PulseRun.claimed_until, now))
            .values(claimed_until=now + claim_for, attempted_at=now)
        )
        if session.exec(claim).rowcount == 1:
            return DueMessage(
                run_id=row.id,
                to=row.channel_id,
                opened_at=row.opened_at,
                retry=row.claimed_until is not None and row.attempted_at is not None,
                attempted_before=row.attempted_at,
            )
    return None


def claim_due_delivery(
    session: Session,
    *,
    now: datetime,
    run_id: int | None = None,
    claim_for: timedelta = CLAIM_FOR,
    min_group: int | None = None,
) -> DueMessage | None:
    """Claim the oldest DM delivery due by `now` on a run still open; None when there is none."""
    query = (
        select(
            Delivery.id,
            Delivery.run_id,
            Delivery.user_id,
            Delivery.claimed_until,
            Delivery.attempted_at,
            PulseRun.opened_at,
            Survey.timezone,
        )
        .join(PulseRun, PulseRun.id == Delivery.run_id)
        .join(Survey, Survey.id == PulseRun.survey_id)
        .where(
            Delivery.status == DeliveryStatus.pending,
            Delivery.due_at.is_not(None),
            Delivery.due_at <= now,
            unclaimed(Delivery.claimed_until, now),
            PulseRun.status == RunStatus.open,
            PulseRun.closes_at > now,
        )
        .order_by(Delivery.due_at, Delivery.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Delivery)
    )
    if run_id is not None:
        query = query.where(Delivery.run_id == run_id)
    while (row := session.exec(query).first()) is not None:
        claim = (
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.status == DeliveryStatus.pending)
            .where(unclaimed(Delivery.claimed_until, now))
            .values(claimed_until=now + claim_for, attempted_at=now)
        )
        if session.exec(claim).rowcount != 1:
            continue  # another sender took it between the two statements (SQLite): look for the next row
        retry = row.claimed_until is not None and row.attempted_at is not None
        # A retry may be in Slack already: it stays the person's, as a pulse sent before a pause does.
        today = now.astimezone(zoneinfo.ZoneInfo(row.timezone)).date()
        if (
            not retry
            and snoozed_among(session, people=[row.user_id], on=today)
            and withdraw(
                session, delivery_id=row.id, run_id=row.run_id, user_id=row.user_id, min_group=min_group
            )
        ):
            continue
        return DueMessage(
            run_id=row.run_id,
            to=row.user_id,
            opened_at=row.opened_at,
            delivery_id=row.id,
            retry=retry,
            attempted_before=row.attempted_at,
        )
    return None


def withdraw(session: Session, *, delivery_id: int, run_id: int, user_id: str, min_group: int | None) -> bool:
    """Take back a DM not yet sent from someone paused or on leave on the day it falls due: they leave the
    run's people asked, and their cell's (services/segments/cells.py), so its response rate and its
    segments' participation count only the people it reached, as when a paused person is left out at
    the opening. The run's minimum stays as it was; the weekly limit's count of held people too (the
    limit did hold them).

    Not when their cell would then hold fewer than the run's K (the minimum group plus the managers it
    asked), or when K is not known here: an answer's cell promises at least K people who could have
    given it, so the DM goes out after all (the person may ignore it) rather than narrow that to K - 1.
    Whether it was taken back."""
    cell = session.exec(
        select(RunMember.cell).where(RunMember.run_id == run_id, RunMember.user_id == user_id)
    ).first()
    if cell is not None:
        people = session.exec(
            select(RunCell.people).where(RunCell.run_id == run_id, RunCell.cell == cell)
        ).one()
        managers = session.exec(select(PulseRun.managers_asked).where(PulseRun.id == run_id)).one()
        if min_group is None or people - 1 < run_minimum(min_group, managers):
            return False
        session.exec(
            update(RunCell)
            .where(RunCell.run_id == run_id, RunCell.cell == cell)
            .values(people=RunCell.people - 1)
            .execution_options(synchronize_session=False)
        )
        session.exec(
            delete(RunMember)
            .where(RunMember.run_id == run_id, RunMember.user_id == user_id)
            .execution_options(synchronize_session=False)
        )
    session.exec(
        delete(Delivery).where(Delivery.id == delivery_id).execution_options(synchronize_session=False)
    )
    return True


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


def mark_run_failed(session: Session, *, run_id: int, error: str) -> None:
    """Slack refused a channel run's post for good (e.g. the bot is not in the channel)."""
    run = session.get(PulseRun, run_id)
    run.claimed_until = None
    for delivery in session.exec(select(Delivery).where(Delivery.run_id == run_id)).all():
        delivery.status, delivery.error = DeliveryStatus.failed, error[:ERROR_MAX_CHARS]
    session.flush()


def retry_later(
    session: Session,
    message: DueMessage,
    *,
    error: str,
    at: datetime,
    maybe_in_slack: bool = True,
    only_looked: bool = False,
) -> None:
    """Leave the message pending, to be tried again from `at`: looking for it in Slack first when this
    attempt may have put it there (`maybe_in_slack`: no answer, or a 5xx), or when this try only looked
    for an earlier attempt's message and could not tell yet (`only_looked`)."""
    row = (
        session.get(Delivery, message.delivery_id) if message.is_dm else session.get(PulseRun, message.run_id)
    )
    row.claimed_until = at
    if only_looked:
        row.attempted_at = message.attempted_before
    elif not maybe_in_slack:  # Slack answered and did not post it: nothing to look for
        row.attempted_at = None
    if message.is_dm:
        row.error = error[:ERROR_MAX_CHARS]
    session.flush()


@dataclass(frozen=True)
class RunOutcome:
    sent: int
    failed: int
    pending: int
    errors: dict[str, int]  # why Slack refused, and for how many people


def run_outcome(session: Session, *, run_id: int) -> RunOutcome:
    """How far a run's messages have got: for the admin who sent it."""
    rows = session.exec(select(Delivery.status, Delivery.error).where(Delivery.run_id == run_id)).all()
    errors: dict[str, int] = {}
    for status, error in rows:
        if status is DeliveryStatus.failed:
            errors[error or "unknown"] = errors.get(error or "unknown", 0) + 1
    count = {status: sum(1 for found, _ in rows if found is status) for status in DeliveryStatus}
    return RunOutcome(
        sent=count[DeliveryStatus.sent],
        failed=count[DeliveryStatus.failed],
        pending=count[DeliveryStatus.pending],
        errors=errors,
    )


@dataclass(frozen=True)
class Backlog:
    waiting: int  # DMs due and channel posts not yet in Slack, on open runs
    oldest_due: datetime | None


def backlog(session: Session, *, now: datetime) -> Backlog:
    """What the outbox holds that should be in Slack by now (for the operators' metrics)."""
    dms = session.exec(
        select(func.count(), func.min(Delivery.due_at))
        .join(PulseRun, PulseRun.id == Delivery.run_id)
        .where(
            Delivery.status == DeliveryStatus.pending,
            Delivery.due_at.is_not(None),
            Delivery.due_at <= now,
            PulseRun.status == RunStatus.open,
            PulseRun.closes_at > now,
        )
    ).one()
    posts = session.exec(
        select(func.count(), func.min(PulseRun.opened_at)).where(
            PulseRun.status == RunStatus.open,
            PulseRun.closes_at > now,
            PulseRun.message_ts.is_(None),
            exists().where(
                Delivery.run_id == PulseRun.id,
                Delivery.status == DeliveryStatus.pending,
                Delivery.due_at.is_(None),
            ),
        )
    ).one()
    oldest = [moment for moment in (dms[1], posts[1]) if moment is not None]
    return Backlog(waiting=dms[0] + posts[0], oldest_due=min(oldest) if oldest else None)
