"""Pulse runs: open a run for an audience, record anonymous answers, report who-has-answered counts."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pulsebot.services.anonymity import token
from pulsebot.services.errors import AlreadyOpen, Closed, Invalid, NotAllowed, NotFound
from pulsebot.services.schedules import local_day_of, personal_due_times
from pulsebot.services.sentiment import score_text
from pulsebot.services.surveys import active_questions, find_survey
from pulsebot.store.models import (
    Answer,
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    PulseRun,
    Question,
    QuestionKind,
    RunStatus,
    Survey,
)

COMMENT_MAX_CHARS = 2000
VALUE_RANGES = {QuestionKind.scale: range(1, 6), QuestionKind.enps: range(11), QuestionKind.yes_no: range(2)}


@dataclass(frozen=True)
class QuestionView:
    id: int
    kind: QuestionKind
    prompt: str
    options: tuple[str, ...]
    required: bool = False

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
    answered: int
    closed: bool
    delivery: DeliveryMode = DeliveryMode.channel


@dataclass(frozen=True)
class AnswerReceipt:
    replaced: bool
    question_prompt: str
    value_label: str
    closes_at: datetime
    timezone: str
    removed: bool = False  # an optional comment was taken back


def open_pulse_run(
    session: Session,
    *,
    survey_name: str,
    audience: list[str],
    now: datetime,
    zones: Mapping[str, str | None] | None = None,
    scheduled_for: datetime | None = None,
) -> RunView:
    """Open a run and write one delivery row per recipient, in the caller's transaction.

    A DM pulse's rows are an outbox: each is due at `now`, or, for a scheduled run of a
    per-person-local-time survey, at the scheduled time of day in its person's zone (`zones`, from
    Slack). The run then stays open `open_days` after the last person got it.
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
    run = PulseRun(
        survey_id=survey.id,
        run_date=run_date,
        opened_at=now,
        closes_at=last_due + timedelta(days=survey.open_days),
        scheduled_for=scheduled_for,
    )
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        # Two schedulers (say, around a change of leader) fired the same time: one run only.
        raise AlreadyOpen(f"The run of “{survey_name}” for that time is already open.") from None
    session.add_all(Delivery(run_id=run.id, user_id=user_id, due_at=due[user_id]) for user_id in people)
    session.flush()
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
    counts = session.exec(
        select(func.count(), func.count().filter(Delivery.answered)).where(Delivery.run_id == run_id)
    ).one()
    questions = tuple(
        QuestionView(
            id=question.id,
            kind=question.kind,
            prompt=question.prompt,
            options=tuple(question.options.splitlines()) if question.options else (),
            required=question.required,
        )
        for question in active_questions(session, survey_id=survey.id)
    )
    return RunView(
        run_id=run.id,
        survey_name=survey.name,
        title=survey.title,
        channel_id=survey.channel_id,
        closes_at=run.closes_at,
        timezone=survey.timezone,
        questions=questions,
        audience=counts[0],
        answered=counts[1],
        closed=run.status is RunStatus.closed,
        delivery=survey.delivery,
    )


def record_answer(
    session: Session, *, run_id: int, question_id: int, user_id: str, value: int, key: bytes, now: datetime
) -> AnswerReceipt:
    """Store one person's rated answer to one question of a run; answering again replaces it."""
    run, survey, question, delivery = _answerable(
        session, run_id=run_id, question_id=question_id, user_id=user_id, now=now
    )
    label, choice = _validate_value(question, value)
    answer = Answer(value=None if choice is not None else value, choice=choice)
    return _store(
        session,
        run=run,
        survey=survey,
        question=question,
        delivery=delivery,
        answer=answer,
        key=key,
        label=label,
    )


def record_comment(
    session: Session, *, run_id: int, question_id: int, user_id: str, comment: str, key: bytes, now: datetime
) -> AnswerReceipt:
    """Store a free-text answer, or the comment on a rated answer; sending again replaces it.

    A required text question refuses blank text. Anything optional (a comment on a rated question, a
    text question that is not required) is taken back when sent blank.
    """
    run, survey, question, delivery = _answerable(
        session, run_id=run_id, question_id=question_id, user_id=user_id, now=now
    )
    comment = comment.strip()
    if not comment:
        if question.required and question.kind is QuestionKind.text:
            raise Invalid("This question needs an answer; write a few words, or press Cancel.")
        if _remove_comment(session, run=run, question=question, delivery=delivery, key=key):
            return AnswerReceipt(
                replaced=True,
                question_prompt=question.prompt,
                value_label="your comment",
                closes_at=run.closes_at,
                timezone=survey.timezone,
                removed=True,
            )
        raise Invalid("The comment is empty, so nothing was recorded.")
    if len(comment) > COMMENT_MAX_CHARS:
        raise Invalid(
            f"Please keep it under {COMMENT_MAX_CHARS:,} characters (this one has {len(comment):,})."
        )
    answer = Answer(comment=comment, sentiment=score_text(comment).score)
    return _store(
        session,
        run=run,
        survey=survey,
        question=question,
        delivery=delivery,
        answer=answer,
        key=key,
        label="your comment",
    )


@dataclass(frozen=True)
class CommentForm:
    question: QuestionView
    earlier: str | None  # the person's own earlier comment, shown back to them alone


def comment_form(
    session: Session, *, run_id: int, question_id: int, user_id: str, key: bytes, now: datetime
) -> CommentForm:
    """What the comment modal needs; refuses up front (closed, not a member) so no one types in vain."""
    run, _survey, question, _delivery = _answerable(
        session, run_id=run_id, question_id=question_id, user_id=user_id, now=now
    )
    answer = session.get(Answer, (run_id, question_id, token(key, "answer", user_id, run.id)))
    view = QuestionView(
        id=question.id,
        kind=question.kind,
        prompt=question.prompt,
        options=tuple(question.options.splitlines()) if question.options else (),
        required=question.required,
    )
    return CommentForm(question=view, earlier=answer.comment if answer is not None else None)


def _remove_comment(
    session: Session, *, run: PulseRun, question: Question, delivery: Delivery, key: bytes
) -> bool:
    respondent = token(key, "answer", delivery.user_id, run.id)
    answer = session.get(Answer, (run.id, question.id, respondent))
    if answer is None or answer.comment is None:
        return False
    if answer.value is None and answer.choice is None:
        session.delete(answer)
    else:
        answer.comment = None
    session.flush()
    # Answered means "answered anything": taking back the only answer makes the person a non-responder.
    delivery.answered = (
        session.exec(
            select(func.count())
            .select_from(Answer)
            .where(Answer.run_id == run.id, Answer.respondent == respondent)
        ).one()
        > 0
    )
    session.flush()
    return True


def _answerable(
    session: Session, *, run_id: int, question_id: int, user_id: str, now: datetime
) -> tuple[PulseRun, Survey, Question, Delivery]:
    """Check that this person may answer this question of this run now, or refuse with the reason."""
    run = session.get(PulseRun, run_id)
    if run is None:
        raise NotFound("This pulse no longer exists, so your answer was not recorded.")
    survey = session.get(Survey, run.survey_id)
    if run.status is RunStatus.closed or now >= run.closes_at:
        closed_on = run.closed_at or run.closes_at
        raise Closed(
            f"This pulse closed on {_local_day(closed_on, survey.timezone)}; answers are no longer taken."
        )
    question = session.get(Question, question_id)
    if question is None or question.survey_id != run.survey_id:
        raise NotFound("That question is not part of this pulse, so nothing was recorded.")
    delivery = session.exec(
        select(Delivery).where(Delivery.run_id == run_id, Delivery.user_id == user_id)
    ).first()
    if delivery is None:
        raise NotAllowed(
            f"This pulse is for the members of <#{survey.channel_id}>, so your answer was not recorded."
        )
    return run, survey, question, delivery


def _store(
    session: Session,
    *,
    run: PulseRun,
    survey: Survey,
    question: Question,
    delivery: Delivery,
    answer: Answer,
    key: bytes,
    label: str,
) -> AnswerReceipt:
    answer.run_id, answer.question_id, answer.run_date = run.id, question.id, run.run_date
    answer.respondent = token(key, "answer", delivery.user_id, run.id)
    replaced = _upsert_answer(session, answer)
    delivery.answered = True
    session.flush()
    return AnswerReceipt(
        replaced=replaced,
        question_prompt=question.prompt,
        value_label=label,
        closes_at=run.closes_at,
        timezone=survey.timezone,
    )


def _validate_value(question: Question, value: int) -> tuple[str, str | None]:
    """Return the label to echo back and, for a choice, the option text to store."""
    if question.kind is QuestionKind.choice:
        options = question.options.splitlines() if question.options else []
        if 0 <= value < len(options):
            return options[value], options[value]
    elif question.kind in VALUE_RANGES and value in VALUE_RANGES[question.kind]:
        if question.kind is QuestionKind.yes_no:
            return ("yes" if value else "no"), None
        return str(value), None
    raise Invalid("That answer is not one of the choices, so nothing was recorded.")


def _upsert_answer(session: Session, answer: Answer) -> bool:
    """Insert, or replace the person's earlier answer; safe against a concurrent double click."""
    for _attempt in range(2):
        existing = session.get(Answer, (answer.run_id, answer.question_id, answer.respondent))
        if existing is not None:
            # A rating and its comment arrive separately; each replaces only its own part.
            if answer.comment is not None:
                existing.comment, existing.sentiment = answer.comment, answer.sentiment
            else:
                existing.value, existing.choice = answer.value, answer.choice
            return True
        try:
            with session.begin_nested():
                session.add(answer)
            return False
        except IntegrityError:
            continue  # the same person's other click inserted first (the rollback dropped ours): update it
    raise RuntimeError("answer row neither insertable nor found")


def _local_day(moment: datetime, timezone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%A %-d %B")


def closing_phrase(receipt: AnswerReceipt) -> str:
    return _local_day(receipt.closes_at, receipt.timezone)
