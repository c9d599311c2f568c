"""Lists of ideas: all or filtered, the most voted, a person's own, and the recently shipped."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.errors import Invalid
from pulsebot.services.idea import idea_authors
from pulsebot.services.idea.idea_status import LABELS, OPEN, STATUS_WORDS, parse_status
from pulsebot.services.idea.ideas import CATEGORIES, IdeaView, idea_views
from pulsebot.store.models import Idea, IdeaStatus

LIST_LIMIT = 15
TOP_LIMIT = 10
MINE_LIMIT = 20
SHIPPED_LIMIT = 5


@dataclass(frozen=True)
class IdeaList:
    ideas: tuple[IdeaView, ...]
    total: int  # how many matched, of which `ideas` are the first few
    title: str


@dataclass(frozen=True)
class IdeaFilter:
    status: IdeaStatus | None = None
    category: str | None = None

    @property
    def title(self) -> str:
        if self.status is not None:
            return f"Ideas that are {LABELS[self.status]}"
        if self.category is not None:
            return f"Ideas about {self.category}"
        return "Latest ideas"


def parse_filter(words: str) -> IdeaFilter:
    """`/idea list` takes nothing, a status or a category."""
    words = words.strip()
    if not words:
        return IdeaFilter()
    status = parse_status(words)
    if status is not None:
        return IdeaFilter(status=status)
    if words.lower() in CATEGORIES:
        return IdeaFilter(category=words.lower())
    raise Invalid(
        f"I can list ideas by status ({', '.join(('new', *STATUS_WORDS))}) "
        f"or by category ({', '.join(CATEGORIES)})."
    )


def _listed(session: Session, title: str, *where, order: str = "newest", limit: int) -> IdeaList:
    total = session.exec(select(func.count()).select_from(Idea).where(*where)).one()
    ideas = idea_views(session, *where, order=order, limit=limit)
    return IdeaList(ideas=tuple(ideas), total=total, title=title)


def list_ideas(session: Session, *, only: IdeaFilter, limit: int = LIST_LIMIT) -> IdeaList:
    where = []
    if only.status is not None:
        where.append(Idea.status == only.status)
    if only.category is not None:
        where.append(Idea.category == only.category)
    return _listed(session, only.title, *where, limit=limit)


def top_ideas(session: Session, *, limit: int = TOP_LIMIT) -> IdeaList:
    """The most voted ideas still open: the ones the team is waiting on."""
    return _listed(session, "Top open ideas by votes", Idea.status.in_(OPEN), order="votes", limit=limit)


def my_ideas(session: Session, *, user_id: str, key: bytes, limit: int = MINE_LIMIT) -> IdeaList:
    # Their anonymous ideas too, each found by its own token.
    mine = idea_authors.ideas_of(session, user_id=user_id, key=key)
    return _listed(session, "Your ideas", Idea.id.in_(mine), limit=limit)


def recently_shipped(session: Session, *, limit: int = SHIPPED_LIMIT) -> tuple[IdeaView, ...]:
    shipped = idea_views(session, Idea.status == IdeaStatus.done, order="changed", limit=limit)
    return tuple(shipped)
