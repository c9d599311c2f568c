"""The ideas board as a page: each idea as its card in the ideas channel reads (the author only of a
signed idea, the count of votes, the reason or note of its latest change), the filters' choices, and for
those who may move ideas the moves open to each one (services/idea/idea_status.py)."""

from __future__ import annotations

from dataclasses import dataclass

from pulsebot.services.idea.idea_board import ORDERS, Board, BoardChoice
from pulsebot.services.idea.idea_status import FINAL, LABELS, NEXT
from pulsebot.services.idea.ideas import CATEGORIES, STAGES, IdeaView
from pulsebot.services.privacy.roles import Role
from pulsebot.store.models import IdeaStatus

ANONYMOUS = "a colleague (anonymous)"  # as the card in Slack says it


@dataclass(frozen=True)
class IdeaRow:
    id: int
    text: str
    details: str  # category, journey stage
    author: str
    status: str
    votes: str
    reason_label: str
    reason: str
    moves: tuple[tuple[str, str], ...]  # (status value, label); empty for whoever may not move it


@dataclass(frozen=True)
class Filters:
    """The filters' options, each (value, label), the first meaning any, and the choice made."""

    statuses: tuple[tuple[str, str], ...]
    categories: tuple[tuple[str, str], ...]
    stages: tuple[tuple[str, str], ...]
    orders: tuple[tuple[str, str], ...]
    chosen: dict[str, str]


def filters(asked: dict[str, str]) -> Filters:
    return Filters(
        statuses=(("", "Any status"), *((status.value, LABELS[status]) for status in IdeaStatus)),
        categories=(("", "Any category"), *((category, category) for category in CATEGORIES)),
        stages=(("", "Any stage"), *((stage, stage) for stage in STAGES)),
        orders=tuple(ORDERS.items()),
        chosen=asked,
    )


def chosen_args(choice: BoardChoice) -> dict[str, str]:
    """The query that gives this choice again, leaving out what is the default."""
    args = {
        "status": choice.status.value if choice.status else "",
        "category": choice.category or "",
        "stage": choice.stage or "",
        "order": "" if choice.order == "newest" else choice.order,
    }
    return {name: value for name, value in args.items() if value}


def idea_rows(board: Board, *, role: Role) -> tuple[IdeaRow, ...]:
    return tuple(_row(idea, role=role) for idea in board.ideas)


def _row(idea: IdeaView, *, role: Role) -> IdeaRow:
    reason_label = ""
    if idea.reason:
        reason_label = "Why it was declined" if idea.status is IdeaStatus.declined else "Note from the team"
    return IdeaRow(
        id=idea.id,
        text=idea.text,
        details=" · ".join(
            filter(None, (idea.category, f"journey stage: {idea.stage}" if idea.stage else ""))
        ),
        author=idea.author_id or ANONYMOUS,
        status=LABELS[idea.status],
        votes=f"{idea.votes} vote" if idea.votes == 1 else f"{idea.votes} votes",
        reason_label=reason_label,
        reason=idea.reason or "",
        moves=_moves(idea, role=role),
    )


def _moves(idea: IdeaView, *, role: Role) -> tuple[tuple[str, str], ...]:
    """The Slack card's menu: the moves from its status, a final one reopened by admins only."""
    if role < Role.manager or (idea.status in FINAL and role < Role.admin):
        return ()
    moves = []
    for target in NEXT[idea.status]:
        if idea.status in FINAL:
            label = "Reopen (to Under review)"
        elif target is IdeaStatus.declined:
            label = "Decline (say why below)"
        else:
            label = f"Move to {LABELS[target]}"
        moves.append((target.value, label))
    return tuple(moves)
