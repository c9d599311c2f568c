"""The totals a team's weekly figures are made from: each run's figures as released once when it closed
(release.py), combined here under the rules that decide what may ever be shown (N is
`settings.min_group`).

1. Only closed runs count. An open run adds nothing to any figure, so no view moves while people click.
2. A closed run counts only when its own respondents — the distinct answer tokens of that run, never the
   delivery rows (forgetting a person deletes those) — reach N plus the managers the run asked (their
   answers cannot be told apart from the team's, so they must not be what lifts a run over N).
3. Within a counted run, a question's answers count only when that run's answers to it reach the same
   minimum; a question no run lets through is listed with no answers (so it shows as hidden).
4. A week's people: tokens differ per run, so one person answering two runs of a week cannot be
   recognised. The week's respondents are therefore the most respondents of one counted run — a lower
   bound of the people behind the week, and each counted run on its own already reaches the minimum. Its
   audience is likewise the most people one counted run asked.

5. The rule for distributions: a question's counts (and so its mean) are shown only when, after taking
   away one person's answers — one per counted run of the week — the rest still fall in two options.

Every figure of a week is then made only of counted runs and counted questions; adding a run to a week,
or closing one, changes the week by a group of at least N people. Weeks retention has purged are read
from their kept totals instead (kept_weeks.py), which were made under the same rules.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from operator import add

from sqlalchemy import CTE
from sqlmodel import Session, select

from pulsebot.services.privacy.distributions import shown_counts
from pulsebot.services.results import kept_weeks
from pulsebot.services.results.release import VALUES
from pulsebot.services.results.released_figures import QuestionInfo, ReleasedFigures
from pulsebot.services.survey.audience import run_minimum
from pulsebot.store.among import among
from pulsebot.store.models import PulseRun, QuestionKind, RunFigures, RunStatus
from pulsebot.store.plain import Dates, plain
from pulsebot.store.weeks import iso_week_start

_NO_COUNTS = (0,) * len(VALUES)
TeamWeek = tuple[int, date]  # (survey_id, Monday of the ISO week)
QuestionTotals = tuple[int, int, int, tuple[int, ...]]  # question, answers, sum, answers per value 0..10
CommentTotals = tuple[int, int, float, int, int]  # count, with a sentiment, sentiment sum, negative, positive


class Withheld(enum.StrEnum):
    """Why a week has no figures."""

    too_few = "too_few"  # no closed run of it reached the minimum group
    still_open = "still_open"  # its pulse is still taking answers
    teams_hidden = "teams_hidden"  # the organisation: no team's week of it could be shown


@dataclass
class WeekTotals:
    """Per team-week: the totals of what may be shown, and why the other weeks have none."""

    people: dict[TeamWeek, tuple[int, int]]  # audience, respondents — weeks with a counted run only
    values: dict[TeamWeek, list[QuestionTotals]]
    comments: dict[TeamWeek, CommentTotals]
    withheld: dict[TeamWeek, Withheld]
    questions: dict[int, QuestionInfo] = field(default_factory=dict)
    runs: dict[TeamWeek, list[int]] = field(default_factory=dict)  # the counted runs of each week
    # Sends the weekly limit held, as released (only counts of at least the minimum group).
    held: dict[TeamWeek, int] = field(default_factory=dict)
    # The same, whatever the count, of the counted runs: only for the organisation's total, never shown
    # for a team (services/results/analytics.py).
    held_total: dict[TeamWeek, int] = field(default_factory=dict)

    def use_kept(
        self, key: TeamWeek, *, people: tuple[int, int], values: list[QuestionTotals], comments: CommentTotals
    ) -> None:
        """A purged week read from its kept totals (no answers left, so no comments to quote)."""
        self.people[key], self.values[key], self.comments[key], self.runs[key] = people, values, comments, []
        self.withheld.pop(key, None)

    def hide(self, key: TeamWeek) -> None:
        """A purged week that was not kept: too few answered it, and it stays hidden."""
        for totals in (self.people, self.values, self.comments, self.runs):
            totals.pop(key, None)
        self.withheld[key] = Withheld.too_few


def runs_in_window(first: date, last: date, survey_ids: list[int] | None = None) -> CTE:
    """The runs dated `first`..`last` with their ISO week, as a CTE every aggregate starts from.

    MATERIALIZED makes both databases compute the week once per run (not once per answer) and then
    reach answers and deliveries through their run_id indexes, so only the window's rows are read.
    """
    query = select(
        PulseRun.id.label("id"),
        PulseRun.survey_id.label("survey_id"),
        iso_week_start(PulseRun.run_date).label("week"),
        PulseRun.status.label("status"),
        PulseRun.managers_asked.label("managers_asked"),
    ).where(PulseRun.run_date >= first, PulseRun.run_date <= last)
    if survey_ids is not None:
        query = query.where(among(PulseRun.survey_id, survey_ids))
    return query.cte("runs").prefix_with("MATERIALIZED")


def load(
    session: Session,
    *,
    first: date,
    last: date,
    survey_ids: list[int] | None,
    min_group: int,
    figures: ReleasedFigures | None = None,
) -> WeekTotals:
    """The totals of the teams' weeks from `first` to `last`; `figures` are the released figures a pass
    over the organisation reads once (a fresh read without)."""
    figures = figures or ReleasedFigures(session)
    released = _released_runs(session, first=first, last=last, survey_ids=survey_ids, min_group=min_group)
    week_of, needed, counted = released.week_of, released.needed, released.counted
    respondents, asked = released.respondents, released.asked
    held, held_total = released.held, released.held_total
    cells = figures.cells(week_of)

    totals = WeekTotals(people={}, values={}, comments={}, withheld={})
    by_question: dict[TeamWeek, dict[int, QuestionTotals]] = defaultdict(dict)
    for run_id in sorted(counted):
        key = week_of[run_id]
        audience, people = totals.people.get(key, (0, 0))
        people = max(people, respondents[run_id])
        # Forgetting a person deletes their delivery rows, never their answers: asked >= answered.
        totals.people[key] = (max(audience, asked.get(run_id, 0), people), people)
        totals.runs.setdefault(key, []).append(run_id)
        if held.get(run_id):
            totals.held[key] = totals.held.get(key, 0) + held[run_id]
        if held_total.get(run_id):
            totals.held_total[key] = totals.held_total.get(key, 0) + held_total[run_id]
        questions = by_question[key]
        for question_id, n, total, counts in cells[run_id]:
            if n and n >= needed[run_id]:
                row = (question_id, n, int(total or 0), counts or _NO_COUNTS)
                before = questions.get(question_id)
                if before is not None:  # a week of several runs
                    row = (question_id, before[1] + n, before[2] + row[2], tuple(map(add, before[3], row[3])))
                questions[question_id] = row
            elif question_id not in questions:
                questions[question_id] = (question_id, 0, 0, _NO_COUNTS)
    for key in set(week_of.values()) - set(totals.people):
        totals.withheld[key] = Withheld.still_open if key in released.open_weeks else Withheld.too_few
    for key, questions in by_question.items():
        if questions:
            totals.values[key] = list(questions.values())
    for run_id, count, rated, total, negative, positive in released.comments:
        if run_id in counted and count:
            key = week_of[run_id]
            before = totals.comments.get(key, (0, 0, 0.0, 0, 0))
            row = (count, rated, float(total or 0.0), negative, positive)
            totals.comments[key] = tuple(a + b for a, b in zip(before, row, strict=True))

    kept_weeks.overlay(totals, session, first=first, last=last, survey_ids=survey_ids)
    question_ids = {row[0] for rows in totals.values.values() for row in rows}
    if question_ids:
        totals.questions = figures.questions(question_ids)
    _pool_runs(totals)
    return totals


@dataclass
class _ReleasedRuns:
    """The window's runs as released: each one's team-week, its own minimum, its released people, and which
    of them count (rules 1 and 2)."""

    week_of: dict[int, TeamWeek]
    needed: dict[int, int]  # the run's own minimum: N plus the managers it asked
    open_weeks: set[TeamWeek]
    respondents: dict[int, int]
    asked: dict[int, int | None]
    held: dict[int, int | None]
    held_total: dict[int, int | None]
    comments: list[tuple]
    counted: set[int]


def _released_runs(
    session: Session, *, first: date, last: date, survey_ids: list[int] | None, min_group: int
) -> _ReleasedRuns:
    """Every run of the window with its released figures, in one query."""
    runs = runs_in_window(first, last, survey_ids)
    run_figures = (
        RunFigures.respondents,
        RunFigures.asked,
        RunFigures.comments,
        RunFigures.rated_comments,
        RunFigures.sentiment_total,
        RunFigures.negative_comments,
        RunFigures.positive_comments,
        RunFigures.held_total,
        RunFigures.held,
    )
    # Every team's weeks at once: the week and the status come as the driver gives them and are converted
    # once (store/plain.py), not row by row.
    released = (
        select(runs.c.id, runs.c.survey_id, plain(runs.c.week), plain(runs.c.status), runs.c.managers_asked)
        .add_columns(RunFigures.run_id.is_not(None), *run_figures)
        .select_from(runs)
        .outerjoin(RunFigures, RunFigures.run_id == runs.c.id)
    )
    week_of: dict[int, TeamWeek] = {}
    needed: dict[int, int] = {}
    open_weeks: set[TeamWeek] = set()
    respondents, asked, comments, held, held_total = {}, {}, [], {}, {}
    weeks = Dates()
    for run_id, survey_id, week, status, managers, is_released, people, *rest in session.exec(released):
        key = week_of[run_id] = (survey_id, weeks[week])
        needed[run_id] = run_minimum(min_group, managers)
        # A closed run counts from the moment its figures are released (release.py), in the transaction
        # that closed it; until then (a run closed by an earlier version) it reads as still open.
        if not is_released or status != RunStatus.closed:
            open_weeks.add(key)
        if people is not None:
            respondents[run_id], asked[run_id], held[run_id] = people, rest[0], rest[-1]
            held_total[run_id] = rest[-2]
            comments.append((run_id, *rest[1:-2]))
    counted = {run_id for run_id, count in respondents.items() if count >= needed[run_id]}
    return _ReleasedRuns(week_of, needed, open_weeks, respondents, asked, held, held_total, comments, counted)


def load_people(
    session: Session, *, first: date, last: date, survey_ids: list[int] | None, min_group: int
) -> WeekTotals:
    """Only the people of the teams' weeks from `first` to `last` (who was asked, who answered) and why
    the other weeks have none, under the same rules as `load`, with no question or comment read: what a
    report of response rates needs of every team at once."""
    released = _released_runs(session, first=first, last=last, survey_ids=survey_ids, min_group=min_group)
    totals = WeekTotals(people={}, values={}, comments={}, withheld={})
    for run_id in sorted(released.counted):
        key = released.week_of[run_id]
        audience, people = totals.people.get(key, (0, 0))
        people = max(people, released.respondents[run_id])
        totals.people[key] = (max(audience, released.asked.get(run_id) or 0, people), people)
    for key in set(released.week_of.values()) - set(totals.people):
        totals.withheld[key] = Withheld.still_open if key in released.open_weeks else Withheld.too_few
    kept_weeks.overlay(totals, session, first=first, last=last, survey_ids=survey_ids)
    return totals


def counts_shown(kind: QuestionKind, counts: tuple[int, ...], answers_each: int = 1) -> bool:
    """The rule for distributions (services/privacy/distributions.py) on a question's counts as they are
    shown: an eNPS's as detractors (0–6), passives (7–8) and promoters (9–10), which its score is made
    of. Its mean, share of yes or eNPS is shown with the counts or not at all."""
    if kind is QuestionKind.enps:
        counts = enps_groups(counts)
    return shown_counts(counts, answers_each=answers_each) is not None


def enps_groups(counts: tuple[int, ...]) -> tuple[int, int, int]:
    """An eNPS's answers per value 0..10 as detractors (0–6), passives (7–8) and promoters (9–10)."""
    return sum(counts[0:7]), counts[7] + counts[8], counts[9] + counts[10]


def _pool_runs(totals: WeekTotals) -> None:
    """Rule 5: in a week of several counted runs one person may hold an answer of each to a question, so
    the rule for distributions takes that many away; counts it withholds are kept as none (the question
    then shows only how many answered), so the week reads the same once retention keeps its totals."""
    for key, rows in totals.values.items():
        pooled = len(totals.runs.get(key, ()))
        if pooled > 1:
            totals.values[key] = [
                (
                    qid,
                    n,
                    total,
                    counts if counts_shown(totals.questions[qid].kind, counts, pooled) else _NO_COUNTS,
                )
                for qid, n, total, counts in rows
            ]
