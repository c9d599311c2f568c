"""A closed cohort of new joiners released once (`release_closed_cohorts`), and read back for the admins
(`released_cohorts`): the figures are counted when the cohort's last pulse is over, stored, and never
counted again; every view reads the stored rows.

For each milestone: how many answered, only when at least the minimum group did (otherwise not even
that); each question's mean, only when at least the minimum group gave it and the rule for
distributions (services/privacy/distributions.py) lets its answers be shown. The answers, the cohort's
secret and its pulses are deleted in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from pulsebot.services.onboarding.onboarding import MILESTONES
from pulsebot.services.onboarding.questions import SCALE, onboarding_questions
from pulsebot.services.privacy.distributions import shown_counts
from pulsebot.store.db import write_lock
from pulsebot.store.models import OnboardingAnswer, OnboardingCohort, OnboardingFigure, OnboardingPulse

RESPONDENTS = "respondents"  # the figure of how many answered a milestone
FEW = "few"  # why a figure is hidden: fewer than the minimum group gave it
ALIKE = "alike"  # or its answers were so alike that each of them would tell the others' answers


def release_closed_cohorts(session: Session, *, today: date, now: datetime, min_group: int) -> list[str]:
    """Release each cohort whose last pulse is over: its figures stored once, under the minimum group;
    its answers, secret and pulses deleted. The cohorts released."""
    write_lock(session)
    due = session.exec(
        select(OnboardingCohort)
        .where(OnboardingCohort.released_at.is_(None), OnboardingCohort.closes_on <= today)
        .order_by(OnboardingCohort.id)
        .with_for_update(skip_locked=True)
    ).all()
    for cohort in due:
        answered = session.exec(
            select(OnboardingAnswer.milestone, func.count(func.distinct(OnboardingAnswer.respondent)))
            .where(OnboardingAnswer.cohort_id == cohort.id)
            .group_by(OnboardingAnswer.milestone)
        ).all()
        counts: dict[tuple[int, str], list[int]] = {}
        for milestone, question, value, count in session.exec(
            select(
                OnboardingAnswer.milestone,
                OnboardingAnswer.question_key,
                OnboardingAnswer.value,
                func.count(),
            )
            .where(OnboardingAnswer.cohort_id == cohort.id)
            .group_by(OnboardingAnswer.milestone, OnboardingAnswer.question_key, OnboardingAnswer.value)
        ).all():
            counts.setdefault((milestone, question), [0] * len(SCALE))[value - SCALE.start] += count
        respondents = dict(answered)
        for milestone in MILESTONES:
            people = respondents.get(milestone, 0)
            if people < min_group:  # not even how many: only that too few answered
                session.add(_hidden(cohort.id, milestone, RESPONDENTS))
                continue
            session.add(
                OnboardingFigure(
                    cohort_id=cohort.id, milestone=milestone, question_key=RESPONDENTS, answers=people
                )
            )
            for question in onboarding_questions():
                session.add(_question_figure(cohort.id, milestone, question.key, counts, min_group))
        session.exec(delete(OnboardingAnswer).where(OnboardingAnswer.cohort_id == cohort.id))
        session.exec(delete(OnboardingPulse).where(OnboardingPulse.cohort_id == cohort.id))
        cohort.secret, cohort.released_at, cohort.min_group = None, now, min_group
        session.add(cohort)
    session.flush()
    return [cohort.cohort for cohort in due]


@dataclass(frozen=True)
class MilestoneFigures:
    milestone: int
    respondents: int | None  # None: fewer than the minimum group answered, nothing shown
    means: dict[str, float | None]  # per question key; None: hidden


@dataclass(frozen=True)
class ReleasedCohort:
    cohort: str
    min_group: int
    milestones: list[MilestoneFigures]


def released_cohorts(session: Session, *, min_group: int) -> list[ReleasedCohort]:
    """What the admins' report shows: the released figures as stored, never anything recomputed. A
    figure fewer than today's `min_group` gave is hidden too, though released under a lower minimum."""
    cohorts = session.exec(
        select(OnboardingCohort)
        .where(OnboardingCohort.released_at.is_not(None))
        .order_by(OnboardingCohort.cohort)
    ).all()
    if not cohorts:
        return []
    figures = session.exec(
        select(OnboardingFigure).where(OnboardingFigure.cohort_id.in_([cohort.id for cohort in cohorts]))
    ).all()
    by_key = {(f.cohort_id, f.milestone, f.question_key): f for f in figures}
    released = []
    for cohort in cohorts:
        milestones = []
        for milestone in MILESTONES:
            count = by_key.get((cohort.id, milestone, RESPONDENTS))
            shown = count is not None and count.hidden is None and count.answers >= min_group
            means = {}
            for question in onboarding_questions():
                figure = by_key.get((cohort.id, milestone, question.key))
                kept = shown and figure is not None and figure.hidden is None and figure.answers >= min_group
                means[question.key] = figure.value if kept else None
            milestones.append(MilestoneFigures(milestone, count.answers if shown else None, means))
        released.append(ReleasedCohort(cohort.cohort, max(cohort.min_group or 0, min_group), milestones))
    return released


def _question_figure(
    cohort_id: int, milestone: int, key: str, counts: dict[tuple[int, str], list[int]], min_group: int
) -> OnboardingFigure:
    """A question's mean when at least the minimum group gave it and the rule for distributions lets
    its answers be shown (services/privacy/distributions.py: five joiners all giving 5 would each learn
    how the other four answered); otherwise hidden, with why."""
    given = counts.get((milestone, key), [0] * len(SCALE))
    answers = sum(given)
    if answers < min_group:
        return _hidden(cohort_id, milestone, key)
    if shown_counts(given) is None:
        return OnboardingFigure(cohort_id=cohort_id, milestone=milestone, question_key=key, hidden=ALIKE)
    mean = sum(value * count for value, count in zip(SCALE, given, strict=True)) / answers
    return OnboardingFigure(
        cohort_id=cohort_id, milestone=milestone, question_key=key, answers=answers, value=round(mean, 2)
    )


def _hidden(cohort_id: int, milestone: int, question_key: str) -> OnboardingFigure:
    return OnboardingFigure(cohort_id=cohort_id, milestone=milestone, question_key=question_key, hidden=FEW)
