"""Participation effect: does a team answer more once its results are shared with it?

For each team that has shared its results at least once, its response rate (people who answered over
people asked, summed over weeks) in the weeks up to and including the first week it shared, against the
weeks after it; the same for all sharing teams together, and for the teams that never shared, split at
the first share of any team, over the same window (the background every team moves with).

Only shown weeks count — closed pulses at or above the minimum group, exactly the weeks whose respondents
and audience the digest and `pulsebot report` already show — so every total here is a sum of figures
already on view: a hidden week adds nothing to either side, and nothing about it can be had by
subtracting this report from the weekly figures. Those people are read, for every team at once, from the
figures each run released when it closed (services/results/week_totals.py `load_people`, one query, with
the weeks retention kept), under the weekly figures' own rules; no question or comment is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.results import week_totals
from pulsebot.services.results.analytics import window
from pulsebot.store.models import ResultsShare, Survey


@dataclass(frozen=True)
class Side:
    """Shown weeks on one side of the split: how many, and the people asked and answering in them."""

    weeks: int = 0
    respondents: int = 0
    audience: int = 0

    @property
    def rate(self) -> float | None:
        return self.respondents / self.audience if self.audience else None

    def __add__(self, other: Side) -> Side:
        return Side(
            self.weeks + other.weeks, self.respondents + other.respondents, self.audience + other.audience
        )


@dataclass(frozen=True)
class TeamWeeks:
    """A team's weeks of the window: the shown ones' people, and how many were hidden."""

    title: str
    shown: tuple[tuple[date, int, int], ...]  # (Monday, respondents, audience)
    hidden: int
    weeks: tuple[date, ...]


@dataclass(frozen=True)
class Line:
    """One line of the report: a team, or a group of teams, before and after the split."""

    label: str
    before: Side
    after: Side
    split: date | None = None  # the Monday of the week the split follows (the first shared week)
    teams: int | None = None  # a group's number of teams; None for one team's line
    name: str | None = None  # one team's survey name

    @property
    def change_points(self) -> float | None:
        """The change in percentage points, from the two rates as shown (whole percents)."""
        if self.before.rate is None or self.after.rate is None:
            return None
        return round(100 * self.after.rate) - round(100 * self.before.rate)


@dataclass(frozen=True)
class ParticipationEffect:
    first_week: date  # the window's first Monday
    last_week: date  # and its last
    teams: tuple[Line, ...]  # each team that shared at least once, by name
    sharing: Line | None  # all of them together
    never: Line | None  # the teams that never shared, split at the first share of any team
    hidden_weeks: int  # team-weeks with answers left out because they are not shown
    min_group: int


def participation_effect(
    session: Session, *, now: datetime, min_group: int, weeks: int
) -> ParticipationEffect:
    """The report over the last `weeks` complete weeks of every team."""
    teams_weeks = team_weeks(session, now=now, min_group=min_group, weeks=weeks)
    first_shares = dict(
        session.exec(
            select(Survey.name, func.min(ResultsShare.week))
            .join(ResultsShare, ResultsShare.survey_id == Survey.id)
            .group_by(Survey.name)
        ).all()
    )
    lines = {}
    hidden = 0
    for name, trend in teams_weeks.items():
        hidden += trend.hidden
        if name in first_shares:
            before, after = _split(trend, first_shares[name])
            lines[name] = Line(
                label=trend.title, before=before, after=after, split=first_shares[name], name=name
            )
    teams = tuple(lines[name] for name in sorted(lines))
    sharing = None
    if teams:
        sharing = Line(
            label="All teams that shared",
            before=sum((line.before for line in teams), Side()),
            after=sum((line.after for line in teams), Side()),
            teams=len(teams),
        )
    never = None
    others = [trend for name, trend in teams_weeks.items() if name not in first_shares]
    if others and first_shares:
        split = min(first_shares.values())
        sides = [_split(trend, split) for trend in others]
        never = Line(
            label="Teams that never shared",
            before=sum((before for before, _ in sides), Side()),
            after=sum((after for _, after in sides), Side()),
            split=split,
            teams=len(others),
        )
    all_weeks = [week for trend in teams_weeks.values() for week in trend.weeks]
    return ParticipationEffect(
        first_week=min(all_weeks, default=now.date()),
        last_week=max(all_weeks, default=now.date()),
        teams=teams,
        sharing=sharing,
        never=never,
        hidden_weeks=hidden,
        min_group=min_group,
    )


def team_weeks(session: Session, *, now: datetime, min_group: int, weeks: int) -> dict[str, TeamWeeks]:
    """Every team's last `weeks` complete weeks in its own time zone, as its weekly figures show them: a
    week is shown when a closed run of it counted and its respondents reach today's minimum (a week kept
    by retention is read again under it), hidden when its runs are too few or still open."""
    surveys = session.exec(select(Survey.id, Survey.name, Survey.title, Survey.timezone)).all()
    windows = {
        survey_id: window(now=now, timezone=timezone, weeks=weeks, complete_only=True)
        for survey_id, _, _, timezone in surveys
    }
    if not windows:
        return {}
    first = min(each.first for each in windows.values())
    last = max(each.last for each in windows.values()) + timedelta(days=6)
    totals = week_totals.load_people(session, first=first, last=last, survey_ids=None, min_group=min_group)
    teams = {}
    for survey_id, name, title, _ in surveys:
        shown, hidden, mondays = [], 0, windows[survey_id].weeks()
        for monday in mondays:
            key = (survey_id, monday)
            audience, respondents = totals.people.get(key, (0, 0))
            if key in totals.withheld or (key in totals.people and respondents < min_group):
                hidden += 1
            elif key in totals.people:
                shown.append((monday, respondents, audience))
        teams[name] = TeamWeeks(title=title, shown=tuple(shown), hidden=hidden, weeks=tuple(mondays))
    return teams


def _split(trend: TeamWeeks, shared_week: date) -> tuple[Side, Side]:
    """The team's shown weeks up to and including `shared_week` (answered before anything was shared),
    and those after it."""
    before, after = Side(), Side()
    for monday, respondents, audience in trend.shown:
        if not audience:
            continue
        side = Side(1, respondents, audience)
        if monday <= shared_week:
            before += side
        else:
            after += side
    return before, after
