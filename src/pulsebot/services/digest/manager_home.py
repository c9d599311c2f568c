"""The managers' part of App Home: the latest figures of the teams a person may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from pulsebot.services.digest.managers import surveys_managed_by
from pulsebot.services.privacy import audit
from pulsebot.services.results.analytics import ORG, WeekFigures, compute_trends
from pulsebot.services.results.driver_comments import with_comment_themes
from pulsebot.services.results.drivers import TeamDrivers, driver_scores
from pulsebot.store.models import AuditAction


@dataclass(frozen=True)
class TeamFigures:
    scope: str  # the survey's name, or ORG
    title: str
    figures: WeekFigures | None  # the latest week with a closed pulse; None when there was none in the window
    drivers: TeamDrivers | None = None  # a team whose survey uses the question library


def home_teams(
    session: Session, *, user_id: str, is_admin: bool, now: datetime, min_group: int, weeks: int
) -> tuple[TeamFigures, ...]:
    """A manager sees their own teams; an admin sees every team and the organisation as a whole."""
    managed = surveys_managed_by(session, user_id=user_id)
    if not managed and not is_admin:
        return ()
    trends = compute_trends(
        session,
        now=now,
        min_group=min_group,
        weeks=weeks,
        complete_only=False,
        survey_names=None if is_admin else managed,
        include_org=is_admin,
    )
    # The drivers' window: the team's last closed pulses, up to today.
    drivers = driver_scores(session, min_group=min_group, through=now.date(), survey_names=list(trends.teams))
    themed = with_comment_themes(session, drivers.teams)
    teams = [
        TeamFigures(
            scope=name,
            title=trend.title,
            figures=trend.latest_settled(),
            drivers=themed.get(name),
        )
        for name, trend in trends.teams.items()
    ]
    if trends.org is not None:
        teams.append(TeamFigures(scope=ORG, title=trends.org.title, figures=trends.org.latest_settled()))
    return tuple(teams)


def record_home_view(
    session: Session, *, user_id: str, teams: tuple[TeamFigures, ...], now: datetime
) -> None:
    """Audit the figures the person saw in App Home (a hidden week shows none): a manager's per team, an
    admin's (who sees every team) as one entry for the organisation."""
    shown = [team for team in teams if team.figures is not None and team.figures.shown]
    if any(team.scope == ORG for team in teams):
        if shown:
            detail = (
                f"every team: figures of {len(shown)} of {len(teams)} (the organisation's counted as one)"
            )
            audit.record(
                session, actor=user_id, action=AuditAction.home_viewed, scope=ORG, now=now, detail=detail
            )
        return
    for team in shown:
        audit.record(
            session,
            actor=user_id,
            action=AuditAction.home_viewed,
            scope=team.scope,
            now=now,
            detail=f"week of {team.figures.week:%-d %b %Y}",
        )
