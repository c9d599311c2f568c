"""Weekly figures per team and for the whole organisation, aggregated in SQL.

A team is a survey's audience. A week is an ISO week (Monday to Sunday) in the survey's time zone: an
answer carries its run's local date, so the week is that date's Monday and needs no time-zone arithmetic.
The database does the counting, grouped by (survey, week[, question]) over the trend window only, so the
cost follows the window, not the years of history behind it.

Threshold rules (N is `settings.min_group`):

1. A team's week is shown only when at least N people answered it; otherwise every figure of that week
   (respondents, rate, scores, comments, themes, chart point, export row) is withheld.
2. Within a shown week, a rated question's mean, distribution and eNPS are shown only when at least N
   people answered that question; the team's score is the mean of its shown 1–5 questions only.
3. The organisation's week is shown only when at least N people answered across all teams, and the
   teams whose week is withheld hold either nobody or at least N people between them — otherwise the
   organisation's figure minus the shown teams' figures would reveal a group smaller than N.

A withheld figure is None with `status=suppressed`; a week without any pulse is `status=no_data`.
Neither is ever shown as zero.
"""

from __future__ import annotations

import enum
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import CTE, distinct, func
from sqlmodel import Session, select

from pulsebot.services import kept_weeks
from pulsebot.services.sentiment import NEGATIVE_FROM, POSITIVE_FROM
from pulsebot.store.models import Answer, Delivery, PulseRun, Question, QuestionKind, Survey
from pulsebot.store.weeks import iso_week_start, week_start

ORG = "org"
ORG_TITLE = "Whole organisation"
RATED = (QuestionKind.scale, QuestionKind.enps, QuestionKind.yes_no)
_VALUES = range(11)  # every stored rating lies in 0..10


class WeekStatus(enum.StrEnum):
    shown = "shown"
    suppressed = "suppressed"  # answered, but by too few people to show anything
    no_data = "no_data"  # no pulse ran that week


@dataclass(frozen=True)
class QuestionWeek:
    question_id: int
    key: str
    version: int
    prompt: str
    kind: QuestionKind
    status: WeekStatus
    answers: int | None = None
    mean: float | None = None  # scale 1–5, eNPS 0–10; for yes/no the share answering yes (0–1)
    distribution: tuple[int, ...] | None = None  # answers per value: 1..5, 0..10, or (no, yes)
    enps: float | None = None  # % promoters (9–10) − % detractors (0–6), for an eNPS question

    @property
    def suppressed(self) -> bool:
        return self.status is WeekStatus.suppressed


@dataclass(frozen=True)
class WeekFigures:
    week: date  # the Monday starting the ISO week
    status: WeekStatus
    respondents: int | None = None
    audience: int | None = None
    response_rate: float | None = None  # 0–1
    score: float | None = None  # mean of the shown 1–5 questions
    enps: float | None = None
    comments: int | None = None
    sentiment: float | None = None  # mean comment sentiment, -1 … 1
    negative_share: float | None = None
    positive_share: float | None = None
    questions: tuple[QuestionWeek, ...] = ()
    # Change since the latest earlier shown week in the window (None when there is none).
    compared_with: date | None = None
    score_change: float | None = None
    enps_change: float | None = None
    sentiment_change: float | None = None
    response_rate_change: float | None = None

    @property
    def shown(self) -> bool:
        return self.status is WeekStatus.shown

    @property
    def suppressed(self) -> bool:
        return self.status is WeekStatus.suppressed


@dataclass(frozen=True)
class Trend:
    scope: str  # the survey's name, or ORG
    title: str
    timezone: str
    weeks: tuple[WeekFigures, ...]  # one per ISO week of the window, oldest first
    survey_id: int | None = None

    @property
    def latest(self) -> WeekFigures:
        return self.weeks[-1]

    def latest_with_data(self) -> WeekFigures | None:
        return next((week for week in reversed(self.weeks) if week.status is not WeekStatus.no_data), None)


@dataclass(frozen=True)
class Trends:
    teams: dict[str, Trend]
    org: Trend | None = None


@dataclass(frozen=True)
class _Window:
    first: date  # Monday of the first week
    last: date  # Monday of the last week

    def weeks(self) -> list[date]:
        count = (self.last - self.first).days // 7 + 1
        return [self.first + timedelta(weeks=i) for i in range(count)]


def window(
    *, now: datetime, timezone: str, weeks: int, complete_only: bool, through_week: date | None = None
) -> _Window:
    """The `weeks` ISO weeks ending with the current week in `timezone` (or the last complete one), or
    ending with `through_week` when that is given."""
    if through_week is None:
        today = now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
        through_week = week_start(today) - timedelta(weeks=1 if complete_only else 0)
    return _Window(first=through_week - timedelta(weeks=weeks - 1), last=through_week)


def compute_trends(
    session: Session,
    *,
    now: datetime,
    min_group: int,
    weeks: int,
    complete_only: bool,
    survey_names: Iterable[str] | None = None,
    include_org: bool = False,
    org_timezone: str = "UTC",
    through_week: date | None = None,
) -> Trends:
    """Every team's (or the named teams') weekly figures over the window, and the organisation's."""
    if include_org:
        survey_names = None  # the subtraction rule needs every team's week
    query = select(Survey).order_by(Survey.name)
    if survey_names is not None:
        query = query.where(Survey.name.in_(list(survey_names)))
    surveys = list(session.exec(query).all())
    windows = {
        survey.id: window(
            now=now,
            timezone=survey.timezone,
            weeks=weeks,
            complete_only=complete_only,
            through_week=through_week,
        )
        for survey in surveys
    }
    org_window = window(
        now=now, timezone=org_timezone, weeks=weeks, complete_only=complete_only, through_week=through_week
    )
    spans = [*windows.values(), org_window] if include_org else list(windows.values())
    if not spans:
        return Trends(teams={})
    first, last = min(w.first for w in spans), max(w.last for w in spans) + timedelta(days=6)
    survey_ids = None if survey_names is None else list(windows)
    raw = _Raw.load(session, first=first, last=last, survey_ids=survey_ids)

    teams: dict[str, Trend] = {}
    for survey in surveys:
        figures = [
            _team_week(raw, survey_id=survey.id, week=week, min_group=min_group)
            for week in windows[survey.id].weeks()
        ]
        teams[survey.name] = Trend(
            scope=survey.name,
            title=survey.title,
            timezone=survey.timezone,
            weeks=_with_changes(figures),
            survey_id=survey.id,
        )
    org = None
    if include_org:
        org = _org_trend(session, raw, org_window, teams=teams, min_group=min_group, timezone=org_timezone)
    return Trends(teams=teams, org=org)


def team_trend(
    session: Session,
    *,
    survey_name: str,
    now: datetime,
    min_group: int,
    weeks: int,
    complete_only: bool,
    through_week: date | None = None,
) -> Trend:
    trends = compute_trends(
        session,
        now=now,
        min_group=min_group,
        weeks=weeks,
        complete_only=complete_only,
        survey_names=[survey_name],
        through_week=through_week,
    )
    return trends.teams[survey_name]


# --- the SQL --------------------------------------------------------------------------------------


def runs_in_window(first: date, last: date, survey_ids: list[int] | None = None) -> CTE:
    """The runs dated `first`..`last` with their ISO week, as a CTE every aggregate starts from.

    MATERIALIZED makes both databases compute the week once per run (not once per answer) and then
    reach answers and deliveries through their run_id indexes, so only the window's rows are read.
    """
    query = select(
        PulseRun.id.label("id"),
        PulseRun.survey_id.label("survey_id"),
        iso_week_start(PulseRun.run_date).label("week"),
    ).where(PulseRun.run_date >= first, PulseRun.run_date <= last)
    if survey_ids is not None:
        query = query.where(PulseRun.survey_id.in_(survey_ids))
    return query.cte("runs").prefix_with("MATERIALIZED")


@dataclass
class _Raw:
    """Aggregates straight from the database, keyed by (survey_id, week)."""

    people: dict[tuple[int, date], tuple[int, int]]  # audience, respondents
    values: dict[tuple[int, date], list[tuple[int, int, int, tuple[int, ...]]]]  # question, n, sum, counts
    comments: dict[tuple[int, date], tuple[int, int, float, int, int]]  # count, rated, sum, neg, pos
    questions: dict[int, _QuestionInfo]
    runs: dict[tuple[int, date], list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, *, first: date, last: date, survey_ids: list[int] | None) -> _Raw:
        runs = runs_in_window(first, last, survey_ids)
        team_week = (runs.c.survey_id, runs.c.week)
        audiences = session.exec(
            select(*team_week, func.count(distinct(Delivery.user_id)))
            .select_from(runs)
            .join(Delivery, Delivery.run_id == runs.c.id)
            .group_by(*team_week)
        ).all()
        # Who answered is known from the answers alone: a token per person and run.
        answered = dict(
            ((survey_id, week), count)
            for survey_id, week, count in session.exec(
                select(*team_week, func.count(distinct(Answer.respondent)))
                .select_from(runs)
                .join(Answer, Answer.run_id == runs.c.id)
                .group_by(*team_week)
            ).all()
        )
        people = [
            (survey, week, audience, answered.get((survey, week), 0)) for survey, week, audience in audiences
        ]
        values = session.exec(
            select(
                *team_week,
                Answer.question_id,
                func.count(Answer.value),
                func.sum(Answer.value),
                *(func.count().filter(Answer.value == value) for value in _VALUES),
            )
            .select_from(runs)
            .join(Answer, Answer.run_id == runs.c.id)
            .where(Answer.value.is_not(None))
            .group_by(*team_week, Answer.question_id)
        ).all()
        comments = session.exec(
            select(
                *team_week,
                func.count(),  # every row here has a comment; counting rows keeps to the index
                func.count(Answer.sentiment),
                func.sum(Answer.sentiment),
                func.count().filter(Answer.sentiment <= NEGATIVE_FROM),
                func.count().filter(Answer.sentiment >= POSITIVE_FROM),
            )
            .select_from(runs)
            .join(Answer, Answer.run_id == runs.c.id)
            .where(Answer.comment.is_not(None))
            .group_by(*team_week)
        ).all()
        run_ids = session.exec(select(*team_week, runs.c.id)).all()

        raw = cls(people={}, values=defaultdict(list), comments={}, questions={})
        for survey_id, week, audience, respondents in people:
            raw.people[(survey_id, week)] = (audience, respondents)
        for survey_id, week, question_id, n, total, *counts in values:
            raw.values[(survey_id, week)].append((question_id, n, int(total or 0), tuple(counts)))
        for survey_id, week, count, rated, total, negative, positive in comments:
            raw.comments[(survey_id, week)] = (count, rated, float(total or 0.0), negative, positive)
        for survey_id, week, run_id in run_ids:
            raw.runs.setdefault((survey_id, week), []).append(run_id)
        kept_weeks.overlay(raw, session, first=first, last=last, survey_ids=survey_ids)
        question_ids = {row[0] for rows in raw.values.values() for row in rows}
        if question_ids:
            columns = (Question.id, Question.key, Question.version, Question.prompt, Question.kind)
            rows = session.exec(
                select(*columns, Question.position).where(Question.id.in_(question_ids))
            ).all()
            raw.questions = {row[0]: _QuestionInfo(*row) for row in rows}
        return raw


def raw_totals(session: Session, *, first: date, last: date, survey_ids: list[int] | None) -> _Raw:
    """The totals the weekly figures are made from, keyed by (survey_id, week) (retention keeps them)."""
    return _Raw.load(session, first=first, last=last, survey_ids=survey_ids)


def _answered_people_per_week(session: Session, run_ids: list[int]) -> dict[date, int]:
    """Distinct people who answered any of these runs, per week (runs of different teams may share people)."""
    if not run_ids:
        return {}
    week = iso_week_start(PulseRun.run_date)
    rows = session.exec(
        select(week, func.count(distinct(Answer.respondent)))
        .join(PulseRun, PulseRun.id == Answer.run_id)
        .where(Answer.run_id.in_(run_ids))
        .group_by(week)
    ).all()
    return dict(rows)


def _org_people(session: Session, org_window: _Window) -> dict[date, tuple[int, int]]:
    runs = runs_in_window(org_window.first, org_window.last + timedelta(days=6))
    audiences = session.exec(
        select(runs.c.week, func.count(distinct(Delivery.user_id)))
        .select_from(runs)
        .join(Delivery, Delivery.run_id == runs.c.id)
        .group_by(runs.c.week)
    ).all()
    answered = dict(
        session.exec(
            select(runs.c.week, func.count(distinct(Answer.respondent)))
            .select_from(runs)
            .join(Answer, Answer.run_id == runs.c.id)
            .group_by(runs.c.week)
        ).all()
    )
    return {week: (audience, answered.get(week, 0)) for week, audience in audiences}


# --- from aggregates to figures ---------------------------------------------------------------------


class _Totals:
    """Additive totals of rated answers, so questions or teams can be combined exactly."""

    __slots__ = ("detractors", "n", "promoters", "total")

    def __init__(self) -> None:
        self.n = self.total = self.promoters = self.detractors = 0

    def add(self, n: int, total: int, counts: tuple[int, ...]) -> None:
        self.n += n
        self.total += total
        self.promoters += counts[9] + counts[10]
        self.detractors += sum(counts[0:7])

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def enps(self) -> float | None:
        return enps(promoters=self.promoters, detractors=self.detractors, answers=self.n)


def enps(*, promoters: int, detractors: int, answers: int) -> float | None:
    """Employee Net Promoter Score over the non-skipped answers: % promoters − % detractors (−100 … 100)."""
    if answers == 0:
        return None
    return 100.0 * (promoters - detractors) / answers


class _QuestionInfo(NamedTuple):
    id: int
    key: str
    version: int
    prompt: str
    kind: QuestionKind
    position: int


def _question_week(
    question: _QuestionInfo, n: int, total: int, counts: tuple[int, ...], *, min_group: int
) -> QuestionWeek:
    if n < min_group:
        return QuestionWeek(
            question.id, question.key, question.version, question.prompt, question.kind, WeekStatus.suppressed
        )
    if question.kind is QuestionKind.scale:
        distribution = counts[1:6]
    elif question.kind is QuestionKind.yes_no:
        distribution = counts[0:2]
    else:
        distribution = counts
    net = None
    if question.kind is QuestionKind.enps:
        net = enps(promoters=counts[9] + counts[10], detractors=sum(counts[0:7]), answers=n)
    return QuestionWeek(
        question.id,
        question.key,
        question.version,
        question.prompt,
        question.kind,
        WeekStatus.shown,
        answers=n,
        mean=total / n,
        distribution=distribution,
        enps=net,
    )


def _team_week(raw: _Raw, *, survey_id: int, week: date, min_group: int) -> WeekFigures:
    key = (survey_id, week)
    if key not in raw.people:
        return WeekFigures(week=week, status=WeekStatus.no_data)
    audience, respondents = raw.people[key]
    if respondents < min_group:
        return WeekFigures(week=week, status=WeekStatus.suppressed)
    # The SQL grouped by question already: one row per question of the week.
    rows = sorted(raw.values.get(key, []), key=lambda row: raw.questions[row[0]].position)
    questions = []
    score, net = _Totals(), _Totals()
    for question_id, n, total, counts in rows:
        question = _question_week(raw.questions[question_id], n, total, counts, min_group=min_group)
        questions.append(question)
        if question.status is WeekStatus.shown and question.kind is QuestionKind.scale:
            score.add(n, total, counts)
        elif question.status is WeekStatus.shown and question.kind is QuestionKind.enps:
            net.add(n, total, counts)
    return WeekFigures(
        week=week,
        status=WeekStatus.shown,
        respondents=respondents,
        audience=audience,
        response_rate=respondents / audience if audience else None,
        score=score.mean,
        enps=net.enps,
        questions=tuple(questions),
        **_comment_figures(raw.comments.get(key)),
    )


def _comment_figures(row: tuple[int, int, float, int, int] | None) -> dict:
    count, rated, total, negative, positive = row or (0, 0, 0.0, 0, 0)
    if not rated:
        return {"comments": count}
    return {
        "comments": count,
        "sentiment": total / rated,
        "negative_share": negative / rated,
        "positive_share": positive / rated,
    }


def _org_trend(
    session: Session,
    raw: _Raw,
    org_window: _Window,
    *,
    teams: dict[str, Trend],
    min_group: int,
    timezone: str,
) -> Trend:
    people = _org_people(session, org_window)
    # Rule 3: the people behind the withheld team-weeks, counted once even when they sit in two teams.
    shown = {(trend.survey_id, week.week) for trend in teams.values() for week in trend.weeks if week.shown}
    hidden_runs = [
        run_id
        for (survey_id, week), run_ids in raw.runs.items()
        if (survey_id, week) not in shown and org_window.first <= week <= org_window.last
        for run_id in run_ids
    ]
    hidden_people = _answered_people_per_week(session, hidden_runs)
    # Every team's answers count in the organisation's figures, withheld teams' included.
    scores: dict[date, _Totals] = defaultdict(_Totals)
    nets: dict[date, _Totals] = defaultdict(_Totals)
    for (_survey_id, week), rows in raw.values.items():
        for question_id, n, total, counts in rows:
            kind = raw.questions[question_id].kind
            if kind is QuestionKind.scale:
                scores[week].add(n, total, counts)
            elif kind is QuestionKind.enps:
                nets[week].add(n, total, counts)
    comment_rows: dict[date, list] = defaultdict(lambda: [0, 0, 0.0, 0, 0])
    for (_survey_id, week), row in raw.comments.items():
        comment_rows[week] = [a + b for a, b in zip(comment_rows[week], row, strict=True)]
    figures = []
    for week in org_window.weeks():
        if week not in people:
            figures.append(WeekFigures(week=week, status=WeekStatus.no_data))
            continue
        audience, respondents = people[week]
        hidden = hidden_people.get(week, 0)
        if respondents < min_group or 0 < hidden < min_group:
            figures.append(WeekFigures(week=week, status=WeekStatus.suppressed))
            continue
        score, net = scores[week], nets[week]
        comments = comment_rows[week]
        figures.append(
            WeekFigures(
                week=week,
                status=WeekStatus.shown,
                respondents=respondents,
                audience=audience,
                response_rate=respondents / audience if audience else None,
                score=score.mean if score.n >= min_group else None,
                enps=net.enps if net.n >= min_group else None,
                **_comment_figures(tuple(comments)),
            )
        )
    return Trend(scope=ORG, title=ORG_TITLE, timezone=timezone, weeks=_with_changes(figures))


def _with_changes(figures: list[WeekFigures]) -> tuple[WeekFigures, ...]:
    """Add each shown week's change since the latest earlier shown week (never across a hidden one's data)."""
    result: list[WeekFigures] = []
    previous: WeekFigures | None = None
    for figure in figures:
        if figure.shown:
            if previous is not None:
                figure = replace(
                    figure,
                    compared_with=previous.week,
                    score_change=_difference(figure.score, previous.score),
                    enps_change=_difference(figure.enps, previous.enps),
                    sentiment_change=_difference(figure.sentiment, previous.sentiment),
                    response_rate_change=_difference(figure.response_rate, previous.response_rate),
                )
            previous = figure
        result.append(figure)
    return tuple(result)


def _difference(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before
