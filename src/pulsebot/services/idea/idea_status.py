"""The status workflow of an idea: who may move it where, and finding its author to tell them.

    New ──► Under review ◄──► Planned ──► Done
     │            │              │
     └────────────┴──────────────┴──► Declined (with a reason for the author)

Any open idea (New, Under review, Planned) may also skip ahead, e.g. a quick fix goes from New
straight to Done. Nothing goes back to New: it means "no one has looked yet". Done and Declined are
final; only an admin can reopen one, and it goes back to Under review.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from pulsebot.i18n import N_
from pulsebot.services.api import webhooks
from pulsebot.services.errors import Invalid, NotAllowed, NotFound
from pulsebot.services.idea import idea_authors
from pulsebot.services.idea.ideas import IdeaView, idea_view
from pulsebot.services.privacy.roles import Role
from pulsebot.store.models import Idea, IdeaStatus

REASON_MAX_CHARS = 500

OPEN = frozenset({IdeaStatus.new, IdeaStatus.under_review, IdeaStatus.planned})
FINAL = frozenset({IdeaStatus.done, IdeaStatus.declined})

NEXT: dict[IdeaStatus, tuple[IdeaStatus, ...]] = {
    IdeaStatus.new: (IdeaStatus.under_review, IdeaStatus.planned, IdeaStatus.done, IdeaStatus.declined),
    IdeaStatus.under_review: (IdeaStatus.planned, IdeaStatus.done, IdeaStatus.declined),
    IdeaStatus.planned: (IdeaStatus.under_review, IdeaStatus.done, IdeaStatus.declined),
    IdeaStatus.done: (IdeaStatus.under_review,),  # reopening: admins only
    IdeaStatus.declined: (IdeaStatus.under_review,),  # reopening: admins only
}

LABELS = {  # marked for the catalogs: an author's DM says them in the author's language
    IdeaStatus.new: N_("New"),
    IdeaStatus.under_review: N_("Under review"),
    IdeaStatus.planned: N_("Planned"),
    IdeaStatus.done: N_("Done"),
    IdeaStatus.declined: N_("Declined"),
}

# What a person may type for each status (lower case; spaces, dashes and underscores are alike).
_WORDS = {
    "new": IdeaStatus.new,
    "review": IdeaStatus.under_review,
    "under review": IdeaStatus.under_review,
    "reviewing": IdeaStatus.under_review,
    "reopen": IdeaStatus.under_review,
    "planned": IdeaStatus.planned,
    "plan": IdeaStatus.planned,
    "done": IdeaStatus.done,
    "shipped": IdeaStatus.done,
    "declined": IdeaStatus.declined,
    "decline": IdeaStatus.declined,
}
STATUS_WORDS = ("review", "planned", "done", "declined")


def parse_status(words: str) -> IdeaStatus | None:
    return _WORDS.get(" ".join(words.lower().replace("-", " ").replace("_", " ").split()))


@dataclass(frozen=True)
class StatusChange:
    idea: IdeaView  # as it is now
    previous: IdeaStatus
    changed_by: str

    @property
    def reopened(self) -> bool:
        return self.previous in FINAL

    @property
    def shipped(self) -> bool:
        return self.idea.status is IdeaStatus.done


def check_change(session: Session, *, idea_id: int, status: IdeaStatus, role: Role) -> IdeaStatus:
    """Refuse a change the person may not make, before asking them for a reason; return the current status."""
    if role < Role.manager:
        raise NotAllowed(
            "Only managers and admins can change an idea's status. "
            f"If #{idea_id} matters to you, vote for it with :+1:."
        )
    idea = session.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea #{idea_id}.")
    current = idea.status
    if status is current:
        raise Invalid(f"#{idea_id} is already {LABELS[current]}.")
    if status not in NEXT[current]:
        if current in FINAL:
            raise Invalid(
                f"#{idea_id} is {LABELS[current]}, which is final. An admin can reopen it to Under review "
                f"with `/idea status {idea_id} review`."
            )
        if status is IdeaStatus.new:
            raise Invalid(f"An idea can't go back to New. Move #{idea_id} to Under review instead.")
        raise Invalid(f"#{idea_id} can't go from {LABELS[current]} to {LABELS[status]}.")
    if current in FINAL and role < Role.admin:
        raise NotAllowed(f"#{idea_id} is {LABELS[current]}. Only an admin can reopen it.")
    return current


def change_status(
    session: Session,
    *,
    idea_id: int,
    status: IdeaStatus,
    user_id: str,
    role: Role,
    now: datetime,
    reason: str | None = None,
) -> StatusChange:
    """Move an idea to `status`. A reason is required to decline and optional otherwise (a note)."""
    current = check_change(session, idea_id=idea_id, status=status, role=role)
    reason = (reason or "").strip() or None
    if status is IdeaStatus.declined and reason is None:
        raise Invalid(
            f"Declining #{idea_id} needs a reason its author can read, "
            "e.g. “Not this year: the billing system is being replaced”.",
            field="reason",
        )
    if reason is not None and len(reason) > REASON_MAX_CHARS:
        raise Invalid(
            f"That reason is {len(reason):,} characters; the limit is {REASON_MAX_CHARS}.", field="reason"
        )
    # Compare-and-set, so two managers changing the same idea at once can't both win (and ship it twice).
    moved = session.exec(
        update(Idea)
        .where(Idea.id == idea_id, Idea.status == current)
        .values(status=status, status_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)  # the rows are re-read below, once we know it moved
    ).rowcount
    if moved != 1:
        raise Invalid(f"Someone changed #{idea_id} a moment ago, so nothing was changed. Look and try again.")
    session.expire_all()
    change = StatusChange(idea=idea_view(session, idea_id=idea_id), previous=current, changed_by=user_id)
    webhooks.queue_event(
        session, "idea.status_changed", idea_event(change), now=now, team_id=_team_of(session, idea_id)
    )
    return change


def idea_event(change: StatusChange) -> dict:
    """What a webhook hears of a status change: never its author, nor who voted."""
    idea = change.idea
    return {
        "idea": {"id": idea.id, "text": idea.text, "category": idea.category, "votes": idea.votes},
        "status": idea.status.value,
        "previous": change.previous.value,
        "note": idea.reason,
    }


def _team_of(session: Session, idea_id: int) -> str:
    return session.exec(select(Idea.team_id).where(Idea.id == idea_id)).one()


def find_author(session: Session, *, idea_id: int, key: bytes, people: Iterable[str]) -> str | None:
    """The Slack user who posted an idea: named on it, or, for an anonymous one, the person among
    `people` whose author token matches. Only a process holding the key can do this."""
    idea = session.get(Idea, idea_id)
    if idea is None:
        return None
    return idea_authors.find_among(session, idea, key=key, people=people)
