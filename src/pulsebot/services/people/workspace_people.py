"""The workspace's active people (`directory_person`): read in full from Slack when the last full read is a
day old, and kept current in between by Slack's events, so that every process reads one list from the
database instead of each re-reading Slack's.

A full read goes page by page; each page is stored as it comes, with the cursor of the next, so a read cut
off (a restart, Slack unavailable) goes on from where it stopped. Each person a read lists gets the read's
generation; its last page removes whoever is left from an earlier generation (listed before, not any
more). An event during a read gives its person the read's generation too, so a join the read's pages
missed is kept. Between reads every row carries the same generation: the table does not say when anyone
was seen or changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from pulsebot.store.among import among
from pulsebot.store.models import DirectoryPerson, DirectoryRead
from pulsebot.store.scoping import SINGLE_WORKSPACE, TEAM
from pulsebot.store.upsert import upsert


@dataclass(frozen=True)
class Listed:
    """What the directory keeps of an active person besides their id: their Slack time zone (when to ask
    them) and Slack locale (the language to ask in when they chose none)."""

    tz: str | None = None
    locale: str | None = None


# A full read once a day catches what the events missed (pulsebot stopped, an event lost).
READ_EVERY = timedelta(days=1)
# A directory no read has confirmed for this long (the app removed, Slack out of reach) is no longer
# kept current: retention deletes it, and a read fills it again if the workspace comes back.
UNKEPT_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class ReadStep:
    """Where a full read goes on: Slack's cursor of its next page ("" for the first)."""

    cursor: str
    first: bool  # no full read of this workspace has ever ended


def people(session: Session) -> tuple[str, ...]:
    """Every active human of the workspace, as the directory holds them."""
    return tuple(session.exec(select(DirectoryPerson.user_id).order_by(DirectoryPerson.user_id)).all())


def ever_read(session: Session) -> bool:
    """Whether a full read of the workspace has ever ended."""
    read = session.exec(select(DirectoryRead)).first()
    return read is not None and read.read_at is not None


def read_due(session: Session, *, now: datetime) -> ReadStep | None:
    """The step a full read is at: one under way, or a new one when the last ended READ_EVERY ago (or
    never); None when the directory is fresh."""
    read = _read_row(session)
    if read.reading is None:
        if read.read_at is not None and now - read.read_at < READ_EVERY:
            return None
        read.reading, read.cursor = read.generation + 1, None
        session.add(read)
        session.flush()
    return ReadStep(cursor=read.cursor or "", first=read.read_at is None)


def store_page(
    session: Session, *, humans: Mapping[str, Listed], others: Iterable[str], next_cursor: str
) -> None:
    """One page of a full read: `humans` listed (active people, each with their Slack time zone and
    locale), `others` listed as bots, apps or deactivated accounts; `next_cursor` is where the read goes on
    ("" after the last page)."""
    read = _read_row(session)
    generation = read.generation if read.reading is None else read.reading
    _put(session, humans, generation)
    _remove(session, others)
    read.cursor = next_cursor or None
    session.add(read)
    session.flush()


def finish_read(session: Session, *, now: datetime) -> int:
    """The read's last page is stored: remove whoever it did not list; how many."""
    read = _read_row(session)
    if read.reading is None:
        return 0
    gone = session.exec(
        delete(DirectoryPerson)
        .where(DirectoryPerson.generation < read.reading)
        .execution_options(synchronize_session=False)
    ).rowcount
    read.generation, read.reading, read.cursor, read.read_at = read.reading, None, None, now
    session.add(read)
    session.flush()
    return gone


def person_changed(
    session: Session, *, user_id: str, active: bool, tz: str | None = None, locale: str | None = None
) -> None:
    """An event about one person (they joined, changed their time zone, were deactivated, turned out a
    bot); `locale`, when the event carries it, their Slack locale (one it does not carry stays stored)."""
    if not active:
        _remove(session, [user_id])
        return
    read = _read_row(session)
    _put(session, {user_id: Listed(tz, locale)}, read.generation if read.reading is None else read.reading)


def zones_of(session: Session, *, people: Iterable[str]) -> dict[str, str]:
    """The Slack time zones the directory holds for these people (those it has one for)."""
    people = sorted(set(people))
    if not people:
        return {}
    rows = session.exec(
        select(DirectoryPerson.user_id, DirectoryPerson.tz).where(
            among(DirectoryPerson.user_id, people), DirectoryPerson.tz.is_not(None)
        )
    ).all()
    return dict(rows)


def forget(session: Session, *, user_id: str) -> int:
    """Forget-me: their row goes (the next full read lists them again while Slack does)."""
    return _remove(session, [user_id])


def remove_unkept(session: Session, *, now: datetime) -> int:
    """Retention, in every workspace (an unscoped session): delete the directories no full read has
    confirmed for UNKEPT_AFTER; how many people."""
    stale = select(DirectoryRead.team_id).where(DirectoryRead.read_at < now - UNKEPT_AFTER)
    removed = session.exec(
        delete(DirectoryPerson)
        .where(DirectoryPerson.team_id.in_(stale))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.exec(delete(DirectoryRead).where(DirectoryRead.read_at < now - UNKEPT_AFTER))
    return removed


def _put(session: Session, people: Mapping[str, Listed], generation: int) -> None:
    """Keep people listed by a read or an event, with their time zones, and their locales where known (a
    person listed without one keeps the locale stored)."""
    team_id = session.info.get(TEAM, SINGLE_WORKSPACE)
    for with_locale in (True, False):
        rows = [
            {"team_id": team_id, "user_id": user_id, "generation": generation, "tz": listed.tz}
            | ({"locale": listed.locale} if with_locale else {})
            for user_id, listed in people.items()
            if (listed.locale is not None) == with_locale
        ]
        update = ("generation", "tz", "locale") if with_locale else ("generation", "tz")
        if rows:
            upsert(session, DirectoryPerson.__table__, rows, key=("team_id", "user_id"), update=update)


def _remove(session: Session, user_ids: Iterable[str]) -> int:
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    statement = delete(DirectoryPerson).where(DirectoryPerson.user_id.in_(user_ids))
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount


def _read_row(session: Session) -> DirectoryRead:
    """The workspace's read row, locked until the transaction ends (on PostgreSQL): a page, an event
    and the end of a read each see the generation the others left."""
    team_id = session.info.get(TEAM, SINGLE_WORKSPACE)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    first = dialect.insert(DirectoryRead.__table__).values(team_id=team_id, generation=0)
    session.connection().execute(first.on_conflict_do_nothing(index_elements=["team_id"]))
    return session.exec(select(DirectoryRead).with_for_update()).one()
