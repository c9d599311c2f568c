"""What the comments say about the driver to look at: "3 of 6 comments mention the refund tool".

Only comments on that driver's items, in the runs its figures were counted from (closed, and answered
by at least the minimum group on their own, as the driver scores found them), so the words come from
exactly the group the figures do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from sqlmodel import Session, select

from pulsebot.services.results.drivers import TeamDrivers
from pulsebot.services.results.themes import common_themes
from pulsebot.store.among import among
from pulsebot.store.models import Answer, Question


@dataclass(frozen=True)
class CommentTheme:
    phrase: str
    mentioning: int  # comments that mention it
    comments: int  # comments on the driver's items in the window


def with_comment_themes(session: Session, teams: dict[str, TeamDrivers]) -> dict[str, TeamDrivers]:
    """The teams' drivers, each with the most mentioned theme of the comments on its driver to look at,
    read from the runs its figures were counted from (one query for every team)."""
    look_at = {name: team.to_look_at.driver for name, team in teams.items() if team.to_look_at is not None}
    team_of_run = {run_id: name for name in look_at for run_id in teams[name].counted_runs}
    if not team_of_run:
        return teams
    rows = session.exec(
        select(Answer.run_id, Question.driver, Answer.comment)
        .join(Question, Question.id == Answer.question_id)
        .where(among(Answer.run_id, team_of_run), Answer.comment.is_not(None))
    ).all()
    comments: dict[str, list[str]] = defaultdict(list)
    for run_id, driver, comment in rows:
        name = team_of_run[run_id]
        if driver == look_at[name]:
            comments[name].append(comment)
    result = dict(teams)
    for name, texts in comments.items():
        themes = common_themes(texts, limit=1)
        if themes:
            theme = CommentTheme(phrase=themes[0].phrase, mentioning=themes[0].comments, comments=len(texts))
            result[name] = replace(teams[name], look_at_theme=theme)
    return result
