"""The managers' part of App Home: the latest figures of the teams a person may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from pulsebot.services.analytics import ORG, WeekFigures, compute_trends
from pulsebot.services.managers import surveys_managed_by


@dataclass(frozen=True)
class TeamFigures:
    scope: str  # the survey's name, or ORG
    title: str
    figures: WeekFigures | None  # the latest week with a pulse; None when there was none in the window


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
    teams = [
        TeamFigures(scope=name, title=trend.title, figures=trend.latest_with_data())
        for name, trend in trends.teams.items()
    ]
    if trends.org is not None:
        teams.append(TeamFigures(scope=ORG, title=trends.org.title, figures=trends.org.latest_with_data()))
    return tuple(teams)
