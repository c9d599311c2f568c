"""Driver scores: per team, each library driver's mean over a rolling window of its last closed runs, and
its change against the window before.

The window is the team's last N closed runs, N being its rotation's cycle (every driver is asked at least
once in any N consecutive runs), so every driver has had its turn in each window. The figures obey the
same rules as the weekly ones (week_totals.py, analytics.py):

1. Only closed runs count, and only a run whose own respondents (distinct answer tokens of that run)
   reach N_min plus the managers it asked. An open run adds nothing, anywhere.
2. Within a counted run, an item's answers count only when they reach that run's minimum and pass the
   rule for distributions (services/privacy/distributions.py: answers all alike, or all but one, add
   nothing); a driver (or item) with no counted answers in the window is hidden, never zero.
3. Counted in people: a driver's `people` is the most answers one counted (run, item) had — a lower bound
   of the people behind it, each counted cell already reaching the minimum.
4. No subtraction: the organisation's driver figure is the sum of exactly the cells the teams' own driver
   figures are made of, so the organisation minus any teams never yields a hidden answer. A team sees the
   organisation's figure beside its own only when at least ORG_COMPARE_MIN_TEAMS teams make it up: the
   organisation minus the team is then a blend of two or more other teams, never one team's figure.

A reversed item counts turned round (6 − answer), so a driver reads "higher is better". eNPS is kept
apart, per window, under the same rules.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.privacy.distributions import shown_counts
from pulsebot.services.results.analytics import enps as enps_score
from pulsebot.services.results.released_figures import QuestionInfo, ReleasedFigures
from pulsebot.services.results.week_totals import enps_groups
from pulsebot.services.survey.audience import run_minimum
from pulsebot.services.survey.library import driver_name
from pulsebot.store.among import among
from pulsebot.store.models import PulseRun, RunFigures, RunStatus, Survey
from pulsebot.store.plain import Dates, plain

ORG_COMPARE_MIN_TEAMS = 3
FALL_TO_LOOK_AT = 0.3  # a driver that fell at least this much is the one to look at


@dataclass(frozen=True)
class ItemScore:
    key: str
    prompt: str
    reversed: bool
    answers: int
    mean: float  # as answered (a reversed item's mean is how much people agreed with it)


@dataclass(frozen=True)
class DriverScore:
    driver: str
    name: str
    answers: int = 0  # counted answers in the window; 0 when hidden
    total: int = 0  # their sum, reversed items turned round
    people: int | None = None
    change: float | None = None  # against the previous window, from the figures as shown (0.1)
    org: float | None = None  # the organisation's, only where it may stand beside the team's
    items: tuple[ItemScore, ...] = ()

    @property
    def shown(self) -> bool:
        return self.answers > 0

    @property
    def score(self) -> float | None:
        return self.total / self.answers if self.answers else None


@dataclass(frozen=True)
class TeamDrivers:
    scope: str
    title: str
    window_runs: int  # N: the runs a window spans
    runs: int  # the closed runs of the window that counted
    drivers: tuple[DriverScore, ...]  # every driver the survey rotates through, in library order
    enps: float | None = None
    enps_answers: int = 0
    first_run: date | None = None
    last_run: date | None = None
    counted_runs: tuple[int, ...] = ()  # the latest window's runs that reached the minimum group
    # What the comments on the driver to look at mention most (services/results/driver_comments.py).
    look_at_theme: object | None = None

    @property
    def shown(self) -> tuple[DriverScore, ...]:
        return tuple(driver for driver in self.drivers if driver.shown)

    @property
    def strongest(self) -> DriverScore | None:
        return max(self.shown, key=lambda d: round(d.score, 1), default=None)

    @property
    def weakest(self) -> DriverScore | None:
        return min(self.shown, key=lambda d: round(d.score, 1), default=None)

    @property
    def to_look_at(self) -> DriverScore | None:
        """The driver that fell most (by at least FALL_TO_LOOK_AT), else the weakest."""
        fallen = [d for d in self.shown if d.change is not None and d.change <= -FALL_TO_LOOK_AT]
        return min(fallen, key=lambda d: d.change) if fallen else self.weakest


@dataclass
class _Window:
    runs: int = 0
    cells: dict[str, list] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))  # n, total, max
    items: dict[int, list] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # n, raw sum
    enps: list = field(default_factory=lambda: [0, 0, 0])  # n, promoters, detractors


@dataclass(frozen=True)
class DriverScores:
    teams: dict[str, TeamDrivers]
    org: dict[str, DriverScore]  # per driver: the sum of the teams' shown driver figures
    org_teams: dict[str, int]  # per driver: how many teams' figures make up the organisation's


def window_runs(survey: Survey) -> int:
    drivers = len((survey.library_drivers or "").split())
    return max(1, math.ceil(drivers / max(1, survey.questions_per_pulse)))


def driver_scores(
    session: Session,
    *,
    min_group: int,
    through: date,
    survey_names: list[str] | None = None,
    figures: ReleasedFigures | None = None,
) -> DriverScores:
    """Every library survey's driver scores over its last window of runs dated up to `through`, and the
    organisation's (always over every team, so a team's comparison does not depend on who asks).
    `figures`: the released figures a pass over the organisation reads once (a fresh read without)."""
    loaded = _load_windows(session, min_group=min_group, through=through, depth=2, figures=figures)
    if loaded is None:
        return DriverScores(teams={}, org={}, org_teams={})
    surveys, span, windows, questions, dates = loaded
    org_cells: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    org_teams: dict[str, int] = defaultdict(int)
    for (_survey_id, age), window in windows.items():
        if age == 0:
            for driver, (n, total, _) in window.cells.items():
                org_cells[driver][0] += n
                org_cells[driver][1] += total
                org_teams[driver] += 1
    org = {
        driver: DriverScore(driver=driver, name=driver_name(driver), answers=n, total=total)
        for driver, (n, total) in org_cells.items()
    }

    teams = {}
    for survey_id, survey in surveys.items():
        if survey_names is not None and survey.name not in survey_names:
            continue
        teams[survey.name] = _team(
            survey,
            span[survey_id],
            windows.get((survey_id, 0), _Window()),
            windows.get((survey_id, 1), _Window()),
            questions,
            org={d: org[d].score for d in org if org_teams[d] >= ORG_COMPARE_MIN_TEAMS},
            dates=sorted(dates.get(survey_id, [])),
        )
    return DriverScores(teams=teams, org=org, org_teams=dict(org_teams))


class _Run(NamedTuple):
    id: int
    survey_id: int
    run_date: date
    managers_asked: int
    rank: int  # 1 for the team's latest closed run


@dataclass(frozen=True)
class TeamWindow:
    """One team's figures over one window of runs: what "what moves eNPS" is computed from."""

    survey_id: int
    age: int  # 0 for the latest window, 1 for the one before, …
    drivers: dict[str, float]  # the shown drivers' scores
    enps: float | None


def team_windows(
    session: Session, *, min_group: int, through: date, depth: int, figures: ReleasedFigures | None = None
) -> list[TeamWindow]:
    """Every team's last `depth` windows, each with its shown drivers and eNPS (under the same rules)."""
    loaded = _load_windows(session, min_group=min_group, through=through, depth=depth, figures=figures)
    if loaded is None:
        return []
    _surveys, _span, windows, _questions, _dates = loaded
    result = []
    for (survey_id, age), window in sorted(windows.items()):
        net_n, promoters, detractors = window.enps
        result.append(
            TeamWindow(
                survey_id=survey_id,
                age=age,
                drivers={driver: total / n for driver, (n, total, _) in window.cells.items()},
                enps=enps_score(promoters=promoters, detractors=detractors, answers=net_n) if net_n else None,
            )
        )
    return result


def _load_windows(
    session: Session, *, min_group: int, through: date, depth: int, figures: ReleasedFigures | None = None
):
    """The counted totals of each team's last `depth` windows of runs: (surveys, window size per survey,
    {(survey, age): _Window}, library questions, the latest window's counted runs (date, id) per survey)."""
    # Plain rows, not ORM objects: 200 teams hold thousands of library questions.
    survey_columns = (
        Survey.id,
        Survey.name,
        Survey.title,
        Survey.library_drivers,
        Survey.questions_per_pulse,
    )
    surveys = {
        row.id: row
        for row in session.exec(select(*survey_columns).where(Survey.library_drivers.is_not(None))).all()
    }
    if not surveys:
        return None
    span = {survey_id: window_runs(survey) for survey_id, survey in surveys.items()}
    rank = (
        func.row_number()
        .over(partition_by=PulseRun.survey_id, order_by=(PulseRun.run_date.desc(), PulseRun.id.desc()))
        .label("rank")
    )
    ranked = (
        select(PulseRun.id, PulseRun.survey_id, PulseRun.run_date, PulseRun.managers_asked, rank)
        .where(PulseRun.status == RunStatus.closed, PulseRun.run_date <= through)
        .where(among(PulseRun.survey_id, surveys))
        .subquery()
    )
    recent = (
        select(ranked)
        .where(ranked.c.rank <= depth * max(span.values()))
        .cte("recent_runs")
        .prefix_with("MATERIALIZED")
    )
    figures = figures or ReleasedFigures(session)
    # With the runs' released respondents (release.py): a withheld run has none, so it cannot count below.
    # The dates come as the driver gives them, each converted once (store/plain.py).
    columns = (recent.c.id, recent.c.survey_id, plain(recent.c.run_date), recent.c.managers_asked)
    query = select(*columns, recent.c.rank, RunFigures.respondents).select_from(recent)
    days, respondents, runs = Dates(), {}, []
    for run_id, survey_id, day, managers, rank, people in session.exec(
        query.outerjoin(RunFigures, RunFigures.run_id == recent.c.id)
    ).all():
        if rank <= depth * span[survey_id]:
            runs.append(_Run(run_id, survey_id, days[day], managers, rank))
            if people is not None:
                respondents[run_id] = people
    run_of = {row.id: row for row in runs}
    # A question answered by too few in a run was released with no answers: it cannot count below either.
    cells = figures.cells(run_of)
    # The library's questions only (among them only eNPS has no driver): a survey's own add to no driver.
    questions = {
        qid: question
        for qid, question in figures.questions(
            cell[0] for run_cells in cells.values() for cell in run_cells
        ).items()
        if question.from_library
    }
    needed = {row.id: run_minimum(min_group, row.managers_asked) for row in runs}
    counted = {run_id for run_id in run_of if respondents.get(run_id, 0) >= needed[run_id]}
    windows: dict[tuple[int, int], _Window] = defaultdict(_Window)  # (survey, 0 now / 1 before)
    dates: dict[int, list[tuple[date, int]]] = defaultdict(list)  # the latest window's counted runs
    for run_id in counted:
        row = run_of[run_id]
        windows[row.survey_id, (row.rank - 1) // span[row.survey_id]].runs += 1
        if row.rank <= span[row.survey_id]:
            dates[row.survey_id].append((row.run_date, run_id))
    for run_id in sorted(counted):
        row = run_of[run_id]
        window = windows[row.survey_id, (row.rank - 1) // span[row.survey_id]]
        for question_id, n, total, counts in cells[run_id]:
            question = questions.get(question_id)
            if question is not None and n is not None and n >= needed[run_id]:
                _add(window, question, n, int(total or 0), counts)

    return surveys, span, windows, questions, dates


def _add(window: _Window, question: QuestionInfo, n: int, total: int, counts: tuple[int, ...]) -> None:
    """A counted run's answers to a library question, unless the rule for distributions withholds them."""
    if question.driver is None:  # the library's eNPS: the rule on its groups
        detractors, _, promoters = groups = enps_groups(counts)
        if shown_counts(groups) is not None:
            window.enps = [a + b for a, b in zip(window.enps, (n, promoters, detractors), strict=True)]
        return
    if shown_counts(counts) is None:
        return  # a figure made of these would name someone
    cell = window.cells[question.driver]
    cell[0] += n
    cell[1] += 6 * n - total if question.reversed else total
    cell[2] = max(cell[2], n)
    item = window.items[question.id]
    item[0], item[1] = item[0] + n, item[1] + total


def _team(survey, span, now: _Window, before: _Window, questions, *, org, dates) -> TeamDrivers:
    items_of: dict[str, list[ItemScore]] = defaultdict(list)
    for qid, (item_n, item_total) in sorted(now.items.items(), key=lambda kv: questions[kv[0]].key):
        question = questions[qid]
        items_of[question.driver].append(
            ItemScore(
                key=question.key,
                prompt=question.prompt,
                reversed=question.reversed,
                answers=item_n,
                mean=item_total / item_n,
            )
        )
    drivers = []
    for driver in survey.library_drivers.split():
        n, total, people = now.cells.get(driver, (0, 0, 0))
        if not n:
            drivers.append(DriverScore(driver=driver, name=driver_name(driver)))
            continue
        score = total / n
        previous_n, previous_total, _ = before.cells.get(driver, (0, 0, 0))
        change = None
        if previous_n:
            change = round(round(score, 1) - round(previous_total / previous_n, 1), 1)
        items = tuple(items_of[driver])
        drivers.append(
            DriverScore(
                driver=driver,
                name=driver_name(driver),
                answers=n,
                total=total,
                people=people,
                change=change,
                org=org.get(driver),
                items=items,
            )
        )
    net_n, promoters, detractors = now.enps
    return TeamDrivers(
        scope=survey.name,
        title=survey.title,
        window_runs=span,
        runs=now.runs,
        drivers=tuple(drivers),
        enps=enps_score(promoters=promoters, detractors=detractors, answers=net_n) if net_n else None,
        enps_answers=net_n,
        first_run=dates[0][0] if dates else None,
        last_run=dates[-1][0] if dates else None,
        counted_runs=tuple(run_id for _, run_id in dates),
    )
