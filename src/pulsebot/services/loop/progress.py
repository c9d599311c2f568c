"""Did it help? Each of a team's actions in its digest: where it stands, and its focus's trend since it
started ("since 'weekly backlog triage' started on 3 Nov, workload went 2.9 → 3.4 over 4 weeks").

The two ends of a trend are figures a digest already showed: "before" is the focus's figure in the last
shown week before the action's week (for a driver, the driver window that ended the Sunday before), "now"
is the digest's own. Both follow the usual rules (closed runs, the minimum group), so a trend shows
nothing new, and when either end is hidden there is no trend, only the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from pulsebot.services.loop.helping import HelpingRound, rounds_of
from pulsebot.services.results import analytics
from pulsebot.services.results.analytics import Trend, WeekFigures, WeekStatus
from pulsebot.services.results.drivers import TeamDrivers, driver_scores
from pulsebot.services.results.themes import mentions
from pulsebot.store.among import among
from pulsebot.store.models import ActionStatus, Answer, FocusKind, QuestionKind, TeamAction
from pulsebot.store.weeks import week_start

OPEN = (ActionStatus.planned, ActionStatus.in_progress)
LOOK_BACK_WEEKS = 4  # how far before an action's week its "before" figure may come from


@dataclass(frozen=True)
class FocusTrend:
    before: float
    now: float
    weeks: int  # the weeks it spans, the action's own week and the digest's included
    unit: str  # "score" (1–5), "enps", "share" (0–1 of answers, or of comments)
    before_detail: str = ""  # for a theme: "3 of 12 comments"
    now_detail: str = ""


@dataclass(frozen=True)
class ActionProgress:
    id: int
    text: str
    focus_kind: FocusKind
    focus_label: str
    owner_id: str
    status: ActionStatus
    due_on: date
    started_on: date
    visible: bool
    trend: FocusTrend | None = None
    no_trend: str = ""  # why there is no trend, in words
    rounds: tuple[HelpingRound, ...] = ()  # "Is this helping?", oldest first


@dataclass(frozen=True)
class TeamWeek:
    """What a team's digest already has, which its actions' progress is read against."""

    survey_id: int
    survey_name: str
    trend: Trend
    drivers: TeamDrivers | None
    comments: list[str]  # the comments of the digest's week (none when it is hidden)


def digest_actions(
    session: Session, *, teams: list[TeamWeek], min_group: int, now: datetime
) -> dict[str, tuple[ActionProgress, ...]]:
    """Each team's open actions, and those finished in its digest's week, as its digest shows them; the
    actions and their rounds of "Is this helping?" are read once for every team."""
    by_team: dict[int, list[TeamAction]] = {}
    if teams:
        for action in session.exec(
            select(TeamAction)
            .where(among(TeamAction.survey_id, [team.survey_id for team in teams]))
            .order_by(TeamAction.due_on, TeamAction.id)
        ).all():
            by_team.setdefault(action.survey_id, []).append(action)
    shown = {
        team.survey_name: _shown(by_team.get(team.survey_id, []), team.trend.latest.week) for team in teams
    }
    rounds = rounds_of(session, action_ids=[action.id for actions in shown.values() for action in actions])
    return {
        team.survey_name: tuple(
            _progress(session, action, team, rounds.get(action.id, ()), min_group=min_group, now=now)
            for action in shown[team.survey_name]
        )
        for team in teams
        if shown[team.survey_name]
    }


def _shown(actions: list[TeamAction], week: date) -> list[TeamAction]:
    """Those begun by the end of the digest's week and still open, or finished within it."""
    week_end = week + timedelta(days=7)
    return [
        action
        for action in actions
        if action.started_on < week_end
        and (
            action.status in OPEN
            or (action.finished_at is not None and week <= action.finished_at.date() < week_end)
        )
    ]


def _progress(
    session: Session,
    action: TeamAction,
    team: TeamWeek,
    rounds: list[HelpingRound],
    *,
    min_group: int,
    now: datetime,
) -> ActionProgress:
    found, reason = _focus_trend(
        session,
        action,
        survey_name=team.survey_name,
        trend=team.trend,
        drivers=team.drivers,
        min_group=min_group,
        now=now,
        comments_now=team.comments,
    )
    return ActionProgress(
        id=action.id,
        text=action.text,
        focus_kind=action.focus_kind,
        focus_label=action.focus_label,
        owner_id=action.owner_id,
        status=action.status,
        due_on=action.due_on,
        started_on=action.started_on,
        visible=action.visible,
        trend=found,
        no_trend=reason,
        rounds=tuple(rounds),
    )


def _focus_trend(
    session: Session,
    action: TeamAction,
    *,
    survey_name: str,
    trend: Trend,
    drivers: TeamDrivers | None,
    min_group: int,
    now: datetime,
    comments_now: list[str],
) -> tuple[FocusTrend | None, str]:
    week = trend.latest.week
    start = week_start(action.started_on)
    if start >= week:
        return None, "started this week: its trend starts next week"
    if not trend.latest.shown:
        return None, "this week's figures are hidden"
    weeks = (week - start).days // 7 + 1
    if action.focus_kind is FocusKind.driver:
        return _driver_trend(
            session, action, survey_name, drivers, min_group=min_group, start=start, weeks=weeks
        )
    before_trend = analytics.team_trend(
        session,
        survey_name=survey_name,
        now=now,
        min_group=min_group,
        weeks=LOOK_BACK_WEEKS,
        complete_only=True,
        through_week=start - timedelta(weeks=1),
    )
    before_week = next((w for w in reversed(before_trend.weeks) if w.shown), None)
    if before_week is None:
        return None, "no figure was shown in the weeks before it started"
    if action.focus_kind is FocusKind.question:
        before, unit = _question_figure(before_week, action.focus_key)
        current, _ = _question_figure(trend.latest, action.focus_key)
        if before is None or current is None:
            return None, "its question was not shown both before it started and this week"
        return FocusTrend(before=before, now=current, weeks=weeks, unit=unit), ""
    texts_before = _comments(session, before_trend.shown_runs.get(before_week.week, ()))
    if not texts_before or not comments_now:
        return None, "there were no comments both before it started and this week"
    hits_before = sum(mentions(text, action.focus_key) for text in texts_before)
    hits_now = sum(mentions(text, action.focus_key) for text in comments_now)
    return (
        FocusTrend(
            before=hits_before / len(texts_before),
            now=hits_now / len(comments_now),
            weeks=weeks,
            unit="share",
            before_detail=f"{hits_before} of {len(texts_before)} comments",
            now_detail=f"{hits_now} of {len(comments_now)} comments",
        ),
        "",
    )


def _driver_trend(
    session: Session,
    action: TeamAction,
    survey_name: str,
    drivers: TeamDrivers | None,
    *,
    min_group: int,
    start: date,
    weeks: int,
) -> tuple[FocusTrend | None, str]:
    current = _driver_figure(drivers, action.focus_key)
    earlier = driver_scores(
        session, min_group=min_group, through=start - timedelta(days=1), survey_names=[survey_name]
    ).teams.get(survey_name)
    before = _driver_figure(earlier, action.focus_key)
    if before is None or current is None:
        return None, "its driver was not shown both before it started and now"
    return FocusTrend(before=before, now=current, weeks=weeks, unit="score"), ""


def _driver_figure(drivers: TeamDrivers | None, driver_id: str) -> float | None:
    if drivers is None:
        return None
    found = next((d for d in drivers.drivers if d.driver == driver_id and d.shown), None)
    return None if found is None else round(found.score, 1)


def _question_figure(figures: WeekFigures, key: str) -> tuple[float | None, str]:
    question = next((q for q in figures.questions if q.key == key), None)
    if question is None or question.status is not WeekStatus.shown:
        return None, ""
    if question.kind is QuestionKind.enps:
        return question.enps, "enps"
    if question.kind is QuestionKind.yes_no:
        return question.mean, "share"
    return question.mean, "score"


def _comments(session: Session, run_ids: tuple[int, ...]) -> list[str]:
    if not run_ids:
        return []
    return list(
        session.exec(
            select(Answer.comment).where(among(Answer.run_id, run_ids), Answer.comment.is_not(None))
        ).all()
    )
