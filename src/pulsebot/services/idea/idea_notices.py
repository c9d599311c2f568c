"""What Slack still has to hear about ideas changed on the web dashboard, which posts nothing itself.

A status change made on the dashboard is written with a notice in the same transaction; so is each card
a forget-me on the dashboard left naming its author. The scheduler (slack/idea_notices.py) takes the
notices and tells Slack what the Slack path tells it at once: the card redrawn, the author's DM, the
shipped note. Taking a notice deletes it, with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL so two
schedulers never both take it: a notice is told at most once, as a status change made in Slack is (its
after-ack work is not tried again either). No notice names an idea's author: for an anonymous idea the
author is found again by their token when the notice is told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, select

from pulsebot.services.errors import NotFound
from pulsebot.services.idea.idea_status import StatusChange
from pulsebot.services.idea.ideas import idea_view
from pulsebot.store.models import IdeaNotice, IdeaStatus

TAKEN_AT_ONCE = 50
SOMEONE = ""  # who moved it, once the person who did has been forgotten


@dataclass(frozen=True)
class DueNotice:
    idea_id: int
    change: StatusChange | None  # None: only the card is redrawn


def queue_status_notice(session: Session, change: StatusChange, *, now: datetime) -> None:
    session.add(
        IdeaNotice(
            idea_id=change.idea.id, previous=change.previous, changed_by=change.changed_by, created_at=now
        )
    )
    session.flush()


def queue_card_redraws(session: Session, idea_ids: Iterable[int], *, now: datetime) -> None:
    for idea_id in idea_ids:
        session.add(IdeaNotice(idea_id=idea_id, created_at=now))
    session.flush()


def take_due(session: Session, *, limit: int = TAKEN_AT_ONCE) -> list[DueNotice]:
    """Take (and delete) the oldest notices, each with the idea as it is now."""
    rows = session.exec(
        select(IdeaNotice).order_by(IdeaNotice.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return []
    taken = [(row.id, row.idea_id, row.previous, row.changed_by) for row in rows]
    session.exec(
        delete(IdeaNotice)
        .where(IdeaNotice.id.in_([row_id for row_id, *_ in taken]))
        .execution_options(synchronize_session=False)
    )
    due = []
    for _, idea_id, previous, changed_by in taken:
        try:
            idea = idea_view(session, idea_id=idea_id)
        except NotFound:
            continue
        change = None
        if previous is not None:
            change = StatusChange(idea=idea, previous=IdeaStatus(previous), changed_by=changed_by or SOMEONE)
        due.append(DueNotice(idea_id=idea_id, change=change))
    return due


def forget_changer(session: Session, *, user_id: str) -> int:
    """A forgotten person's name leaves the notices of the changes they made (their author still hears)."""
    return session.exec(
        update(IdeaNotice)
        .where(IdeaNotice.changed_by == user_id)
        .values(changed_by=None)
        .execution_options(synchronize_session=False)
    ).rowcount
