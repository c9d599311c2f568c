"""Weekly figures per team and for the whole organisation, aggregated in SQL.

A team is a survey's audience. A week is an ISO week (Monday to Sunday) in the survey's time zone: an
answer carries its run's local date, so the week is that date's Monday and needs no time-zone arithmetic.
The database does the counting, grouped by (survey, week[, question]) over the trend window only, so the
cost follows the window, not the years of history behind it.

Threshold rules (N is `settings.min_group`); week_totals.py decides which runs and answers count:

1. Only closed runs count, and only a run whose own respondents reach N (plus the managers it asked);
   a team's week is shown when at least one of its runs counts. Otherwise every figure of that week
   (respondents, rate, scores, comments, themes, chart point, export row) is withheld, and the week says
   why (`withheld`): too few answered, or its pulse is still open.
2. Within a shown week, a rated question's mean, distribution and eNPS are shown only when its counted
   answers reach N and its counts pass the rule for distributions (services/privacy/distributions.py:
   after removing one person's answers the rest still fall in two options at least); the team's score
   and eNPS are made of its shown questions only.
3. No subtraction: the organisation's week is made only of what the teams' own figures show — the shown
   team-weeks, and in them only the shown questions — so the organisation minus any teams never yields a
   hidden figure. Its respondents and audience are the sums of the shown teams' (a person in two teams
   counts in each, as tokens cannot tell). With no team's week shown, it is withheld as `teams_hidden`.

A withheld figure is None with `status=suppressed`; a week without any pulse is `status=no_data`.
Neither is ever shown as zero.
"""

from __future__ import annotations

import enum
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlmodel import Session, select

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.privacy.distributions import shown_counts
from pulsebot.services.results import week_totals
from pulsebot.services.results.released_figures import ReleasedFigures
from pulsebot.services.results.week_totals import QuestionInfo, WeekTotals, Withheld, counts_shown
from pulsebot.store.among import among
from pulsebot.store.models import QuestionKind, Survey
from pulsebot.store.weeks import week_start

ORG = "org"
ORG_TITLE = "Whole organisation"
RATED = (QuestionKind.scale, QuestionKind.enps, QuestionKind.yes_no)


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
    # Enough answered, but so alike that any figure would tell someone a colleague's answer: only
    # `answers` is shown.
    too_alike: bool = False

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
    # Some comments were not in English, so the sentiment leaves them out (results/comment_language.py).
    # A yes or no, never how many: a count would say how many wrote in another language.
    unscored_comments: bool = False
    negative_share: float | None = None
    positive_share: float | None = None
    questions: tuple[QuestionWeek, ...] = ()
    # Change since the latest earlier shown week in the window (None when there is none).
    compared_with: date | None = None
    score_change: float | None = None
    enps_change: float | None = None
    sentiment_change: float | None = None
    response_rate_change: float | None = None
    withheld: Withheld | None = None  # why a suppressed week has no figures
    held: int | None = None  # sends the weekly limit held, when released (at least the minimum group)

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
    # The runs each shown week is made of (its comments are theirs alone); empty for a kept week.
    shown_runs: dict[date, tuple[int, ...]] = field(default_factory=dict)

    @property
    def latest(self) -> WeekFigures:
        return self.weeks[-1]

    def latest_with_data(self) -> WeekFigures | None:
        return next((week for week in reversed(self.weeks) if week.status is not WeekStatus.no_data), None)

    def latest_settled(self) -> WeekFigures | None:
        """The latest week with a pulse that is no longer open (a week still open has nothing to show)."""
        return next(
            (
                week
                for week in reversed(self.weeks)
                if week.status is not WeekStatus.no_data and week.withheld is not Withheld.still_open
            ),
            None,
        )


def withheld_words(figures: WeekFigures, min_group: int, tr: Translator = ENGLISH) -> str:
    """Why a week has no figures, truthfully, in a few words (in `tr`'s language)."""
    if figures.withheld is Withheld.still_open:
        return tr.gettext("its pulse is still open")
    if figures.withheld is Withheld.teams_hidden:
        return tr.gettext("no team's week could be shown")
    return tr.gettext("fewer than {min_group} answered").format(min_group=min_group)


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
    figures: ReleasedFigures | None = None,
) -> Trends:
    """Every team's (or the named teams') weekly figures over the window, and the organisation's.
    `figures`: the released figures a pass over the organisation reads once (a fresh read without)."""
    if include_org:
        survey_names = None  # the subtraction rule needs every team's week
    # Plain rows, not ORM objects: a large organisation has thousands of teams.
    query = select(Survey.id, Survey.name, Survey.title, Survey.timezone).order_by(Survey.name)
    if survey_names is not None:
        query = query.where(among(Survey.name, survey_names))
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
    raw = week_totals.load(
        session, first=first, last=last, survey_ids=survey_ids, min_group=min_group, figures=figures
    )

    teams: dict[str, Trend] = {}
    shown = _ShownQuestions(raw, min_group)
    for survey in surveys:
        team_weeks = _with_changes(
            [
                _team_week(raw, shown, survey_id=survey.id, week=week, min_group=min_group)
                for week in windows[survey.id].weeks()
            ]
        )
        teams[survey.name] = Trend(
            scope=survey.name,
            title=survey.title,
            timezone=survey.timezone,
            weeks=team_weeks,
            survey_id=survey.id,
            shown_runs={
                figure.week: tuple(raw.runs.get((survey.id, figure.week), ()))
                for figure in team_weeks
                if figure.shown
            },
        )
    org = None
    if include_org:
        org = _org_trend(raw, shown, org_window, min_group=min_group, timezone=org_timezone)
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


def raw_totals(
    session: Session, *, first: date, last: date, survey_ids: list[int] | None, min_group: int
) -> WeekTotals:
    """The totals the weekly figures are made from, keyed by (survey_id, week) (retention keeps them)."""
    return week_totals.load(session, first=first, last=last, survey_ids=survey_ids, min_group=min_group)


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

    def merge(self, other: _Totals) -> None:
        self.n += other.n
        self.total += other.total
        self.promoters += other.promoters
        self.detractors += other.detractors

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


def _question_week(
    question: QuestionInfo, n: int, total: int, counts: tuple[int, ...], *, min_group: int
) -> QuestionWeek:
    # Positional fields throughout: every team's every question of the window passes here.
    qid, key, version, prompt, kind = question[:5]
    if n < min_group:
        return QuestionWeek(qid, key, version, prompt, kind, WeekStatus.suppressed)
    if not counts_shown(kind, counts):
        return QuestionWeek(qid, key, version, prompt, kind, WeekStatus.suppressed, n, too_alike=True)
    net = None
    if kind is QuestionKind.scale:
        distribution = counts[1:6]
    elif kind is QuestionKind.yes_no:
        distribution = counts[0:2]
    else:
        distribution = counts
        net = enps(promoters=counts[9] + counts[10], detractors=sum(counts[0:7]), answers=n)
    return QuestionWeek(qid, key, version, prompt, kind, WeekStatus.shown, n, total / n, distribution, net)


def _shown(raw: WeekTotals, key: tuple[int, date], min_group: int) -> bool:
    # A kept week is read again under today's minimum, which may have been raised since.
    return key in raw.people and raw.people[key][1] >= min_group


class _WeekQuestions(NamedTuple):
    questions: tuple[QuestionWeek, ...]  # in the survey's order
    score: _Totals  # rule 2: the shown 1–5 questions, read so that higher is better
    net: _Totals  # the shown eNPS questions


class _ShownQuestions:
    """Each shown team-week's questions, worked out once: the team's own figures and the organisation's
    sum of them (rule 3) are made of exactly the same shown questions."""

    def __init__(self, raw: WeekTotals, min_group: int) -> None:
        self.raw, self.min_group = raw, min_group
        self._weeks: dict[tuple[int, date], _WeekQuestions] = {}

    def __getitem__(self, key: tuple[int, date]) -> _WeekQuestions:
        found = self._weeks.get(key)
        if found is None:
            found = self._weeks[key] = self._work_out(key)
        return found

    def _work_out(self, key: tuple[int, date]) -> _WeekQuestions:
        info, min_group = self.raw.questions, self.min_group
        # The totals hold one row per question of the week.
        rows = sorted(self.raw.values.get(key, ()), key=lambda row: info[row[0]].position)
        questions = []
        score, net = _Totals(), _Totals()
        for question_id, n, total, counts in rows:
            asked = info[question_id]
            question = _question_week(asked, n, total, counts, min_group=min_group)
            questions.append(question)
            if question.status is not WeekStatus.shown:
                continue
            if asked.kind is QuestionKind.scale:
                # The mood reads higher as better: a reversed library item's answer v counts as 6 − v
                # (the question's own figure stays as answered). Only its sum counts towards the mood.
                score.n += n
                score.total += 6 * n - total if asked.reversed else total
            elif asked.kind is QuestionKind.enps:
                net.add(n, total, counts)
        return _WeekQuestions(tuple(questions), score, net)


def _team_week(
    raw: WeekTotals, shown: _ShownQuestions, *, survey_id: int, week: date, min_group: int
) -> dict:
    """A team's week as the fields of its WeekFigures (its change is added by `_with_changes`)."""
    key = (survey_id, week)
    if key in raw.withheld:
        return dict(week=week, status=WeekStatus.suppressed, withheld=raw.withheld[key])
    if key not in raw.people:
        return dict(week=week, status=WeekStatus.no_data)
    if not _shown(raw, key, min_group):
        return dict(week=week, status=WeekStatus.suppressed, withheld=Withheld.too_few)
    audience, respondents = raw.people[key]
    questions, score, net = shown[key]
    return dict(
        week=week,
        status=WeekStatus.shown,
        respondents=respondents,
        audience=audience,
        response_rate=respondents / audience if audience else None,
        score=score.mean,
        enps=net.enps,
        questions=questions,
        held=raw.held.get(key),
        **_comment_figures(raw.comments.get(key)),
    )


def _comment_figures(row: tuple[int, int, float, int, int] | None) -> dict:
    count, rated, total, negative, positive = row or (0, 0, 0.0, 0, 0)
    unscored = rated < count
    if not rated:
        return {"comments": count, "unscored_comments": unscored}
    if shown_counts((negative, rated - negative - positive, positive)) is None:
        # "1 negative, 4 positive" tells the one who complained how the others' comments read.
        return {"comments": count, "sentiment": total / rated, "unscored_comments": unscored}
    return {
        "comments": count,
        "unscored_comments": unscored,
        "sentiment": total / rated,
        "negative_share": negative / rated,
        "positive_share": positive / rated,
    }


def _org_trend(
    raw: WeekTotals, shown: _ShownQuestions, org_window: _Window, *, min_group: int, timezone: str
) -> Trend:
    """Rule 3: the organisation is the sum of what the teams' own figures show, and nothing else; its
    count of pulses the weekly limit held, the one exception, adds the shown teams' small counts too,
    under a rule of its own (`_org_held`)."""
    people: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    scores: dict[date, _Totals] = defaultdict(_Totals)
    nets: dict[date, _Totals] = defaultdict(_Totals)
    comment_rows: dict[date, list] = defaultdict(lambda: [0, 0, 0.0, 0, 0])
    held: dict[date, list[int]] = defaultdict(lambda: [0, 0])  # every count of the shown teams, those shown
    withheld: dict[date, set[Withheld]] = defaultdict(set)
    for key, reason in raw.withheld.items():
        withheld[key[1]].add(reason)
    for key, (audience, respondents) in raw.people.items():
        week = key[1]
        if not _shown(raw, key, min_group):
            withheld[week].add(Withheld.too_few)
            continue
        people[week][0] += audience
        people[week][1] += respondents
        # The questions shown in the team's own figures, and no other: a hidden one stays out here too.
        _, score, net = shown[key]
        scores[week].merge(score)
        nets[week].merge(net)
        held[week][0] += raw.held_total.get(key, 0)
        held[week][1] += raw.held.get(key, 0)
        if key in raw.comments:
            comment_rows[week] = [a + b for a, b in zip(comment_rows[week], raw.comments[key], strict=True)]
    figures = []
    for week in org_window.weeks():
        if week not in people:
            if not withheld[week]:
                figures.append(dict(week=week, status=WeekStatus.no_data))
                continue
            reason = Withheld.still_open if withheld[week] == {Withheld.still_open} else Withheld.teams_hidden
            figures.append(dict(week=week, status=WeekStatus.suppressed, withheld=reason))
            continue
        audience, respondents = people[week]
        score, net = scores[week], nets[week]
        figures.append(
            dict(
                week=week,
                status=WeekStatus.shown,
                respondents=respondents,
                audience=audience,
                response_rate=respondents / audience if audience else None,
                score=score.mean if score.n >= min_group else None,
                enps=net.enps if net.n >= min_group else None,
                held=_org_held(*held[week], min_group=min_group),
                **_comment_figures(tuple(comment_rows[week])),
            )
        )
    return Trend(scope=ORG, title=ORG_TITLE, timezone=timezone, weeks=_with_changes(figures))


def _org_held(total: int, shown: int, *, min_group: int) -> int | None:
    """How many people's pulses the weekly limit held across the organisation's shown teams, or None.

    Each team's own count is shown only at the minimum group or more, so the total less the teams' shown
    counts is what the hidden small counts add up to: the total is shown only when that is none at all
    or at least the minimum group, never one team's one or two held people."""
    hidden = total - shown
    return total if total >= min_group and (hidden == 0 or hidden >= min_group) else None


def _with_changes(figures: list[dict]) -> tuple[WeekFigures, ...]:
    """The weeks' figures, each shown week with its change since the latest earlier shown week (never
    across a hidden one's data). Made from their fields at once: a copy of each week would cost as much."""
    result: list[WeekFigures] = []
    previous: dict | None = None
    for figure in figures:
        if figure["status"] is WeekStatus.shown:
            if previous is not None:
                figure |= {
                    "compared_with": previous["week"],
                    "score_change": _difference(figure.get("score"), previous.get("score"), digits=1),
                    "enps_change": _difference(figure.get("enps"), previous.get("enps"), digits=0),
                    "sentiment_change": _difference(
                        figure.get("sentiment"), previous.get("sentiment"), digits=2
                    ),
                    "response_rate_change": _difference(
                        figure.get("response_rate"), previous.get("response_rate"), digits=2
                    ),
                }
            previous = figure
        result.append(WeekFigures(**figure))
    return tuple(result)


def _difference(now: float | None, before: float | None, *, digits: int) -> float | None:
    """The change between two figures as they are shown (mood to 0.1, eNPS to 1, sentiment to 0.01, a
    response rate to a whole percent), so a change never contradicts the figures beside it."""
    if now is None or before is None:
        return None
    return round(round(now, digits) - round(before, digits), digits)
