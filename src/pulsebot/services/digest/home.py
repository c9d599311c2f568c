"""What a person's App Home shows them: their open pulses and whether they paused them, their own ideas,
and "You said, we did" (what their teams did in answer, and the ideas shipped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from pulsebot.services.idea.idea_lists import my_ideas, recently_shipped
from pulsebot.services.idea.ideas import IdeaView
from pulsebot.services.loop.you_said import DoneItem, home_items
from pulsebot.services.pulse.answers import has_answered
from pulsebot.services.survey.snooze import snoozed_through
from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun, RunStatus, Survey

HOME_IDEAS = 10


@dataclass(frozen=True)
class OpenPulse:
    title: str
    closes_at: datetime
    timezone: str  # the survey's, for clients that cannot show the time in the reader's own
    answered: bool


@dataclass(frozen=True)
class HomeSummary:
    open_pulses: tuple[OpenPulse, ...]
    my_ideas: tuple[IdeaView, ...]
    recently_shipped: tuple[IdeaView, ...] = ()
    team_actions_done: tuple[DoneItem, ...] = ()  # shared actions of the person's teams, done lately
    paused_through: date | None = None  # the last day of the person's own pause of their pulses


def home_summary(session: Session, *, user_id: str, key: bytes, now: datetime) -> HomeSummary:
    rows = session.exec(
        select(Survey.title, PulseRun.closes_at, Survey.timezone, PulseRun.id)
        .select_from(Delivery)
        .join(PulseRun, PulseRun.id == Delivery.run_id)
        .join(Survey, Survey.id == PulseRun.survey_id)
        # A pulse due later at the person's local time is not theirs yet, so only sent deliveries count.
        .where(Delivery.user_id == user_id, Delivery.status == DeliveryStatus.sent)
        .where(PulseRun.status == RunStatus.open, PulseRun.closes_at > now)
        .order_by(PulseRun.closes_at)
    ).all()
    return HomeSummary(
        open_pulses=tuple(
            OpenPulse(
                title=title,
                closes_at=closes,
                timezone=zone,
                answered=has_answered(session, run_id=run_id, user_id=user_id, key=key),
            )
            for title, closes, zone, run_id in rows
        ),
        my_ideas=my_ideas(session, user_id=user_id, key=key, limit=HOME_IDEAS).ideas,
        recently_shipped=recently_shipped(session),
        team_actions_done=tuple(
            item for item in home_items(session, user_id=user_id, now=now) if item.idea_id is None
        ),
        paused_through=snoozed_through(session, user_id=user_id, today=now.astimezone(UTC).date()),
    )
