"""Conversations leave with the rest: the retention job deletes those gone quiet before its cutoff, and
forgetting a person deletes every conversation they took part in, as the manager or as the author."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists
from sqlmodel import Session, select

from pulsebot.services.reply.conversations import is_author
from pulsebot.store.models import Conversation, ConversationMessage


def purge_conversations(session: Session, *, before: datetime) -> int:
    """Delete the conversations started before `before` with no message since; returns how many."""
    recent = exists().where(
        ConversationMessage.conversation_id == Conversation.id, ConversationMessage.created_at >= before
    )
    ids = session.exec(select(Conversation.id).where(Conversation.created_at < before, ~recent)).all()
    return _delete(session, list(ids))


def forget_conversations(session: Session, *, user_id: str, key: bytes) -> int:
    """Delete the conversations `user_id` wrote in; call it while their ideas are still theirs."""
    ids = [
        conversation.id
        for conversation in session.exec(select(Conversation)).all()
        if conversation.manager_user_id == user_id
        or is_author(session, key=key, conversation=conversation, user_id=user_id)
    ]
    return _delete(session, ids)


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
