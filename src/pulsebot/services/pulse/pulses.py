"""Pulse runs: open a run for an audience and describe it (answers: services/pulse/answers.py)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.i18n import TRANSLATED
from pulsebot.services.errors import AlreadyOpen, Invalid, NotFound
from pulsebot.services.people.workspace_people import zones_of
from pulsebot.services.pulse.answer_keys import add_run_secret
from pulsebot.services.pulse.asking import ANY_TIME, AskingRules, calendars, plan_sends
from pulsebot.services.segments.cells import snapshot_cells
from pulsebot.services.survey.audience import run_minimum
from pulsebot.services.survey.library import engagement_library
from pulsebot.services.survey.run_questions import choose_for_new_run, questions_of_run, record
from pulsebot.services.survey.schedules import local_day_of, personal_due_times
from pulsebot.services.survey.surveys import find_survey
from pulsebot.store.db import add_once
from pulsebot.store.models import (
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    PulseRun,
    Question,
    QuestionKind,
    RunStatus,
    Survey,
)


@dataclass(frozen=True)
class QuestionView:
    id: int
    kind: QuestionKind
    prompt: str
    options: tuple[str, ...]
    required: bool = False
    not_applicable: bool = False  # offers "N/A" beside its values
    # A library item's reviewed, up-to-date translations, as (language, prompt); a survey's own
    # questions are asked as written.
    prompts: tuple[tuple[str, str], ...] = ()

    def prompt_in(self, language: str) -> str:
        return dict(self.prompts).get(language, self.prompt)

    @property
    def rated(self) -> bool:
        """Answered with a click (and an optional comment), rather than in words."""
        return self.kind is not QuestionKind.text


@dataclass(frozen=True)
class RunView:
    """What a pulse message shows: enough to render it, nothing about who answered what."""

    run_id: int
    survey_name: str
    title: str
    channel_id: str
    closes_at: datetime
    timezone: str
    questions: tuple[QuestionView, ...]
    audience: int
    closed: bool
    delivery: DeliveryMode = DeliveryMode.channel
    language: str | None = None  # the survey's: its channel post is written in it


def question_view(question: Question) -> QuestionView:
    """A question as a pulse shows it, with the library's translations of an item that has them for the
    wording asked (`version`); an outdated or unreviewed translation is left out, so English is asked."""
    prompts: tuple[tuple[str, str], ...] = ()
    if question.from_library:
        item = engagement_library().item(question.key)
        if item is not None and item.version == question.version:
            prompts = tuple(
                (language, item.text_in(language, version=question.version))
                for language in TRANSLATED
                if item.text_in(language, version=question.version) != item.text
            )
    return QuestionView(
        id=question.id,
        kind=question.kind,
        prompt=question.prompt,
        options=tuple(question.options.splitlines()) if question.options else (),
        required=question.required,
        not_applicable=question.not_applicable,
        prompts=prompts,
    )


def open_pulse_run(
    session: Session,
    *,
    survey_name: str,
    audience: list[str],
    now: datetime,
    min_group: int,
    managers_asked: int = 0,
    zones: Mapping[str, str | None] | None = None,
    scheduled_for: datetime | None = None,
    rules: AskingRules = ANY_TIME,
) -> RunView:
    """Open a run and write one delivery row per recipient, in the caller's transaction.

    A DM pulse's rows are an outbox: each is due at `now`, or, for a scheduled run of a
    per-person-local-time survey, at the scheduled time of day in its person's zone (`zones`, from
    Slack). The run then stays open `open_days` after the last person got it. Each DM then waits for its
    person's working hours and room under the weekly limit (`rules`, services/pulse/asking.py); someone
    it could not reach before the run closes is not sent it and is left out of the audience.

    `managers_asked`: how many of the audience can see the team's results (services/survey/audience.py),
    kept on the run: its minimum follows from it and the minimum group, and neither a later change of
    managers or admins nor forgetting one of them may lower it. The audience's cells are fixed here too,
    before any answer exists, each holding at least that minimum (services/segments/cells.py).
    """
    survey = find_survey(session, name=survey_name)
    people = sorted(set(audience))
    if not people:
        raise Invalid(f"No one to ask: <#{survey.channel_id}> has no members who can answer.")
    run_date = now.astimezone(zoneinfo.ZoneInfo(survey.timezone)).date()
    due: dict[str, datetime | None] = dict.fromkeys(people)
    if survey.delivery is DeliveryMode.dm:
        due = dict.fromkeys(people, now)
        if survey.per_person_local_time and scheduled_for is not None:
            zones = zones or {}
            due = personal_due_times(
                scheduled_for=scheduled_for,
                zones={user_id: zones.get(user_id) for user_id in people},
                fallback_zone=survey.timezone,
                now=now,
            )
            run_date = local_day_of(scheduled_for).date()
    last_due = max((moment for moment in due.values() if moment is not None), default=now)
    closes_at = last_due + timedelta(days=survey.open_days)
    held = 0
    if survey.delivery is DeliveryMode.dm:
        plan = plan_sends(
            session,
            due=due,
            closes_at=closes_at,
            calendars=calendars(
                session,
                people=people,
                zones={**zones_of(session, people=people), **{k: v for k, v in (zones or {}).items() if v}},
                fallback_zone=survey.timezone,
                rules=rules,
            ),
            per_week=rules.per_week,
        )
        people, due, held = sorted(plan.due), plan.due, plan.held
        if not people:
            raise Invalid(
                f"No one to ask: nobody in <#{survey.channel_id}> can be sent it in working hours, within "
                "the weekly limit, before it would close."
            )
    questions = choose_for_new_run(session, survey=survey, run_date=run_date)
    run = PulseRun(
        survey_id=survey.id,
        run_date=run_date,
        opened_at=now,
        closes_at=closes_at,
        scheduled_for=scheduled_for,
        managers_asked=managers_asked,
        held=held,
    )
    if not add_once(session, run):
        # Two schedulers (say, around a change of leader) fired the same time: one run only.
        raise AlreadyOpen(f"The run of “{survey_name}” for that time is already open.")
    add_run_secret(session, run_id=run.id)
    record(session, run_id=run.id, questions=questions)
    session.add_all(Delivery(run_id=run.id, user_id=user_id, due_at=due[user_id]) for user_id in people)
    session.flush()
    snapshot_cells(
        session,
        run_id=run.id,
        team_id=survey.team_id,
        audience=people,
        minimum=run_minimum(min_group, managers_asked),
        on=run_date,
    )
    return run_view(session, run_id=run.id)


def mark_run_posted(session: Session, *, run_id: int, channel_id: str, message_ts: str) -> None:
    """The run's message is in the channel: every member's delivery is done by that one message."""
    run = session.get(PulseRun, run_id)
    run.channel_id, run.message_ts, run.claimed_until = channel_id, message_ts, None
    for delivery in session.exec(select(Delivery).where(Delivery.run_id == run_id)).all():
        delivery.status, delivery.error = DeliveryStatus.sent, None
        delivery.channel_id, delivery.message_ts = channel_id, message_ts
    session.flush()


def run_message(session: Session, *, run_id: int) -> tuple[str, str] | None:
    """Where a channel pulse was posted, or None for a pulse sent by DM."""
    run = session.get(PulseRun, run_id)
    if run is None or run.message_ts is None:
        return None
    return run.channel_id, run.message_ts


def run_view(session: Session, *, run_id: int) -> RunView:
    run = session.get(PulseRun, run_id)
    if run is None:
        raise NotFound("This pulse no longer exists.")
    survey = session.get(Survey, run.survey_id)
    audience = session.exec(select(func.count()).where(Delivery.run_id == run_id)).one()
    questions = tuple(question_view(question) for question in questions_of_run(session, run=run))
    return RunView(
        run_id=run.id,
        survey_name=survey.name,
        title=survey.title,
        channel_id=survey.channel_id,
        closes_at=run.closes_at,
        timezone=survey.timezone,
        questions=questions,
        audience=audience,
        closed=run.status is RunStatus.closed,
        delivery=survey.delivery,
        language=survey.language,
    )
