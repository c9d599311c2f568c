"""The weekly totals retention keeps when it removes a week's answers, and how the analytics read them.

A kept week holds the same additive totals the analytics count from the answers (people asked and
answering, per rated question the count, sum and answers per value, the comments' count and sentiment
totals), made under the same rules (week_totals.py: closed runs that reach the minimum on their own,
questions that reach it within them), so every report, export, digest trend and App Home figure of that
week comes out as before; the threshold rules apply to them again when they are read. Only weeks at or
above PULSEBOT_MIN_GROUP are kept; a rated question answered by fewer is kept without figures, so it
stays hidden.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pulsebot.store.models import KeptQuestion, KeptWeek, PulseRun
from pulsebot.store.weeks import iso_week_start

# (question_id, answers, sum, answers per value 0..10), as in the analytics' raw totals.
QuestionTotals = tuple[int, int, int, tuple[int, ...]]
CommentTotals = tuple[int, int, float, int, int]  # count, with a sentiment, sentiment sum, negative, positive
_NO_COUNTS = (0,) * 11


def keep_week(
    session: Session,
    *,
    survey_id: int,
    week: date,
    people: tuple[int, int],
    questions: list[QuestionTotals],
    comments: CommentTotals | None,
    min_group: int,
    now: datetime,
) -> bool:
    """Keep a team-week's totals if at least `min_group` answered and it is not kept yet; True if kept now."""
    audience, respondents = people
    if respondents < min_group:
        return False
    count, rated, total, negative, positive = comments or (0, 0, 0.0, 0, 0)
    try:
        with session.begin_nested():  # another replica may have kept the same week a moment ago
            session.add(
                KeptWeek(
                    survey_id=survey_id,
                    week=week,
                    audience=audience,
                    respondents=respondents,
                    comments=count,
                    rated_comments=rated,
                    sentiment_total=total,
                    negative_comments=negative,
                    positive_comments=positive,
                    kept_at=now,
                )
            )
            session.flush()
            for question_id, answers, answers_total, counts in questions:
                shown = answers >= min_group
                session.add(
                    KeptQuestion(
                        survey_id=survey_id,
                        week=week,
                        question_id=question_id,
                        answers=answers if shown else None,
                        total=answers_total if shown else None,
                        counts=list(counts) if shown else None,
                    )
                )
            session.flush()
    except IntegrityError:
        return False
    return True


def kept_weeks(session: Session, *, survey_id: int) -> set[date]:
    return set(session.exec(select(KeptWeek.week).where(KeptWeek.survey_id == survey_id)).all())


def overlay(totals, session: Session, *, first: date, last: date, survey_ids: list[int] | None) -> None:
    """Put the kept totals of the window's weeks into the analytics' week totals (week_totals.WeekTotals),
    in place of whatever answers are left of them, and mark purged weeks that were not kept as hidden."""
    weeks = select(KeptWeek).where(KeptWeek.week >= first, KeptWeek.week <= last)
    questions = select(KeptQuestion).where(KeptQuestion.week >= first, KeptQuestion.week <= last)
    purged = (
        select(PulseRun.survey_id, iso_week_start(PulseRun.run_date))
        .where(PulseRun.purged_at.is_not(None), PulseRun.run_date >= first, PulseRun.run_date <= last)
        .distinct()
    )
    if survey_ids is not None:
        weeks = weeks.where(KeptWeek.survey_id.in_(survey_ids))
        questions = questions.where(KeptQuestion.survey_id.in_(survey_ids))
        purged = purged.where(PulseRun.survey_id.in_(survey_ids))
    kept_questions: dict[tuple[int, date], list[QuestionTotals]] = {}
    for question in session.exec(questions).all():
        counts = tuple(question.counts) if question.counts is not None else _NO_COUNTS
        kept_questions.setdefault((question.survey_id, question.week), []).append(
            (question.question_id, question.answers or 0, question.total or 0, counts)
        )
    kept = set()
    for week in session.exec(weeks).all():
        key = (week.survey_id, week.week)
        kept.add(key)
        totals.use_kept(
            key,
            people=(week.audience, week.respondents),
            values=kept_questions.get(key, []),
            comments=(
                week.comments,
                week.rated_comments,
                week.sentiment_total,
                week.negative_comments,
                week.positive_comments,
            ),
        )
    for survey_id, week in session.exec(purged).all():
        if (survey_id, week) not in kept:  # too few answered it: nothing was kept, and it stays hidden
            totals.hide((survey_id, week))
