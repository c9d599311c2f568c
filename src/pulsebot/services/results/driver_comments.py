"""What the comments say about the driver to look at: "3 of 6 comments mention the refund tool".

Only comments on that driver's items, in the runs its figures were counted from (closed, and answered
by at least the minimum group on their own), so the words come from exactly the group the figures do.
Every team of a digest run is done in three queries, however many teams there are.
"""

from __future__ import annotations

from collections import defaultdict
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


def with_comment_themes(
    session: Session, teams: dict[str, TeamDrivers], *, min_group: int
) -> dict[str, TeamDrivers]:
    """The teams' drivers, each with the most mentioned theme of the comments on its driver to look at."""
    wanted = {
        name: team
        for name, team in teams.items()
        if team.to_look_at is not None and team.first_run is not None and team.last_run is not None
    }
    if not wanted:
        return teams
    surveys = dict(session.exec(select(Survey.name, Survey.id).where(Survey.name.in_(list(wanted)))).all())
    runs = session.exec(
        select(PulseRun.id, PulseRun.survey_id, PulseRun.run_date, PulseRun.managers_asked).where(
            PulseRun.survey_id.in_(list(surveys.values())), PulseRun.status == RunStatus.closed
        )
    ).all()
    by_survey = {survey_id: name for name, survey_id in surveys.items()}
    window = {
        run_id: (by_survey[survey_id], managers)
        for run_id, survey_id, day, managers in runs
        if wanted[by_survey[survey_id]].first_run <= day <= wanted[by_survey[survey_id]].last_run
    }
    if not window:
        return teams
    people = session.exec(
        select(Answer.run_id, func.count(distinct(Answer.respondent)))
        .where(Answer.run_id.in_(list(window)))
        .group_by(Answer.run_id)
    ).all()
    counted = [run_id for run_id, count in people if count >= min_group + window[run_id][1]]
    comments: dict[str, list[str]] = defaultdict(list)
    rows = session.exec(
        select(Answer.run_id, Question.driver, Answer.comment)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.run_id.in_(counted), Answer.comment.is_not(None), Question.driver.is_not(None))
    ).all()
    for run_id, driver, comment in rows:
        name = window[run_id][0]
        if driver == wanted[name].to_look_at.driver:
            comments[name].append(comment)
    result = dict(teams)
    for name, texts in comments.items():
        themes = common_themes(texts, limit=1)
        if themes:
            theme = CommentTheme(phrase=themes[0].phrase, mentioning=themes[0].comments, comments=len(texts))
            result[name] = replace(teams[name], look_at_theme=theme)
    return result
