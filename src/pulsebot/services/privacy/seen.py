"""Slack requests already taken in, so a retry or a replay of one is not handled twice.

Kept in the database, so the replica a retry reaches knows what another one handled. A row is only
needed while Slack may still retry (minutes) and a signature is still fresh (5 minutes); older rows
are deleted by the scheduler's `seen-cleanup` sweep.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from pulsebot.store.models import SeenRequest

KEEP_FOR = timedelta(hours=1)
# A row's time is only the start of its ten minutes: enough to delete it after an hour, and not the
# exact moment of anyone's click.
COARSE = timedelta(minutes=10)


def first_sighting(session: Session, *, key: str, now: datetime) -> bool:
    """Note the request; True the first time this key is seen, False for a retry or a replay."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # On the Table, not the ORM class: a plain INSERT, without the ORM's bulk-insert bookkeeping, since
    # this runs before every acknowledgement.
    statement = (
        dialect.insert(SeenRequest.__table__)
        .values(key=key, seen_at=coarse(now))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(
            SeenRequest.__table__.c.key
        )  # a row back means it was inserted (rowcount is not dependable here)
    )
    return session.connection().execute(statement).first() is not None  # Core, not the ORM: it is cheaper


def forget_before(session: Session, *, before: datetime) -> int:
    return session.exec(delete(SeenRequest).where(SeenRequest.seen_at < before)).rowcount


def coarse(moment: datetime) -> datetime:
    step = int(COARSE.total_seconds())
    return datetime.fromtimestamp(int(moment.timestamp()) // step * step, tz=moment.tzinfo)
