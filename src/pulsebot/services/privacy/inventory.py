"""What pulsebot keeps that is tied to one person, for their own eyes (the dashboard's Me page): the same
things forget-me removes (services/privacy/forgetting.py), counted with the same look-ups, and their HR
attributes as they are held. Their answers and comments are not here: they are stored under one-way
tokens and are not linked to anyone, so they cannot be listed for anyone either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.digest.managers import surveys_managed_by
from pulsebot.services.idea import idea_authors
from pulsebot.services.people.languages import chosen_language, slack_locale
from pulsebot.services.privacy.forgetting import votes_of
from pulsebot.store.models import (
    Conversation,
    Delivery,
    ExitSurvey,
    Idea,
    ManagerNotice,
    OnboardingPulse,
    Person,
    PulseRun,
    RunMember,
    Vote,
    WebSession,
)


@dataclass(frozen=True)
class Attributes:
    department: str | None
    division: str | None
    site: str | None
    region: str | None
    start_date: date | None
    end_date: date | None
    level: str | None
    manager_id: str | None
    source: str  # "csv": HR's export; "profile": their Slack profile's fields


@dataclass(frozen=True)
class Kept:
    pulses_sent: int  # the records of the pulses sent to them (who was asked, whether they answered)
    votes: int
    signed_ideas: int
    anonymous_ideas: int  # linked to them only through a token pulsebot's key recomputes
    notices: int  # digests and drop alerts noted as sent to them
    conversations: int  # anonymous-reply conversations held as the manager
    run_cells: int  # runs still open to answers that note which cell of their audience they are in
    sessions: int  # their dashboard sessions, this one included
    onboarding_pulses: int  # onboarding pulses owed or sent to them (never whether or what they answered)
    exit_surveys: int  # exit surveys sent to them: not anonymous, kept with their answers
    teams_managed: tuple[str, ...]  # the surveys naming them as a manager (surveys are edited by admins)
    attributes: Attributes | None
    language: str | None = None  # the language they chose for their pulses (`/pulse language`)
    slack_locale: str | None = None  # their Slack language, kept with the workspace's directory


def what_is_kept(session: Session, *, user_id: str, key: bytes) -> Kept:
    signed = session.exec(select(func.count()).select_from(Idea).where(Idea.author_id == user_id)).one()
    person = session.exec(select(Person).where(Person.user_id == user_id)).first()  # the workspace's
    return Kept(
        pulses_sent=_count(session, Delivery, Delivery.user_id == user_id),
        votes=sum(_count(session, Vote, where) for where in votes_of(session, user_id=user_id, key=key)),
        signed_ideas=signed,
        anonymous_ideas=len(
            idea_authors.ideas_of(session, Idea.author_id.is_(None), user_id=user_id, key=key)
        ),
        notices=_count(session, ManagerNotice, ManagerNotice.user_id == user_id),
        conversations=_count(session, Conversation, Conversation.manager_user_id == user_id),
        run_cells=session.exec(  # the scoped session joins only this workspace's runs
            select(func.count())
            .select_from(RunMember)
            .join(PulseRun, PulseRun.id == RunMember.run_id)
            .where(RunMember.user_id == user_id)
        ).one(),
        sessions=_count(session, WebSession, WebSession.user_id == user_id),
        onboarding_pulses=_count(session, OnboardingPulse, OnboardingPulse.user_id == user_id),
        exit_surveys=_count(session, ExitSurvey, ExitSurvey.user_id == user_id),
        teams_managed=tuple(surveys_managed_by(session, user_id=user_id)),
        language=chosen_language(session, user_id=user_id),
        slack_locale=slack_locale(session, user_id=user_id),
        attributes=None
        if person is None
        else Attributes(
            department=person.department,
            division=person.division,
            site=person.site,
            region=person.region,
            start_date=person.start_date,
            end_date=person.end_date,
            level=person.level,
            manager_id=person.manager_id,
            source=person.source,
        ),
    )


def _count(session: Session, table, where) -> int:
    return session.exec(select(func.count()).select_from(table).where(where)).one()
