"""The relay of anonymous replies: claiming the messages whose delay is over, finding a comment's author.

Like the pulse outbox, a relay claims a message (`claimed_until`) in the same transaction that finds it,
with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and a conditional UPDATE, so two schedulers never
both take it; a claim left by a relay that died lapses and the message is taken up again. Just before
a message is posted, the relay notes when (`attempted_at`: a sweep claims many at once, and those it
never got to need no look): a message whose earlier attempt may have reached Slack is looked for there,
around that moment, before it is posted again (slack/posted.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from pulsebot.services.pulse.answer_keys import respondent_tokens
from pulsebot.services.pulse.outbox import unclaimed
from pulsebot.services.reply.reply_subjects import Subject, subject_of
from pulsebot.store.models import (
    Conversation,
    ConversationMessage,
    ConversationStatus,
    ConversationSubject,
    Delivery,
    RelayDirection,
)

ERROR_MAX_CHARS = 100


@dataclass(frozen=True)
class DueRelay:
    conversation_id: str
    seq: int
    direction: RelayDirection
    text: str
    manager_user_id: str
    subject: Subject
    still_open: bool  # a closed conversation's last messages still arrive, without buttons to answer
    deliver_at: datetime
    retry: bool = False  # an earlier claim lapsed, and its attempt may have reached Slack: look first
    attempted_before: datetime | None = None  # when that attempt began

    @property
    def marker(self) -> dict:
        """What the posted message carries in its metadata, to be found again."""
        return {"conversation": self.conversation_id, "seq": self.seq}

    @property
    def to_author(self) -> bool:
        return self.direction is RelayDirection.to_author

    @property
    def closing(self) -> bool:
        return self.direction is RelayDirection.closed


def claim_due(session: Session, *, now: datetime, claim_for: timedelta, limit: int = 50) -> list[DueRelay]:
    """Claim up to `limit` messages whose delay is over; the caller posts them, then marks each one."""
    waiting = (
        ConversationMessage.delivered_at.is_(None),
        ConversationMessage.error.is_(None),
        ConversationMessage.deliver_at <= now,
        unclaimed(ConversationMessage.claimed_until, now),
    )
    rows = session.exec(
        select(
            ConversationMessage.conversation_id,
            ConversationMessage.seq,
            ConversationMessage.claimed_until,
            ConversationMessage.attempted_at,
        )
        .where(*waiting)
        .order_by(ConversationMessage.deliver_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    due = []
    for conversation_id, seq, claimed_before, attempted_before in rows:
        claim = (
            update(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id, ConversationMessage.seq == seq)
            .where(*waiting)
            .values(claimed_until=now + claim_for)
        )
        if session.exec(claim).rowcount != 1:
            continue  # another relay took it between the two statements (SQLite)
        message = session.get(ConversationMessage, (conversation_id, seq))
        conversation = session.get(Conversation, conversation_id)
        due.append(
            DueRelay(
                conversation_id=conversation_id,
                seq=seq,
                direction=message.direction,
                text=message.text,
                manager_user_id=conversation.manager_user_id,
                subject=subject_of(session, conversation),
                still_open=conversation.status is ConversationStatus.open,
                deliver_at=message.deliver_at,
                retry=claimed_before is not None and attempted_before is not None,
                attempted_before=attempted_before,
            )
        )
    return due


def comment_author(session: Session, *, key: bytes, conversation_id: str) -> str | None:
    """The person whose answer token matches, among the people the comment's run went to."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.subject is not ConversationSubject.comment:
        return None
    people = session.exec(select(Delivery.user_id).where(Delivery.run_id == conversation.run_id)).all()
    tokens = respondent_tokens(session, key=key, run_id=conversation.run_id, people=people)
    # None once the run's answer keys are destroyed: the author can no longer be found by anyone.
    return next(
        (user_id for user_id, respondent in tokens.items() if respondent == conversation.respondent), None
    )


def mark_delivered(session: Session, *, conversation_id: str, seq: int, now: datetime) -> None:
    session.exec(
        update(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation_id, ConversationMessage.seq == seq)
        .values(delivered_at=now, claimed_until=None)
    )


def mark_undeliverable(session: Session, *, conversation_id: str, seq: int, error: str) -> None:
    """A message that can never arrive (its author has left, the DM is refused for good)."""
    session.exec(
        update(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation_id, ConversationMessage.seq == seq)
        .values(error=error[:ERROR_MAX_CHARS], claimed_until=None)
    )


def note_attempt(session: Session, *, conversation_id: str, seq: int, now: datetime) -> None:
    """The message is about to be posted: from now on, a later sweep looks for it in Slack first."""
    session.exec(
        update(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation_id, ConversationMessage.seq == seq)
        .values(attempted_at=now)
    )


def retry_later(
    session: Session,
    *,
    conversation_id: str,
    seq: int,
    at: datetime,
    attempted_at: datetime | None,
) -> None:
    """Leave the message for a sweep from `at`, which looks for it in Slack first around `attempted_at`
    (None: Slack answered that it did not post it, so there is nothing to look for)."""
    session.exec(
        update(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation_id, ConversationMessage.seq == seq)
        .values(claimed_until=at, attempted_at=attempted_at)
    )
