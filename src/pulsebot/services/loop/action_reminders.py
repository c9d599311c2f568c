"""The owner's reminders of an open action: three days before its due date and on the day, each once,
by the dates of the team's time zone, from the morning on.

Each reminder is claimed (its flag set, in its own transaction) before the DM is sent, so two schedulers
never both send it; a DM Slack refused gives its claim back, for the next sweep to try again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, select

from pulsebot.services.loop.actions import OPEN
from pulsebot.store.models import Survey, TeamAction

DAYS_BEFORE = 3
FROM_HOUR = 9  # local time: no reminder lands in the night


class ReminderKind(enum.StrEnum):
    before = "before"  # three days before the due date
    due = "due"  # on the due date


@dataclass(frozen=True)
class DueReminder:
    action_id: int
    kind: ReminderKind
    owner_id: str
    text: str
    focus_label: str
    team_title: str
    due_on: date


def due_reminders(session: Session, *, now: datetime) -> list[DueReminder]:
    """The reminders whose day has come and that no one has sent yet."""
    rows = session.exec(
        select(TeamAction, Survey)
        .join(Survey, Survey.id == TeamAction.survey_id)
        .where(TeamAction.status.in_(OPEN))
        .where(TeamAction.reminded_before.is_(False) | TeamAction.reminded_due.is_(False))
        # A cheap first cut in UTC; the exact day is read in each team's time zone below.
        .where(TeamAction.due_on <= (now + timedelta(days=DAYS_BEFORE + 1)).date())
        .where(TeamAction.due_on >= (now - timedelta(days=1)).date())
        .order_by(TeamAction.id)
    ).all()
    due = []
    for action, survey in rows:
        local = now.astimezone(ZoneInfo(survey.timezone))
        if local.hour < FROM_HOUR:
            continue
        today = local.date()
        before_day = action.due_on - timedelta(days=DAYS_BEFORE)
        kind = None
        if today == action.due_on and not action.reminded_due:
            kind = ReminderKind.due
        # Only for an action planned before that day: one planned two days ahead needs no "three days" note.
        elif (
            before_day <= today < action.due_on
            and action.started_on < before_day
            and not action.reminded_before
        ):
            kind = ReminderKind.before
        if kind is not None:
            due.append(
                DueReminder(
                    action_id=action.id,
                    kind=kind,
                    owner_id=action.owner_id,
                    text=action.text,
                    focus_label=action.focus_label,
                    team_title=survey.title,
                    due_on=action.due_on,
                )
            )
    return due


def claim_reminder(session: Session, *, action_id: int, kind: ReminderKind) -> bool:
    """Set the reminder's flag if no one has: True when this caller got it and is to send it."""
    flag = _flag(kind)
    claimed = session.exec(
        update(TeamAction)
        .where(TeamAction.id == action_id, flag.is_(False), TeamAction.status.in_(OPEN))
        .values({flag: True})
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def release_reminder(session: Session, *, action_id: int, kind: ReminderKind) -> None:
    """Give the claim back after Slack refused the DM."""
    flag = _flag(kind)
    session.exec(
        update(TeamAction)
        .where(TeamAction.id == action_id)
        .values({flag: False})
        .execution_options(synchronize_session=False)
    )


def _flag(kind: ReminderKind):
    return TeamAction.reminded_due if kind is ReminderKind.due else TeamAction.reminded_before
