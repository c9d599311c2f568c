""" "You said, we did": what was done in response to what people said — the team's completed shared
actions (each with the driver, question or comment theme it answered) and the ideas shipped.

Once a month each team's channel gets the past month's list, and nothing at all when nothing was done.
App Home shows the same for the person's own teams over the last months. An action the managers kept
to themselves (not shared with the team) is never listed.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.digest.managers import surveys_managed_by
from pulsebot.services.survey.audience import teams_of
from pulsebot.store.among import among
from pulsebot.store.db import add_once
from pulsebot.store.models import (
    ActionStatus,
    FocusKind,
    Idea,
    IdeaStatus,
    LoopPost,
    Survey,
    TeamAction,
    Vote,
)

HOME_DAYS = 90
LATE_AFTER = timedelta(days=7)  # a month's post not made in its first week is not made at all
HOME_LIMIT = 8
IDEA_CHARS = 150


@dataclass(frozen=True)
class DoneItem:
    what: str  # the action's or the idea's text
    answered: str  # what it answered, in words
    done_on: date
    owner_id: str | None = None  # an action's owner
    idea_id: int | None = None
    team: str | None = None  # the team's title (App Home lists several teams)


@dataclass(frozen=True)
class MonthPost:
    survey_id: int
    survey_name: str
    title: str
    channel_id: str
    month: date  # its first day
    items: tuple[DoneItem, ...]


def answered_words(kind: FocusKind, label: str) -> str:
    if kind is FocusKind.driver:
        return f"what you said about {label}"
    if kind is FocusKind.question:
        return f"your answers to “{label}”"
    return f"your comments about {label}"


def done_items(
    session: Session, *, survey_ids: list[int], since: datetime, until: datetime, timezone: str = "UTC"
) -> list[DoneItem]:
    """The shared actions of these teams done, and the ideas shipped, in [since, until), oldest first."""
    zone = zoneinfo.ZoneInfo(timezone)
    items: list[DoneItem] = []
    if survey_ids:
        rows = session.exec(
            select(TeamAction, Survey.title)
            .join(Survey, Survey.id == TeamAction.survey_id)
            .where(
                among(TeamAction.survey_id, survey_ids),
                TeamAction.visible,
                TeamAction.status == ActionStatus.done,
                TeamAction.finished_at >= since,
                TeamAction.finished_at < until,
            )
        ).all()
        items += [
            DoneItem(
                what=action.text,
                answered=answered_words(action.focus_kind, action.focus_label),
                done_on=action.finished_at.astimezone(zone).date(),
                owner_id=action.owner_id,
                team=title,
            )
            for action, title in rows
        ]
    votes = func.count(Vote.voter)
    ideas = session.exec(
        select(Idea, votes)
        .outerjoin(Vote, Vote.idea_id == Idea.id)
        .where(Idea.status == IdeaStatus.done, Idea.updated_at >= since, Idea.updated_at < until)
        .group_by(Idea.id)
    ).all()
    items += [
        DoneItem(
            what=_shorten(idea.text),
            answered=f"idea #{idea.id}, {count} {'vote' if count == 1 else 'votes'}",
            done_on=idea.updated_at.astimezone(zone).date(),
            idea_id=idea.id,
        )
        for idea, count in ideas
        if idea.text  # retention empties an old idea's text: nothing left to say about it
    ]
    return sorted(items, key=lambda item: (item.done_on, item.what))


def due_month_posts(session: Session, *, now: datetime, post_time: time) -> list[MonthPost]:
    """Claim each team's post for the month that ended, once its 1st at `post_time` (the team's own time
    zone) has come; a month with nothing done is claimed with no post. Returns the posts to send."""
    due = []
    for survey in session.exec(select(Survey).where(Survey.paused.is_(False))).all():
        zone = zoneinfo.ZoneInfo(survey.timezone)
        local = now.astimezone(zone)
        first = local.date().replace(day=1)
        post_at = datetime.combine(first, post_time, tzinfo=zone)
        if not post_at <= local < post_at + LATE_AFTER:
            continue  # not yet; or so late (pulsebot was down, or just installed) that it would surprise
        month = _month_before(first)
        since = datetime.combine(month, time(), tzinfo=zone)
        until = datetime.combine(_month_after(month), time(), tzinfo=zone)
        if survey.created_at >= until:
            continue  # the team did not exist yet
        if session.get(LoopPost, (survey.id, month)) is not None:
            continue
        items = done_items(
            session, survey_ids=[survey.id], since=since, until=until, timezone=survey.timezone
        )
        if not _claim(session, survey=survey, month=month, now=now):
            continue
        if items:
            due.append(
                MonthPost(
                    survey_id=survey.id,
                    survey_name=survey.name,
                    title=survey.title,
                    channel_id=survey.channel_id,
                    month=month,
                    items=tuple(items),
                )
            )
    return due


def mark_month_posted(
    session: Session, *, survey_id: int, month: date, channel_id: str, message_ts: str
) -> None:
    post = session.get(LoopPost, (survey_id, month))
    post.channel_id, post.message_ts = channel_id, message_ts
    session.add(post)


def home_items(session: Session, *, user_id: str, now: datetime) -> tuple[DoneItem, ...]:
    """For App Home: the last months' shipped ideas and the shared actions done by the person's teams
    (the teams whose latest pulse was sent to them, and those they manage), newest first."""
    teams = teams_of(session, user_id=user_id)
    if managed := surveys_managed_by(session, user_id=user_id):
        teams |= set(session.exec(select(Survey.id).where(among(Survey.name, managed))).all())
    items = done_items(session, survey_ids=sorted(teams), since=now - timedelta(days=HOME_DAYS), until=now)
    return tuple(sorted(items, key=lambda item: item.done_on, reverse=True)[:HOME_LIMIT])


def _claim(session: Session, *, survey: Survey, month: date, now: datetime) -> bool:
    """Write the month's row before anything is posted, so two schedulers never both post it."""
    return add_once(
        session, LoopPost(team_id=survey.team_id, survey_id=survey.id, month=month, posted_at=now)
    )


def _month_before(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _month_after(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= IDEA_CHARS else text[: IDEA_CHARS - 1].rstrip() + "…"
