"""Conversations leave with the rest: the retention job deletes those gone quiet before its cutoff, and
forgetting a person deletes the conversations they held as the manager (who is named on them).

Forgetting leaves the conversations they wrote in as an anonymous author as they are: those name no
author, and deleting them in the forgetting's transaction would point at the comment or idea that was
theirs, for someone reading the database and for the manager, whose conversation would vanish the moment
the person's signed cards lose their name. The forgetting takes away the author's idea tokens, so a
reply about an idea no longer reaches them (services/idea/idea_authors.py `forget_author`); a reply about a
comment still does until the run's reply window ends, like the operator's way to their answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists
from sqlmodel import Session, select

from pulsebot.store.models import Conversation, ConversationMessage


def purge_conversations(session: Session, *, before: datetime) -> int:
    """Delete the conversations started before `before` with no message since; returns how many."""
    recent = exists().where(
        ConversationMessage.conversation_id == Conversation.id, ConversationMessage.created_at >= before
    )
    ids = session.exec(select(Conversation.id).where(Conversation.created_at < before, ~recent)).all()
    return _delete(session, list(ids))


def forget_conversations(session: Session, *, user_id: str) -> int:
    """Delete the conversations `user_id` held as the manager."""
    ids = session.exec(select(Conversation.id).where(Conversation.manager_user_id == user_id)).all()
    return _delete(session, list(ids))


def _delete(session: Session, ids: list[str]) -> int:
    if not ids:
        return 0
    options = {"synchronize_session": False}
    session.exec(
        delete(ConversationMessage)
        .where(ConversationMessage.conversation_id.in_(ids))
        .execution_options(**options)
    )
    session.exec(delete(Conversation).where(Conversation.id.in_(ids)).execution_options(**options))
    return len(ids)
