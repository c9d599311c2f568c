"""Anonymous replies: a manager writes to the author of a digest comment or an idea without learning who
they are, and the author may answer back or close the conversation.

A conversation names the manager and its subject (the comment's answer key, or the idea), never the
author. Whoever clicks on the author's side is checked by recomputing their token, as the answers and
ideas themselves are. What a conversation is about, and the digest buttons' references: reply_subjects.py.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from pulsebot.services.errors import Closed, Invalid, NotAllowed, NotFound
from pulsebot.services.idea import idea_authors
from pulsebot.services.privacy.roles import Role, sees_team_results
from pulsebot.services.pulse.answer_keys import respondent_token
from pulsebot.services.reply.reply_subjects import Subject
from pulsebot.store.models import (
    Conversation,
    ConversationMessage,
    ConversationStatus,
    ConversationSubject,
    Idea,
    PulseRun,
    RelayDirection,
)

REPLY_MAX_CHARS = 2000
CLOSED = "The author closed this conversation, so nothing more can be sent in it."


def check_may_start(session: Session, subject: Subject, *, user_id: str, role: Role) -> None:
    """A digest comment may be answered by those who get the team's digest, an idea by idea managers."""
    if subject.kind is ConversationSubject.idea:
        if role < Role.manager:
            raise NotAllowed("Only managers can reply to the author of an idea.")
    else:
        run = session.get(PulseRun, subject.run_id)
        if not sees_team_results(
            session, survey_id=run.survey_id, user_id=user_id, is_admin=role is Role.admin
        ):
            raise NotAllowed("Only the managers who get this team's digest can reply to its comments.")
    _refuse_if_closed(_latest(session, subject, manager_user_id=user_id))


def start(
    session: Session, *, subject: Subject, manager_user_id: str, text: str, now: datetime, delay: timedelta
) -> Conversation:
    """The manager's first message, or the next one in the conversation they already have on it."""
    text = checked_text(text)
    conversation = _latest(session, subject, manager_user_id=manager_user_id)
    _refuse_if_closed(conversation)
    if conversation is None:
        conversation = Conversation(
            id=secrets.token_urlsafe(16),
            subject=subject.kind,
            run_id=subject.run_id,
            question_id=subject.question_id,
            respondent=subject.respondent,
            idea_id=subject.idea_id,
            manager_user_id=manager_user_id,
            created_at=now,
        )
        session.add(conversation)
        session.flush()
    _add_message(session, conversation, RelayDirection.to_author, text, now=now, delay=delay)
    return conversation


def open_for(
    session: Session, *, conversation_id: str, user_id: str, key: bytes, as_author: bool
) -> Conversation:
    """The conversation, if this person may write in it on that side and it is still open."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("That conversation is no longer there.")
    if as_author and not is_author(session, key=key, conversation=conversation, user_id=user_id):
        raise NotAllowed("Only the author this conversation was meant for can answer here.")
    if not as_author and conversation.manager_user_id != user_id:
        raise NotAllowed("Only the manager who started this conversation can reply here.")
    _refuse_if_closed(conversation)
    return conversation


def reply(
    session: Session,
    *,
    conversation_id: str,
    user_id: str,
    key: bytes,
    as_author: bool,
    text: str,
    now: datetime,
    delay: timedelta,
) -> Conversation:
    text = checked_text(text)
    conversation = open_for(
        session, conversation_id=conversation_id, user_id=user_id, key=key, as_author=as_author
    )
    direction = RelayDirection.to_manager if as_author else RelayDirection.to_author
    _add_message(session, conversation, direction, text, now=now, delay=delay)
    return conversation


def close(
    session: Session, *, conversation_id: str, user_id: str, key: bytes, now: datetime, delay: timedelta
) -> Conversation:
    """The author ends the conversation; neither side can write in it again. The manager is told after
    the same random delay as a message, so the notice is no more a clue to who it was than one."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("That conversation is no longer there.")
    if not is_author(session, key=key, conversation=conversation, user_id=user_id):
        raise NotAllowed("Only the author this conversation was meant for can close it.")
    if conversation.status is ConversationStatus.open:
        conversation.status, conversation.closed_at = ConversationStatus.closed, now
        session.add(conversation)
        _add_message(session, conversation, RelayDirection.closed, "", now=now, delay=delay)
    return conversation


def is_author(session: Session, *, key: bytes, conversation: Conversation, user_id: str) -> bool:
    if conversation.subject is ConversationSubject.comment:
        respondent = respondent_token(session, key=key, run_id=conversation.run_id, user_id=user_id)
        return respondent is not None and respondent == conversation.respondent
    idea = session.get(Idea, conversation.idea_id)
    if idea is None:
        return False
    return idea_authors.is_author(session, idea, user_id=user_id, key=key)


def checked_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("Write something first: an empty reply is not sent.")
    if len(text) > REPLY_MAX_CHARS:
        raise Invalid(f"A reply can be at most {REPLY_MAX_CHARS:,} characters; this one has {len(text):,}.")
    return text


def relay_delay(minutes: tuple[float, float]) -> timedelta:
    """A random hold-back within the configured range (PULSEBOT_RELAY_DELAY_MINUTES)."""
    return timedelta(minutes=random.SystemRandom().uniform(*minutes))


def _add_message(
    session: Session,
    conversation: Conversation,
    direction: RelayDirection,
    text: str,
    *,
    now: datetime,
    delay: timedelta,
) -> None:
    last = session.exec(
        select(ConversationMessage.seq)
        .where(ConversationMessage.conversation_id == conversation.id)
        .order_by(ConversationMessage.seq.desc())
        .limit(1)
    ).first()
    session.add(
        ConversationMessage(
            conversation_id=conversation.id,
            seq=(last or 0) + 1,
            direction=direction,
            text=text,
            created_at=now,
            deliver_at=now + delay,
        )
    )
    session.flush()


def _latest(session: Session, subject: Subject, *, manager_user_id: str) -> Conversation | None:
    query = select(Conversation).where(Conversation.manager_user_id == manager_user_id)
    if subject.kind is ConversationSubject.idea:
        query = query.where(Conversation.idea_id == subject.idea_id)
    else:
        query = query.where(
            Conversation.run_id == subject.run_id,
            Conversation.question_id == subject.question_id,
            Conversation.respondent == subject.respondent,
        )
    return session.exec(query.order_by(Conversation.created_at.desc()).limit(1)).first()


def _refuse_if_closed(conversation: Conversation | None) -> None:
    if conversation is not None and conversation.status is ConversationStatus.closed:
        raise Closed(CLOSED)
