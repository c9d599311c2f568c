"""People's HR attributes for the segment tests: `person` rows as an import would write them, and what the
database holds of a run's cells."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete
from sqlmodel import select

from pulsebot.services.segments.dimensions import Labels
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import Person, RunCell, RunMember

UPDATED = datetime(2027, 6, 1, tzinfo=UTC)


def person(user_id: str, **attributes) -> Person:
    return Person(user_id=user_id, updated_at=UPDATED, **attributes)


def put_people(sessions: SessionFactory, rows: list[Person], *, replace: bool = False) -> None:
    """Write these `person` rows (all of them instead of the stored ones, with `replace`)."""
    with transaction(sessions) as session:
        if replace:
            session.exec(delete(Person))
        for row in rows:
            session.merge(row)


def team_of(departments: dict[str, list[str]], **common) -> list[Person]:
    """A row per person, in the department their list is under (the division is the department's)."""
    return [
        person(user_id, department=department, division=f"{department} division", **common)
        for department, members in departments.items()
        for user_id in members
    ]


@dataclass(frozen=True)
class StoredCells:
    cells: dict[int, Labels]  # run_cell, by cell number
    people: dict[int, int]  # run_cell.people
    members: dict[str, int]  # run_member


def stored_cells(sessions: SessionFactory, run_id: int) -> StoredCells:
    with sessions() as session:
        cells = session.exec(select(RunCell).where(RunCell.run_id == run_id)).all()
        members = session.exec(select(RunMember).where(RunMember.run_id == run_id)).all()
    return StoredCells(
        cells={
            row.cell: Labels(**{name: getattr(row, name) for name in Labels.__dataclass_fields__})
            for row in cells
        },
        people={row.cell: row.people for row in cells},
        members={row.user_id: row.cell for row in members},
    )


def day(text: str) -> date:
    return date.fromisoformat(text)
