"""Steps the onboarding and exit tests share: new joiners imported with their start dates, the hourly
onboarding job run as if on a given day, and a joiner's clicks on their DM's buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from pulsebot.services.onboarding.questions import onboarding_questions
from pulsebot.services.people.attributes import Attributes
from pulsebot.services.people.people import import_people
from pulsebot.services.people.people_file import Imported
from pulsebot.store.db import transaction
from pulsebot.store.models import OnboardingPulse
from tests.conftest import PINNED_NOW
from tests.loop.steps import run_job

TODAY = PINNED_NOW.date()  # 2027-06-16, in the second quarter
# Started between 12 and 17 May 2027: each one's day-30 pulse falls due between 11 and 16 June, so all are
# open today; their cohort, 2027-Q2, closes once its last day-90 pulse is over.
COHORT = "2027-Q2"
CLOSES_ON = date(2027, 6, 30) + timedelta(days=97)


def joiners(count: int, prefix: str = "J") -> dict[str, date]:
    return {f"U0{prefix}{index:03d}": date(2027, 5, 17) - timedelta(days=index % 6) for index in range(count)}


def import_joiners(sessions, people: dict[str, date], *, also: dict[str, date] | None = None) -> None:
    """The people import (the whole export: `also` are people already imported, kept)."""
    listed = {**(also or {}), **people}
    with transaction(sessions) as session:
        import_people(
            session,
            people=[Imported(user_id, Attributes(start_date=start)) for user_id, start in listed.items()],
            now=datetime.now(UTC),
        )


def onboarding_job(client, sessions, settings, *, on: date, onboarding: bool = True) -> None:
    """The hourly job as if on `on`, with PULSEBOT_ONBOARDING on (or off)."""
    at = datetime.combine(on, time(9, 0), tzinfo=UTC)
    settings = settings.model_copy(update={"onboarding": onboarding})
    run_job("send_onboarding_pulses", at=at, client=client, sessions=sessions, settings=settings)


def pulse_of(sessions, user_id: str, milestone: int = 30) -> int:
    with sessions() as session:
        return session.exec(
            select(OnboardingPulse.id).where(
                OnboardingPulse.user_id == user_id, OnboardingPulse.milestone == milestone
            )
        ).one()


def answer_all(slack, sessions, user_id: str, value: int, *, milestone: int = 30) -> None:
    pulse_id = pulse_of(sessions, user_id, milestone)
    for question in onboarding_questions():
        reply = slack.click(
            action_id=f"onboarding_answer_{question.key}_{value - 1}",
            value=f"{pulse_id}:{question.key}:{value}",
            user=user_id,
            channel="D" + user_id[1:],
        )
        assert reply.status == 200
