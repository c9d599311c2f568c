"""What the read-only API returns, as plain JSON-ready data, read from the same released figures as the
digest and the dashboard: a team's weeks and drivers are its digest's (build_digests, as shown), a
segment table is a released period's (segment_views), actions and ideas are what the team's posts and the
ideas board show. Nothing is counted here; a hidden figure comes back as hidden, with the reason.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlmodel import Session, select

from pulsebot.services.digest import digest_text as words
from pulsebot.services.digest.digests import Digest, build_digests
from pulsebot.services.idea.ideas import IdeaView
from pulsebot.services.results.analytics import QuestionWeek, WeekFigures, WeekStatus, withheld_words
from pulsebot.services.results.drivers import TeamDrivers
from pulsebot.services.segments.segment_views import SegmentTable
from pulsebot.store.models import Survey

TREND_WEEKS = (12, 26, 52)


def teams(session: Session) -> list[dict]:
    rows = session.exec(select(Survey.name, Survey.title).order_by(Survey.name)).all()
    return [{"name": name, "title": title} for name, title in rows]


def team_digest(session: Session, *, survey: Survey, now: datetime, min_group: int, weeks: int) -> Digest:
    """The team's digest as the dashboard's team page reads it (web/teams/page.py)."""
    digests, _ = build_digests(
        session,
        now=now,
        min_group=min_group,
        weeks=weeks,
        survey_names=[survey.name],
        rng=random.Random(survey.name),
    )
    return words.as_shown(digests[survey.name])


def team_weeks(digest: Digest) -> dict:
    return {
        "team": digest.scope,
        "title": digest.title,
        "min_group": digest.min_group,
        "week": week_of(digest.figures, digest.min_group),
        "trend": [week_of(week, digest.min_group) for week in reversed(digest.trend)],  # newest first
    }


def week_of(week: WeekFigures, min_group: int) -> dict:
    shown = week.status is WeekStatus.shown
    reason = None
    if week.status is WeekStatus.no_data:
        reason = "no pulse that week"
    elif not shown:
        reason = withheld_words(week, min_group)
    figures = {
        "week": week.week.isoformat(),
        "status": week.status.value,
        "hidden": not shown,
        "reason": reason,
    }
    if not shown:
        return figures
    return figures | {
        "respondents": week.respondents,
        "audience": week.audience,
        "response_rate": week.response_rate,
        "score": week.score,
        "enps": week.enps,
        "comments": week.comments,
        "sentiment": week.sentiment,
        "compared_with": week.compared_with.isoformat() if week.compared_with else None,
        "score_change": week.score_change,
        "enps_change": week.enps_change,
        "sentiment_change": week.sentiment_change,
        "response_rate_change": week.response_rate_change,
        "questions": [question_of(question, min_group) for question in week.questions],
    }


def question_of(question: QuestionWeek, min_group: int) -> dict:
    figures = {
        "key": question.key,
        "prompt": question.prompt,
        "kind": question.kind.value,
        "hidden": question.status is not WeekStatus.shown or question.too_alike,
        "reason": None,
    }
    if question.too_alike:
        return figures | {"answers": question.answers, "reason": "answers too alike to show"}
    if question.status is not WeekStatus.shown:
        return figures | {"reason": f"fewer than {min_group} answered"}
    return figures | {
        "answers": question.answers,
        "mean": question.mean,
        "enps": question.enps,
        "distribution": list(question.distribution) if question.distribution is not None else None,
    }


def team_drivers(digest: Digest) -> dict:
    team: TeamDrivers | None = digest.drivers
    if team is None:
        return {
            "team": digest.scope,
            "drivers": None,
            "reason": "the team's survey does not use the question library",
        }
    return {
        "team": digest.scope,
        "window_runs": team.window_runs,
        "runs": team.runs,
        "first_run": team.first_run.isoformat() if team.first_run else None,
        "last_run": team.last_run.isoformat() if team.last_run else None,
        "enps": team.enps,
        "drivers": [
            {"driver": driver.driver, "name": driver.name, "hidden": False, "reason": None}
            | {"score": driver.score, "people": driver.people, "change": driver.change, "org": driver.org}
            if driver.shown
            else {
                "driver": driver.driver,
                "name": driver.name,
                "hidden": True,
                "reason": f"fewer than {digest.min_group} answered",
            }
            for driver in team.drivers
        ],
    }


def segment_table(table: SegmentTable) -> dict:
    return {
        "period": table.period,
        "starts_on": table.starts_on.isoformat(),
        "ends_on": table.ends_on.isoformat(),
        "released_at": table.released_at.isoformat(),
        "min_group": table.min_group,
        "table": table.table,
        "measures": list(table.measures),
        "segments": [
            {"key": row.key, "people": row.people, "hidden": row.hidden is not None, "reason": row.hidden}
            | {
                "figures": {
                    measure: {"hidden": False, "people": f.people, "answers": f.answers, "value": f.value}
                    if f.shown
                    else {"hidden": True, "reason": f.hidden or "not shown"}
                    for measure, f in row.figures.items()
                }
            }
            for row in table.rows
        ],
    }


def idea_of(idea: IdeaView) -> dict:
    """An idea as its card shows it: the author only of a signed idea, a count of votes, never who voted."""
    return {
        "id": idea.id,
        "text": idea.text,
        "category": idea.category,
        "stage": idea.stage,
        "anonymous": idea.anonymous,
        "author": idea.author_id,
        "status": idea.status.value,
        "votes": idea.votes,
        "note": idea.reason,
        "updated_at": idea.updated_at.isoformat() if idea.updated_at else None,
    }
