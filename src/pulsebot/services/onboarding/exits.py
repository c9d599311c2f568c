"""Exit surveys: a few questions for someone on their last day, confidential to HR and NOT anonymous.

The message says so itself. The answers are kept with the person's Slack id (`exit_survey`), are read by
admins only (`pulsebot exit report`), feed no figure, digest, segment or export (nothing else reads
these tables), and go when the person is forgotten or after PULSEBOT_RETENTION_DAYS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from pulsebot.services.errors import Invalid, NotAllowed, NotFound
from pulsebot.services.onboarding.questions import exit_questions, find
from pulsebot.store.models import ExitAnswer, ExitSurvey, Person
from pulsebot.store.upsert import upsert

NOT_ANONYMOUS = (
    "Confidential to HR, not anonymous: your answers are kept with your name and read only by "
    "pulsebot's admins. They are never part of any team's or the organisation's figures."
)


# A last day missed while pulsebot was stopped is still asked about this many days on.
LATE_DAYS = 3
# An exit survey an admin sent this many days before someone's last day counts as theirs: not sent twice.
SENT_EARLY_DAYS = 30


@dataclass(frozen=True)
class ExitStarted:
    id: int
    user_id: str


def start_exit(session: Session, *, user_id: str, now: datetime) -> ExitStarted:
    row = ExitSurvey(user_id=user_id, sent_at=now)
    session.add(row)
    session.flush()
    return ExitStarted(row.id, user_id)


def due_exits(session: Session, *, today: date) -> list[str]:
    """Those whose last day (from HR's export) is today, or was in the last few days, and who were not
    sent an exit survey for it yet."""
    leaving = session.exec(
        select(Person.user_id, Person.end_date).where(
            Person.end_date <= today, Person.end_date > today - timedelta(days=LATE_DAYS)
        )
    ).all()
    due = []
    for user_id, last_day in leaving:
        since = datetime.combine(last_day - timedelta(days=SENT_EARLY_DAYS), time(), tzinfo=UTC)
        sent = select(ExitSurvey.id).where(ExitSurvey.user_id == user_id, ExitSurvey.sent_at >= since)
        if session.exec(sent).first() is None:
            due.append(user_id)
    return sorted(due)


def mark_posted(session: Session, *, exit_id: int, channel_id: str, message_ts: str) -> None:
    row = session.get(ExitSurvey, exit_id)
    row.channel_id, row.message_ts = channel_id, message_ts
    session.add(row)


def record_exit_answer(
    session: Session, *, exit_id: int, user_id: str, question_key: str, value: str, now: datetime
) -> str:
    """Store (or replace) one answer of the person's own exit survey; the answer as shown back."""
    question = find(exit_questions(), question_key)
    answer = question.takes(value) if question is not None else None
    if answer is None:
        raise Invalid("That button is not one pulsebot recognises, so nothing was recorded.")
    survey = session.get(ExitSurvey, exit_id)
    if survey is None:
        raise NotFound("This exit survey is no longer kept, so answers are no longer taken.")
    if survey.user_id != user_id:
        raise NotAllowed("This exit survey was sent to someone else, so it takes only their answers.")
    numeric = isinstance(answer, int)
    row = {
        "exit_id": exit_id,
        "question_key": question.key,
        "value": answer if numeric else None,
        "choice": None if numeric else answer,
        "answered_at": now,
    }
    upsert(
        session,
        ExitAnswer.__table__,
        [row],
        key=("exit_id", "question_key"),
        update=("value", "choice", "answered_at"),
    )
    return str(answer)


@dataclass(frozen=True)
class ExitReport:
    user_id: str
    sent_at: datetime
    answers: dict[str, str]  # question key → the answer as given


def exit_report(session: Session) -> list[ExitReport]:
    surveys = session.exec(select(ExitSurvey).order_by(ExitSurvey.sent_at, ExitSurvey.id)).all()
    answers: dict[int, dict[str, str]] = {}
    if surveys:
        rows = session.exec(select(ExitAnswer).where(ExitAnswer.exit_id.in_([s.id for s in surveys]))).all()
        for row in rows:
            answers.setdefault(row.exit_id, {})[row.question_key] = (
                row.choice if row.value is None else str(row.value)
            )
    return [ExitReport(s.user_id, s.sent_at, answers.get(s.id, {})) for s in surveys]


def forget_exits(session: Session, *, user_id: str) -> int:
    ids = list(session.exec(select(ExitSurvey.id).where(ExitSurvey.user_id == user_id)).all())
    return _remove(session, ids)


def forget_exit(session: Session, *, exit_id: int) -> None:
    """An exit survey Slack refused to deliver: no record that it was ever meant."""
    _remove(session, [exit_id])


def remove_exits_before(session: Session, *, before: datetime) -> int:
    """Retention: exit surveys sent before `before`, with their answers."""
    ids = list(session.exec(select(ExitSurvey.id).where(ExitSurvey.sent_at < before)).all())
    return _remove(session, ids)


def _remove(session: Session, ids: list[int]) -> int:
    if not ids:
        return 0
    session.exec(delete(ExitAnswer).where(ExitAnswer.exit_id.in_(ids)))
    session.exec(delete(ExitSurvey).where(ExitSurvey.id.in_(ids)))
    return len(ids)
