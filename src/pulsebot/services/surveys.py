"""Surveys and their questions: create or update from a spec, idempotent by survey name."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from pulsebot.services.errors import NotFound
from pulsebot.services.managers import set_managers
from pulsebot.services.survey_file import QuestionSpec, SurveySpec
from pulsebot.store.models import Question, Survey


class ApplyOutcome(enum.StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


@dataclass(frozen=True)
class SurveySummary:
    name: str
    title: str
    channel_id: str
    delivery: str
    schedule: str | None
    timezone: str
    paused: bool
    questions: int


def apply_survey(session: Session, *, spec: SurveySpec, now: datetime) -> ApplyOutcome:
    survey = session.exec(select(Survey).where(Survey.name == spec.name)).first()
    outcome = ApplyOutcome.unchanged
    if survey is None:
        survey = Survey(name=spec.name, title="", channel_id="", created_at=now, updated_at=now)
        outcome = ApplyOutcome.created
    settings = {
        "title": spec.display_title,
        "channel_id": spec.channel,
        "delivery": spec.delivery,
        "schedule": spec.schedule,
        "timezone": spec.timezone,
        "open_days": spec.open_days,
    }
    for field, value in settings.items():
        if getattr(survey, field) != value:
            setattr(survey, field, value)
            outcome = outcome if outcome is ApplyOutcome.created else ApplyOutcome.updated
    session.add(survey)
    session.flush()
    if (
        _apply_questions(session, survey_id=survey.id, specs=spec.questions)
        and outcome is ApplyOutcome.unchanged
    ):
        outcome = ApplyOutcome.updated
    if (
        set_managers(session, survey_id=survey.id, user_ids=spec.managers)
        and outcome is ApplyOutcome.unchanged
    ):
        outcome = ApplyOutcome.updated
    if outcome is not ApplyOutcome.unchanged:
        survey.updated_at = now
    return outcome


def _apply_questions(session: Session, *, survey_id: int, specs: list[QuestionSpec]) -> bool:
    """Bring the active questions in line with the spec. A changed wording or kind retires the old
    version and adds a new one, so answers to two wordings are never counted as one question."""
    existing = session.exec(select(Question).where(Question.survey_id == survey_id)).all()
    latest: dict[str, Question] = {}
    for question in existing:
        if question.key not in latest or question.version > latest[question.key].version:
            latest[question.key] = question
    changed = False
    wanted = {spec.key for spec in specs}
    for question in latest.values():
        if question.key not in wanted and question.active:
            question.active = False
            changed = True
    for position, spec in enumerate(specs):
        options = "\n".join(spec.options) if spec.options else None
        current = latest.get(spec.key)
        same_wording = (
            current is not None
            and current.kind == spec.kind
            and current.prompt == spec.prompt
            and current.options == options
        )
        if same_wording:
            if (current.position, current.required, current.active) != (position, spec.required, True):
                current.position, current.required, current.active = position, spec.required, True
                changed = True
            continue
        if current is not None:
            current.active = False
        session.add(
            Question(
                survey_id=survey_id,
                key=spec.key,
                version=current.version + 1 if current else 1,
                position=position,
                kind=spec.kind,
                prompt=spec.prompt,
                options=options,
                required=spec.required,
            )
        )
        changed = True
    session.flush()
    return changed


def find_survey(session: Session, *, name: str) -> Survey:
    survey = session.exec(select(Survey).where(Survey.name == name)).first()
    if survey is None:
        raise NotFound(f"There is no survey called “{name}”.")
    return survey


def active_questions(session: Session, *, survey_id: int) -> list[Question]:
    query = (
        select(Question).where(Question.survey_id == survey_id, Question.active).order_by(Question.position)
    )
    return list(session.exec(query).all())


def list_surveys(session: Session) -> list[SurveySummary]:
    summaries = []
    for survey in session.exec(select(Survey).order_by(Survey.name)).all():
        summaries.append(
            SurveySummary(
                name=survey.name,
                title=survey.title,
                channel_id=survey.channel_id,
                delivery=survey.delivery.value,
                schedule=survey.schedule,
                timezone=survey.timezone,
                paused=survey.paused,
                questions=len(active_questions(session, survey_id=survey.id)),
            )
        )
    return summaries
