"""The audit log: who looked at a team's results or removed data, and when.

Append-only: this module only adds and reads entries, and the migration makes the database refuse
UPDATE and DELETE on the table. An entry names the person who looked (a Slack user id) or what acted on
its own (`cli`, `scheduler`); a forget entry never names the person forgotten, only what was removed.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from pulsebot.store.models import AuditAction, AuditEntry
from pulsebot.store.scoping import SINGLE_WORKSPACE

CLI = "cli"
SCHEDULER = "scheduler"
FORGET_ME = "forget-me"  # the actor of a `/pulse forget-me`: the person's own id would undo the forgetting
ORG_SCOPE = "org"
DETAIL_MAX = 300
HOME_ENTRIES = 10  # the latest entries an admin sees in App Home


def record(
    session: Session,
    *,
    actor: str,
    action: AuditAction,
    scope: str,
    now: datetime,
    detail: str = "",
    team_id: str = SINGLE_WORKSPACE,
) -> None:
    """Add an entry in the caller's transaction, so it stands or falls with what it records. A session of
    one workspace writes it there; `team_id` names the workspace for one that sees them all."""
    session.add(
        AuditEntry(
            team_id=team_id, at=now, actor=actor, action=action, scope=scope[:80], detail=detail[:DETAIL_MAX]
        )
    )
    session.flush()


def entries(session: Session, *, since: datetime | None = None, limit: int | None = None) -> list[AuditEntry]:
    """Entries from `since` on, oldest first; with `limit`, the latest `limit` of them."""
    query = select(AuditEntry)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if limit is None:
        return list(session.exec(query.order_by(AuditEntry.at, AuditEntry.id)).all())
    latest = session.exec(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    return list(reversed(latest))


def newest_entries(session: Session, *, before: int | None, limit: int) -> tuple[list[AuditEntry], bool]:
    """Up to `limit` entries written before entry `before` (from the newest, without it), newest first,
    and whether older ones follow. Paging by the last entry seen, not by a count, so entries written
    meanwhile do not shift the next page."""
    query = select(AuditEntry)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = session.exec(query.order_by(AuditEntry.id.desc()).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit
