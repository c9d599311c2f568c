"""People's stored attributes: written from a whole CSV export or from Slack profiles, read back for the
operator, removed when a person leaves Slack or asks to be forgotten.

A person has one row, from one source. A CSV row wins over profile fields: an import replaces a row read
from a profile, and profiles are not read for anyone the last import listed. `updated_at` is when the
row's source last gave it: for a CSV row the import that last changed it, so importing the same file
again changes nothing; for a profile row the last time Slack confirmed it (a sync or a `user_change`
event), so retention can tell a profile pulsebot has stopped hearing about
(services/privacy/retention.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from pulsebot.services.people.attributes import CSV, PROFILE, Attributes
from pulsebot.services.people.people_file import Imported
from pulsebot.store.db import add_once
from pulsebot.store.models import Person
from pulsebot.store.scoping import SINGLE_WORKSPACE, TEAM


@dataclass
class Changes:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    from_csv: int = 0  # people a sync left alone, since the CSV import gives their attributes
    empty: int = 0  # members a sync found no mapped field filled in for

    def describe(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged"
        )


def attributes_of(person: Person) -> Attributes:
    return Attributes(
        department=person.department,
        division=person.division,
        site=person.site,
        region=person.region,
        level=person.level,
        start_date=person.start_date,
        manager_id=person.manager_id,
        end_date=person.end_date,
    )


def import_people(session: Session, *, people: list[Imported], now: datetime) -> Changes:
    """Make the stored CSV rows the file's people: add and update theirs, remove those of people the
    file no longer lists (the file is the whole export)."""
    stored = {person.user_id: person for person in session.exec(select(Person)).all()}
    changes = Changes()
    for imported in people:
        row = stored.get(imported.user_id)
        if row is None:
            session.add(_new_row(imported.user_id, imported.attributes, source=CSV, now=now))
            changes.added += 1
        elif row.source == CSV and attributes_of(row) == imported.attributes:
            changes.unchanged += 1
        else:
            _set(row, imported.attributes, source=CSV, now=now)
            changes.updated += 1
    listed = {imported.user_id for imported in people}
    for user_id, row in stored.items():
        if row.source == CSV and user_id not in listed:
            session.delete(row)
            changes.removed += 1
    session.flush()
    return changes


def imported_ids(session: Session, *, among: Collection[str] | None = None) -> set[str]:
    """The people the last import listed (of `among`, if given): their profiles are not read."""
    statement = select(Person.user_id).where(Person.source == CSV)
    if among is not None:
        statement = statement.where(Person.user_id.in_(list(among)))
    return set(session.exec(statement).all())


def sync_profiles(
    session: Session, *, read: Mapping[str, Attributes], members: Collection[str], now: datetime
) -> Changes:
    """Store what the profiles of the workspace's active members gave (`read`, the members without a CSV
    row), confirming unchanged rows; remove the profile rows of anyone no longer an active member, and
    of a member whose mapped fields are all empty."""
    stored = {person.user_id: person for person in session.exec(select(Person)).all()}
    changes = Changes(from_csv=sum(1 for row in stored.values() if row.source == CSV))
    for user_id, attributes in read.items():
        row = stored.get(user_id)
        if row is not None and row.source == CSV:
            continue  # imported since the profiles were read: the CSV row wins
        changes_made = _store_profile(session, row, user_id, attributes, now=now)
        setattr(changes, changes_made, getattr(changes, changes_made) + 1)
    active = set(members)
    for user_id, row in stored.items():
        if row.source == PROFILE and user_id not in active:
            session.delete(row)
            changes.removed += 1
    session.flush()
    return changes


def store_profile(session: Session, *, user_id: str, attributes: Attributes, now: datetime) -> str:
    """One person's profile fields, as a `user_change` event brought them: "added", "updated",
    "unchanged" (confirmed), "removed" (no mapped field left), "empty" (none before either), or "csv"
    (left alone: the CSV row wins)."""
    row = session.get(Person, _key(session, user_id))
    if row is not None and row.source == CSV:
        return CSV
    if row is None and attributes.any():
        if add_once(session, _new_row(user_id, attributes, source=PROFILE, now=now)):
            return "added"
        row = session.get(Person, _key(session, user_id))  # another replica added it a moment ago
        if row is None or row.source == CSV:
            return CSV
    return _store_profile(session, row, user_id, attributes, now=now)


def remove_profile(session: Session, *, user_id: str) -> bool:
    """Remove a person's profile row (they were deactivated); a CSV row stays until the next import."""
    statement = delete(Person).where(Person.user_id == user_id, Person.source == PROFILE)
    return bool(session.exec(statement.execution_options(synchronize_session=False)).rowcount)


def _store_profile(
    session: Session, row: Person | None, user_id: str, attributes: Attributes, *, now: datetime
) -> str:
    if not attributes.any():
        if row is None:
            return "empty"
        session.delete(row)
        return "removed"
    if row is None:
        session.add(_new_row(user_id, attributes, source=PROFILE, now=now))
        return "added"
    same = attributes_of(row) == attributes
    _set(row, attributes, source=PROFILE, now=now)  # confirmed now, changed or not
    return "unchanged" if same else "updated"


def _key(session: Session, user_id: str) -> tuple[str, str]:
    return (session.info.get(TEAM, SINGLE_WORKSPACE), user_id)


def _new_row(user_id: str, attributes: Attributes, *, source: str, now: datetime) -> Person:
    return Person(user_id=user_id, source=source, updated_at=now, **attributes.as_columns())


def _set(row: Person, attributes: Attributes, *, source: str, now: datetime) -> None:
    for name, value in attributes.as_columns().items():
        setattr(row, name, value)
    row.source, row.updated_at = source, now


@dataclass(frozen=True)
class StoredPerson:
    user_id: str
    source: str
    updated_at: datetime
    attributes: Attributes
    line: tuple[str, ...] = field(default=())  # their managers, from the top down to their own


def stored_person(session: Session, *, user_id: str) -> StoredPerson | None:
    row = session.get(Person, _key(session, user_id))
    if row is None:
        return None
    managers = dict(session.exec(select(Person.user_id, Person.manager_id)).all())
    return StoredPerson(
        row.user_id, row.source, row.updated_at, attributes_of(row), line_above(user_id, managers)
    )


def line_above(user_id: str, managers: Mapping[str, str | None]) -> tuple[str, ...]:
    """The managers above a person, from the top down to their own. A line that comes back on itself
    (possible across sources: a profile naming someone below them) stops before it repeats anyone."""
    line: list[str] = []
    person = managers.get(user_id)
    while person is not None and person != user_id and person not in line:
        line.append(person)
        person = managers.get(person)
    return tuple(reversed(line))
