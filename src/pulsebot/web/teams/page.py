"""A team's page, read from the same released figures as its digest: the digest itself (built by
services/digest/digests.py, its changes as shown), its trend chart drawn by charts.py as SVG, and what
an action can be about (services/loop/focus.py). Nothing is counted here."""

from __future__ import annotations

import base64
import random
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cachetools import LRUCache
from sqlmodel import Session

from pulsebot.charts import chart_weeks, date_range, trend_svg_chart
from pulsebot.services.digest import digest_text as words
from pulsebot.services.digest import driver_text
from pulsebot.services.digest.digests import Digest, build_digests
from pulsebot.services.digest.managers import managers_of
from pulsebot.services.loop import progress_text
from pulsebot.services.loop.actions import FINISHED_SHOWN_FOR, LABELS, NEXT, actions_of
from pulsebot.services.loop.focus import FocusOptions, focus_options
from pulsebot.services.results.analytics import WeekStatus
from pulsebot.store.models import Survey

TREND_CHOICES = (12, 26, 52)
# Drawing a chart takes matplotlib the best part of a second, and a week's released figures never change:
# each chart is kept, by the figures it shows, for the next look at the same weeks.
_charts: LRUCache = LRUCache(maxsize=256)
_charts_lock = threading.Lock()


@dataclass(frozen=True)
class TrendRow:
    week: str
    figures: str  # the week's figures as the digest's trend reads, or why there are none
    anchor: str  # the row's id, which the chart's week links to


@dataclass(frozen=True)
class ChartColumn:
    """One week's column of the chart: where it is drawn, and its figures as the table gives them."""

    x: float
    y: float
    width: float
    height: float
    label: str
    anchor: str


@dataclass(frozen=True)
class Chart:
    url: str  # a data: URL of the SVG drawn by charts.py
    width: float
    height: float
    weeks: tuple[ChartColumn, ...]  # oldest first, as drawn


@dataclass(frozen=True)
class ActionRow:
    id: int
    headline: str
    owner: str
    progress: tuple[str, ...]
    text: str
    owner_id: str
    due: str  # ISO, as the edit form's date field takes it
    moves: tuple[tuple[str, str], ...]  # (status, label) it may go to next, as Slack's buttons offer
    shared: bool  # posted to the team's channel: changed in Slack, where the team is told


@dataclass(frozen=True)
class TeamPage:
    name: str
    title: str
    digest: Digest  # its changes as shown (digest_text.as_shown)
    week: str
    headline: tuple[tuple[str, str], ...]
    questions: tuple[str, ...]
    drivers_title: str | None
    drivers: tuple[str, ...]
    actions: tuple[ActionRow, ...]
    trend: tuple[TrendRow, ...]
    trend_weeks: int
    chart: Chart | None  # None when not one week may be shown
    chart_alt: str
    footer: str


def trend_weeks(asked: str | None) -> int:
    """The trend's length from the page's `weeks`: one of TREND_CHOICES, else the first."""
    try:
        weeks = int(asked or 0)
    except ValueError:
        return TREND_CHOICES[0]
    return weeks if weeks in TREND_CHOICES else TREND_CHOICES[0]


def team_page(
    session: Session, *, survey: Survey, now: datetime, min_group: int, weeks: int, viewer: str
) -> TeamPage:
    # The quoted comments are the digest's, in an order fixed by the team and the week rather than by the
    # request, so reloading the page tells nothing that the first look did not.
    digests, _ = build_digests(
        session,
        now=now,
        min_group=min_group,
        weeks=weeks,
        survey_names=[survey.name],
        rng=random.Random(f"{survey.name}"),
    )
    digest = words.as_shown(digests[survey.name])
    figures = digest.figures
    drivers_title, drivers = None, ()
    if digest.drivers is not None:
        drivers_title = f"Drivers over {driver_text.window(digest.drivers)}"
        drivers = tuple(driver_text.summary_lines(digest.drivers, min_group))
    chart_title = f"{digest.title}: the last {len(digest.trend)} weeks"
    chart = None
    if digest.has_chart_points:
        url, width, height, columns = _chart(
            tuple(chart_weeks(digest)), title=chart_title, min_group=min_group, marked=digest.week
        )
        chart = Chart(
            url=url,
            width=width,
            height=height,
            weeks=tuple(
                ChartColumn(
                    *column,
                    label=f"{words.week_label(week.week)}: {_trend_figures(week, min_group)}",
                    anchor=_anchor(week.week),
                )
                for column, week in zip(columns, digest.trend, strict=True)
            ),
        )
    first, last = digest.trend[0].week, digest.trend[-1].week
    return TeamPage(
        name=survey.name,
        title=survey.title,
        digest=digest,
        week=words.week_label(digest.week),
        headline=tuple(words.headline(figures, min_group)),
        questions=tuple(words.question_line(q, min_group) for q in figures.questions if figures.shown),
        drivers_title=drivers_title,
        drivers=drivers,
        actions=_action_rows(session, digest, survey=survey, now=now, min_group=min_group, viewer=viewer),
        trend=tuple(
            TrendRow(
                week=words.week_label(week.week),
                figures=_trend_figures(week, min_group),
                anchor=_anchor(week.week),
            )
            for week in reversed(digest.trend)
        ),
        trend_weeks=weeks,
        chart=chart,
        chart_alt=(
            f"Weekly mood, eNPS, comment sentiment and share answered of {digest.title}, "
            f"{date_range(first, last)}. Point at a week, or reach it with the Tab key, for its figures; "
            "the table below gives every week's."
        ),
        footer=words.footer(min_group),
    )


def _anchor(week: date) -> str:
    return f"week-{week.isoformat()}"


def _chart(weeks: tuple, *, title: str, min_group: int, marked: date) -> tuple:
    """The SVG trend chart as a data: URL, its size and its weeks' columns; drawn once for the same
    figures."""
    key = (weeks, title, min_group, marked)
    with _charts_lock:
        found = _charts.get(key)
    if found is None:
        drawn = trend_svg_chart(weeks, title=title, min_group=min_group, marked=marked)
        url = "data:image/svg+xml;base64," + base64.b64encode(drawn.svg).decode()
        found = (url, drawn.width, drawn.height, drawn.columns)
        with _charts_lock:
            _charts[key] = found
    return found


def forget_charts() -> None:
    """Draw every chart again from now on (the benchmark's first looks)."""
    with _charts_lock:
        _charts.clear()


def _action_rows(
    session: Session, digest: Digest, *, survey: Survey, now: datetime, min_group: int, viewer: str
) -> tuple[ActionRow, ...]:
    """The team's actions, open or finished in the last 30 days (as App Home lists them): each with the
    progress its digest shows, or, planned since the digest's week, with when its progress will show."""
    in_digest = {action.id: action for action in digest.actions}
    today = digest.week + timedelta(days=6)
    rows = []
    for action in actions_of(session, survey_names=[survey.name], finished_since=now - FINISHED_SHOWN_FOR):
        progress = in_digest.get(action.id)
        rows.append(
            ActionRow(
                id=action.id,
                headline=progress_text.headline(progress or action, today=max(today, now.date())),
                owner="you" if action.owner_id == viewer else action.owner_id,
                progress=tuple(progress_text.progress_lines(progress, min_group=min_group))
                if progress is not None
                else ("Its progress is shown from the digest of the week after it was planned.",),
                text=action.text,
                owner_id=action.owner_id,
                due=action.due_on.isoformat(),
                moves=tuple((status.value, LABELS[status]) for status in NEXT[action.status]),
                shared=action.visible,
            )
        )
    return tuple(rows)


def _trend_figures(week, min_group: int) -> str:
    if week.status is WeekStatus.no_data:
        return "no pulse"
    if not week.shown:
        return words.withheld(week, min_group)
    return (
        f"mood {words.score(week.score)} · eNPS {words.enps(week.enps)} · "
        f"sentiment {words.sentiment(week.sentiment)} · answered {words.percent(week.response_rate)}"
    )


@dataclass(frozen=True)
class PlanForm:
    """What the planning form offers: the same choices as Slack's form (services/loop/focus.py)."""

    focus: FocusOptions
    owners: tuple[tuple[str, str], ...]  # (user id, label): the person planning, then the team's managers
    today: date
    latest: date


def plan_form(session: Session, *, survey: Survey, now: datetime, min_group: int, viewer: str, today: date):
    from pulsebot.services.loop.actions import FURTHEST_DUE

    owners = [(viewer, "You")]
    owners += [(user, user) for user in managers_of(session, survey_id=survey.id) if user != viewer]
    return PlanForm(
        focus=focus_options(session, survey_name=survey.name, now=now, min_group=min_group),
        owners=tuple(owners),
        today=today,
        latest=today + FURTHEST_DUE,
    )
