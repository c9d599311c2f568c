"""What the comments say about the driver to look at: "3 of 6 comments mention the refund tool".

Only comments on that driver's items, in the runs its figures were counted from (closed, and answered
by at least the minimum group on their own), so the words come from exactly the group the figures do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import distinct, func
from sqlmodel import Session, select

from pulsebot.services.results.drivers import TeamDrivers
from pulsebot.services.results.themes import common_themes
from pulsebot.store.models import Answer, PulseRun, Question, RunStatus, Survey


@dataclass(frozen=True)
class CommentTheme:
    phrase: str
    mentioning: int  # comments that mention it
    comments: int  # comments on the driver's items in the window


def with_comment_theme(session: Session, team: TeamDrivers, *, min_group: int) -> TeamDrivers:
    """The team's drivers, with the most mentioned theme of the comments on the driver to look at."""
    driver = team.to_look_at
    if driver is None or team.first_run is None or team.last_run is None:
        return team
    survey_id = session.exec(select(Survey.id).where(Survey.name == team.scope)).first()
    if survey_id is None:
        return team
    respondents = (
        select(Answer.run_id, func.count(distinct(Answer.respondent)).label("people"))
        .group_by(Answer.run_id)
        .subquery()
    )
    counted = (
        select(PulseRun.id)
        .join(respondents, respondents.c.run_id == PulseRun.id)
        .where(
            PulseRun.survey_id == survey_id,
            PulseRun.status == RunStatus.closed,
            PulseRun.run_date >= team.first_run,
            PulseRun.run_date <= team.last_run,
            respondents.c.people >= min_group + PulseRun.managers_asked,
        )
    )
    items = select(Question.id).where(Question.survey_id == survey_id, Question.driver == driver.driver)
    comments = session.exec(
        select(Answer.comment).where(
            Answer.run_id.in_(counted), Answer.question_id.in_(items), Answer.comment.is_not(None)
        )
    ).all()
    themes = common_themes(list(comments), limit=1)
    if not themes:
        return team
    theme = CommentTheme(phrase=themes[0].phrase, mentioning=themes[0].comments, comments=len(comments))
    return replace(team, look_at_theme=theme)
