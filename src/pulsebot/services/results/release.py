"""Releasing a run's figures: once, right after it closes, under the rules of what may ever be shown.

A closed run never changes (an answer that arrives after the close is refused), so its figures are
counted once and stored (`run_figures`, `run_question_figures`); every view of results — digests,
drivers, the heatmap, App Home, the report, the export, shares — reads those, never the answers. Nothing
is aggregated on request, and a digest run's cost no longer grows with the answers of a year of runs.

What is released is already under the rules (N is `settings.min_group` when the run is released):

- a run whose own respondents (distinct answer tokens) fall short of its minimum — N plus the managers it
  asked — is released as withheld: the row says so and holds no figure, not even how many answered;
- within a counted run, a rated question answered by fewer than that minimum is listed with no figure.

Readers re-apply the minimum in force when they read (week_totals.py), so raising `PULSEBOT_MIN_GROUP`
hides more at once; lowering it does not reveal a run released as withheld.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CTE, distinct, exists, func, insert
from sqlmodel import Session, select

from pulsebot.services.results.sentiment import NEGATIVE_FROM, POSITIVE_FROM
from pulsebot.services.survey.audience import run_minimum
from pulsebot.store.models import Answer, Delivery, PulseRun, RunFigures, RunQuestionFigures, RunStatus

VALUES = range(11)  # every stored rating lies in 0..10


def unreleased_runs() -> CTE:
    """The closed runs that have no figures yet, with their minimum's managers."""
    released = exists().where(RunFigures.run_id == PulseRun.id)
    query = select(
        PulseRun.id.label("id"), PulseRun.managers_asked.label("managers_asked"), PulseRun.held.label("held")
    ).where(PulseRun.status == RunStatus.closed, ~released)
    return query.cte("unreleased").prefix_with("MATERIALIZED")


def release_closed_runs(session: Session, *, min_group: int, now: datetime) -> list[int]:
    """Count and store the figures of every closed run not yet released; return their ids.

    Safe on two replicas at once: each run's figures are written under its primary key, and a run that
    another process released meanwhile makes this transaction fail as a whole, to be tried again later.
    """
    runs = unreleased_runs()
    pending = session.exec(select(runs.c.id, runs.c.managers_asked, runs.c.held)).all()
    if not pending:
        return []
    needed = {run_id: run_minimum(min_group, managers) for run_id, managers, _held in pending}
    # Sends the weekly limit held: a count about the whole audience, released only when it is at least the
    # minimum group, so it never stands for one person or a few (services/pulse/asking.py).
    held = {run_id: count for run_id, _managers, count in pending if count >= min_group}
    # The organisation's total needs every count, small ones too; it is shown only under its own rule.
    held_total = {run_id: count for run_id, _managers, count in pending}
    respondents = dict(
        session.exec(
            select(runs.c.id, func.count(distinct(Answer.respondent)))
            .select_from(runs)
            .join(Answer, Answer.run_id == runs.c.id)
            .group_by(runs.c.id)
        ).all()
    )
    counted = {run_id for run_id in needed if respondents.get(run_id, 0) >= needed[run_id]}
    asked = dict(
        session.exec(
            select(runs.c.id, func.count())
            .select_from(runs)
            .join(Delivery, Delivery.run_id == runs.c.id)
            .group_by(runs.c.id)
        ).all()
    )
    comments = {
        row[0]: row[1:]
        for row in session.exec(
            select(
                runs.c.id,
                func.count(),
                func.count(Answer.sentiment),
                func.sum(Answer.sentiment),
                func.count().filter(Answer.sentiment <= NEGATIVE_FROM),
                func.count().filter(Answer.sentiment >= POSITIVE_FROM),
            )
            .select_from(runs)
            .join(Answer, Answer.run_id == runs.c.id)
            .where(Answer.comment.is_not(None))
            .group_by(runs.c.id)
        ).all()
    }
    cells = session.exec(
        select(
            runs.c.id,
            Answer.question_id,
            func.count(Answer.value),
            func.sum(Answer.value),
            *(func.count().filter(Answer.value == value) for value in VALUES),
        )
        .select_from(runs)
        .join(Answer, Answer.run_id == runs.c.id)
        .where(Answer.value.is_not(None))
        .group_by(runs.c.id, Answer.question_id)
    ).all()

    figures = []
    for run_id in sorted(needed):
        row = {"run_id": run_id, "released_at": now, "respondents": None, "asked": None, "held": None}
        row["held_total"] = None
        row |= dict.fromkeys(_COMMENT_COLUMNS)
        if run_id in counted:
            count, rated, total, negative, positive = comments.get(run_id, (0, 0, 0.0, 0, 0))
            # Forgetting a person deletes their delivery rows, never their answers: asked >= answered.
            row |= {
                "respondents": respondents[run_id],
                "asked": max(asked.get(run_id, 0), respondents[run_id]),
                "held": held.get(run_id),
                "held_total": held_total[run_id],
            }
            row |= dict(
                zip(_COMMENT_COLUMNS, (count, rated, float(total or 0.0), negative, positive), strict=True)
            )
        figures.append(row)
    questions = [
        {"run_id": run_id, "question_id": question_id, "answers": None, "total": None, "counts": None}
        | ({"answers": n, "total": int(total or 0), "counts": list(counts)} if n >= needed[run_id] else {})
        for run_id, question_id, n, total, *counts in cells
        if run_id in counted
    ]
    session.flush()
    connection = session.connection()  # one executemany per table: no statement grows with the rows
    connection.execute(insert(RunFigures.__table__), figures)
    if questions:
        connection.execute(insert(RunQuestionFigures.__table__), questions)
    return sorted(needed)


_COMMENT_COLUMNS = ("comments", "rated_comments", "sentiment_total", "negative_comments", "positive_comments")
