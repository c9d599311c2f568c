"""What Slack still has to hear about actions posted to their team's channel and changed on the web
dashboard, which posts nothing itself.

A change the dashboard makes to a channel-posted action is written with a notice in the same transaction.
The scheduler (slack/action_notices.py) takes the notices and tells Slack what the Slack path tells it at
once: the team's channel hears of a new status, the action's post is redrawn, and the Home tab of the
person who changed it is drawn again. Taking a notice deletes it, with `SELECT … FOR UPDATE SKIP LOCKED`
on PostgreSQL so two schedulers never both take it: a notice is told at most once, as a change made in
Slack is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, select

from pulsebot.services.errors import NotFound
from pulsebot.services.loop.actions import ActionChange, ActionLine, action_line
from pulsebot.store.models import ActionNotice, ActionStatus

TAKEN_AT_ONCE = 50


@dataclass(frozen=True)
class DueActionNotice:
    action: ActionLine  # as it is now
    change: ActionChange | None  # None: an edit, only the post is redrawn
    changed_by: str | None  # None once they were forgotten


def queue_status_notice(session: Session, change: ActionChange, *, now: datetime) -> None:
    """Note that the team must hear of this move, when it was told of the action in its channel."""
    if change.action.visible:
        session.add(
            ActionNotice(
                action_id=change.action.id,
                previous=change.previous,
                status=change.action.status,
                changed_by=change.changed_by,
                created_at=now,
            )
        )
        session.flush()


def queue_edit_notice(session: Session, action: ActionLine, *, changed_by: str, now: datetime) -> None:
    """Note that the action's post in its team's channel must be redrawn with what was edited."""
    if action.visible:
        session.add(ActionNotice(action_id=action.id, changed_by=changed_by, created_at=now))
        session.flush()


def take_due(session: Session, *, limit: int = TAKEN_AT_ONCE) -> list[DueActionNotice]:
    """Take (and delete) the oldest notices, each with the action as it is now."""
    rows = session.exec(
        select(ActionNotice).order_by(ActionNotice.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return []
    taken = [(row.id, row.action_id, row.previous, row.status, row.changed_by) for row in rows]
    session.exec(
        delete(ActionNotice)
        .where(ActionNotice.id.in_([row_id for row_id, *_ in taken]))
        .execution_options(synchronize_session=False)
    )
    due = []
    for _, action_id, previous, status, changed_by in taken:
        try:
            line = action_line(session, action_id=action_id)
        except NotFound:
            continue
        change = None
        if previous is not None and status is not None:
            # The team hears of the move as it was made, even if the action has moved on since.
            status = ActionStatus(status)
            moved = replace(
                line, status=status, reason=line.reason if status is ActionStatus.dropped else None
            )
            change = ActionChange(action=moved, previous=ActionStatus(previous), changed_by=changed_by or "")
        due.append(DueActionNotice(action=line, change=change, changed_by=changed_by))
    return due


def forget_changer(session: Session, *, user_id: str) -> int:
    """A forgotten person's name leaves the notices of the changes they made (the team still hears)."""
    return session.exec(
        update(ActionNotice)
        .where(ActionNotice.changed_by == user_id)
        .values(changed_by=None)
        .execution_options(synchronize_session=False)
    ).rowcount
