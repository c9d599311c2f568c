"""At most one digest (or drop alert) per manager, team and week, even with several schedulers running.

A notice row is claimed before the message goes out; the primary key makes a second claim fail. If the
message cannot be sent, the claim is released so a later attempt can try again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from pulsebot.store.db import add_once
from pulsebot.store.models import ManagerNotice, NoticeKind


def claim_notice(
    session: Session, *, kind: NoticeKind, scope: str, user_id: str, week: date, now: datetime
) -> bool:
    """True when this call claimed the notice; False when it was already sent (or being sent)."""
    if _notice(session, kind=kind, scope=scope, user_id=user_id, week=week) is not None:
        return False
    return add_once(session, ManagerNotice(kind=kind, scope=scope, user_id=user_id, week=week, sent_at=now))


def release_notice(session: Session, *, kind: NoticeKind, scope: str, user_id: str, week: date) -> None:
    notice = _notice(session, kind=kind, scope=scope, user_id=user_id, week=week)
    if notice is not None:
        session.delete(notice)
        session.flush()


def noticed_scopes(session: Session, *, kind: NoticeKind, user_id: str, week: date) -> set[str]:
    query = select(ManagerNotice.scope).where(
        ManagerNotice.kind == kind, ManagerNotice.user_id == user_id, ManagerNotice.week == week
    )
    return set(session.exec(query).all())


def _notice(
    session: Session, *, kind: NoticeKind, scope: str, user_id: str, week: date
) -> ManagerNotice | None:
    # Looked up by query, not by primary key: the session's workspace completes the key.
    query = select(ManagerNotice).where(
        ManagerNotice.kind == kind,
        ManagerNotice.scope == scope,
        ManagerNotice.user_id == user_id,
        ManagerNotice.week == week,
    )
    return session.exec(query).first()
