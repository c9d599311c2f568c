"""Ideas to improve the customer experience: post, rate-limit, and describe them for a card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, select

from pulsebot.i18n import N_
from pulsebot.services.errors import Invalid, NotAllowed, NotFound
from pulsebot.services.idea import idea_authors
from pulsebot.services.privacy.anonymity import token
from pulsebot.services.results.sentiment import score_text
from pulsebot.store.db import add_once
from pulsebot.store.models import Idea, IdeaStatus, Vote

IDEA_MAX_CHARS = 1000
CATEGORIES = ("product", "support", "onboarding", "billing", "other")
STAGES = ("awareness", "purchase", "onboarding", "use", "support", "renewal")


@dataclass(frozen=True)
class IdeaView:
    id: int
    text: str
    category: str
    stage: str | None
    author_id: str | None  # None for an anonymous idea
    status: IdeaStatus
    votes: int
    reason: str | None = None  # why it was declined, or the team's note on its latest status change
    updated_at: datetime | None = None

    @property
    def anonymous(self) -> bool:
        return self.author_id is None


def post_idea(
    session: Session,
    *,
    user_id: str,
    text: str,
    key: bytes,
    now: datetime,
    category: str = "other",
    stage: str | None = None,
    anonymous: bool = False,
    hourly_limit: int = 10,
) -> IdeaView:
    text = text.strip()
    if not text:
        raise Invalid(N_("An idea needs some words: try `/idea Make the refund page clearer`."))
    if len(text) > IDEA_MAX_CHARS:
        raise Invalid(
            N_("That idea is {length} characters; the limit is {limit}. Shorten it a little."),
            length=lambda tr: tr.number(len(text), 0),
            limit=lambda tr: tr.number(IDEA_MAX_CHARS, 0),
        )
    if category not in CATEGORIES:
        raise Invalid(f"“{category}” is not a category; use one of {', '.join(CATEGORIES)}.")
    if stage is not None and stage not in STAGES:
        raise Invalid(f"“{stage}” is not a customer-journey stage; use one of {', '.join(STAGES)}.")
    recent = len(
        idea_authors.ideas_of(session, Idea.created_at > now - timedelta(hours=1), user_id=user_id, key=key)
    )
    if recent >= hourly_limit:
        raise Invalid(
            N_("You have posted {count} ideas in the last hour, the most allowed. Try again a bit later."),
            count=recent,
        )
    idea = Idea(
        text=text,
        category=category,
        stage=stage,
        created_at=now,
        updated_at=now,
        sentiment=score_text(text).score,
    )
    session.add(idea)
    session.flush()
    idea_authors.sign(session, idea, user_id=user_id, key=key, anonymous=anonymous)
    return idea_view(session, idea_id=idea.id)


def mark_idea_posted(session: Session, *, idea_id: int, channel_id: str, message_ts: str) -> None:
    idea = session.get(Idea, idea_id)
    idea.channel_id, idea.message_ts = channel_id, message_ts
    session.flush()


def idea_message(session: Session, *, idea_id: int) -> tuple[str, str] | None:
    idea = session.get(Idea, idea_id)
    if idea is None or idea.message_ts is None:
        return None
    return idea.channel_id, idea.message_ts


def toggle_vote(session: Session, *, idea_id: int, user_id: str, key: bytes) -> bool:
    """Vote for an idea, or take the vote back if the person had voted; True when a vote now stands."""
    idea = session.get(Idea, idea_id)
    if idea is None:
        raise NotFound(N_("There is no idea #{id}."), id=idea_id)
    if idea_authors.is_author(session, idea, user_id=user_id, key=key):
        raise NotAllowed(N_("You can't vote for your own idea, but others can."))
    voter = token(key, "vote", user_id, idea_id)
    existing = session.get(Vote, (idea_id, voter))
    if existing is not None:
        session.delete(existing)
        session.flush()
        return False
    # False when the same person's double click landed first: the vote stands once either way.
    add_once(session, Vote(idea_id=idea_id, voter=voter))
    return True


def idea_view(session: Session, *, idea_id: int) -> IdeaView:
    found = idea_views(session, Idea.id == idea_id)
    if not found:
        raise NotFound(f"There is no idea #{idea_id}.")
    return found[0]


def idea_views(
    session: Session,
    *where: ColumnElement[bool],
    order: Literal["newest", "votes", "changed"] = "newest",
    limit: int | None = None,
) -> list[IdeaView]:
    """Ideas matching `where`, each with its vote count, in one query: newest first, most voted first,
    or most recently changed first."""
    votes = (
        select(func.count())
        .select_from(Vote)
        .where(Vote.idea_id == Idea.id)
        .correlate(Idea)
        .scalar_subquery()
        .label("votes")
    )
    order_by = {
        "newest": (Idea.created_at.desc(), Idea.id.desc()),
        "votes": (votes.desc(), Idea.id),
        "changed": (Idea.updated_at.desc(), Idea.id.desc()),
    }[order]
    rows = session.exec(select(Idea, votes).where(*where).order_by(*order_by).limit(limit)).all()
    return [
        IdeaView(
            id=idea.id,
            text=idea.text,
            category=idea.category,
            stage=idea.stage,
            author_id=idea.author_id,
            status=idea.status,
            votes=count,
            reason=idea.status_reason,
            updated_at=idea.updated_at,
        )
        for idea, count in rows
    ]
