"""The ideas board of the web dashboard: the workspace's ideas with their votes, chosen by status, category
and customer-journey stage, newest or most voted first. It lists what the ideas channel's cards show (the
author only of a signed idea, a count of votes, never who voted) and counts nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.errors import FieldErrors
from pulsebot.services.idea.idea_status import LABELS
from pulsebot.services.idea.ideas import CATEGORIES, STAGES, IdeaView, idea_views
from pulsebot.store.models import Idea, IdeaStatus

BOARD_LIMIT = 50
ORDERS: dict[str, str] = {"newest": "Newest first", "votes": "Most voted first"}
ASKED_LENGTH = 40  # the most of an unknown choice an error repeats


@dataclass(frozen=True)
class BoardChoice:
    status: IdeaStatus | None = None
    category: str | None = None
    stage: str | None = None
    order: Literal["newest", "votes"] = "newest"


@dataclass(frozen=True)
class Board:
    ideas: tuple[IdeaView, ...]
    total: int  # how many match, of which `ideas` are the first BOARD_LIMIT


def parse_choice(asked: Mapping[str, str]) -> BoardChoice:
    """The board's choice from the page's query; FieldErrors names each value that is not one of the
    allowed ones. An empty value means any."""
    errors: dict[str, str] = {}
    status_word = (asked.get("status") or "").strip()
    status = next((status for status in IdeaStatus if status.value == status_word), None)
    if status_word and status is None:
        errors["status"] = _unknown("statuses", status_word, (LABELS[s] for s in IdeaStatus))
    category = (asked.get("category") or "").strip() or None
    if category is not None and category not in CATEGORIES:
        errors["category"] = _unknown("categories", category, CATEGORIES)
    stage = (asked.get("stage") or "").strip() or None
    if stage is not None and stage not in STAGES:
        errors["stage"] = _unknown("journey stages", stage, STAGES)
    order = (asked.get("order") or "").strip() or "newest"
    if order not in ORDERS:
        errors["order"] = _unknown("orders", order, ORDERS.values())
    if errors:
        raise FieldErrors(errors)
    return BoardChoice(status=status, category=category, stage=stage, order=order)  # type: ignore[arg-type]


def idea_board(session: Session, *, choice: BoardChoice, limit: int = BOARD_LIMIT) -> Board:
    where = []
    if choice.status is not None:
        where.append(Idea.status == choice.status)
    if choice.category is not None:
        where.append(Idea.category == choice.category)
    if choice.stage is not None:
        where.append(Idea.stage == choice.stage)
    total = session.exec(select(func.count()).select_from(Idea).where(*where)).one()
    return Board(ideas=tuple(idea_views(session, *where, order=choice.order, limit=limit)), total=total)


def _unknown(what: str, asked: str, allowed) -> str:
    shown = asked if len(asked) <= ASKED_LENGTH else asked[: ASKED_LENGTH - 1] + "…"
    return f"“{shown}” is not one of the {what}: {', '.join(allowed)}."
