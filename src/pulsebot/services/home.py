"""What a person's App Home shows them: their open pulses and their own ideas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from pulsebot.services.anonymity import token
from pulsebot.services.ideas import IdeaView, idea_view
from pulsebot.store.models import Delivery, DeliveryStatus, Idea, PulseRun, RunStatus, Survey


@dataclass(frozen=True)
class OpenPulse:
    title: str
    closes_at: datetime
    answered: bool


@dataclass(frozen=True)
class HomeSummary:
    open_pulses: tuple[OpenPulse, ...]
    my_ideas: tuple[IdeaView, ...]


def home_summary(session: Session, *, user_id: str, key: bytes, now: datetime) -> HomeSummary:
    rows = session.exec(
        select(Survey.title, PulseRun.closes_at, Delivery.answered)
        .join(PulseRun, PulseRun.id == Delivery.run_id)
        .join(Survey, Survey.id == PulseRun.survey_id)
        .where(Delivery.user_id == user_id, PulseRun.status == RunStatus.open, PulseRun.closes_at > now)
        .where(
            Delivery.status == DeliveryStatus.sent
        )  # a pulse due later at their local time is not theirs yet
        .order_by(PulseRun.closes_at)
    ).all()
    # Found by token, so anonymous ideas show up for their author too.
    idea_ids = session.exec(
        select(Idea.id)
        .where(Idea.author_token == token(key, "idea-author", user_id))
        .order_by(Idea.created_at.desc())
        .limit(10)
    ).all()
    return HomeSummary(
        open_pulses=tuple(
            OpenPulse(title=title, closes_at=closes, answered=answered) for title, closes, answered in rows
        ),
        my_ideas=tuple(idea_view(session, idea_id=idea_id) for idea_id in idea_ids),
    )
