"""Taking over the single-workspace data: a deployment that served one workspace with SLACK_BOT_TOKEN
wrote its rows under the team "" (there was no other); once it serves workspaces installed through
OAuth, the workspace it served installs pulsebot and `pulsebot workspace adopt` moves those rows to it.

Every workspace table moves in one transaction, or none does. The audit log is append-only, so its
entries stay where they were written (`pulsebot audit` lists them without a workspace); the move itself
is logged under the workspace that took the data over.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, func, update
from sqlmodel import Session, SQLModel, select

from pulsebot.services.errors import Invalid
from pulsebot.services.privacy import audit
from pulsebot.store.models import AuditAction, AuditEntry, Survey
from pulsebot.store.scoping import SINGLE_WORKSPACE

KEPT_WHERE_WRITTEN = {AuditEntry.__tablename__}


# What the rows of each workspace table are, in words (singular, plural).
WHAT = {
    "survey": ("survey", "surveys"),
    "pulse_run": ("pulse", "pulses"),
    "delivery": ("record of a pulse sent", "records of pulses sent"),
    "idea": ("idea", "ideas"),
    "survey_manager": ("survey manager", "survey managers"),
    "manager_notice": ("digest notice", "digest notices"),
    "conversation": ("anonymous conversation", "anonymous conversations"),
    "conversation_message": ("relayed message", "relayed messages"),
}


def describe_rows(rows: dict[str, int]) -> str:
    """Rows per table, in words: "1 survey, 12 pulses, …"."""

    def words(table: str, count: int) -> str:
        one, many = WHAT.get(table, (table, table))
        return f"{count:,} {one if count == 1 else many}"

    return ", ".join(words(table, count) for table, count in rows.items())


def workspace_tables() -> list[Table]:
    """The tables whose rows carry their workspace, in the order the schema declares them."""
    return [
        table
        for table in SQLModel.metadata.sorted_tables
        if "team_id" in table.c and table.name not in KEPT_WHERE_WRITTEN
    ]


def single_workspace_rows(session: Session) -> dict[str, int]:
    """How many rows of each workspace table the single-workspace setup left, leaving out empty ones."""
    counts = {
        table.name: session.exec(
            select(func.count()).select_from(table).where(table.c.team_id == SINGLE_WORKSPACE)
        ).one()
        for table in workspace_tables()
    }
    return {name: count for name, count in counts.items() if count}


def adopt_single_workspace_data(session: Session, *, team_id: str, now: datetime) -> dict[str, int]:
    """Move every row of the single-workspace setup to `team_id`; returns the rows moved per table.
    `session` must see every workspace (an unscoped one)."""
    if team_id == SINGLE_WORKSPACE:
        raise Invalid("Name the workspace the data moves to.")
    clashes = session.exec(
        select(Survey.name)
        .where(Survey.team_id == SINGLE_WORKSPACE)
        .where(Survey.name.in_(select(Survey.name).where(Survey.team_id == team_id)))
        .order_by(Survey.name)
    ).all()
    if clashes:
        raise Invalid(
            f"{team_id} already has surveys named {', '.join(clashes)}; survey names are unique within a "
            "workspace, so nothing was moved."
        )
    moved = {}
    for table in workspace_tables():
        result = session.exec(
            update(table).where(table.c.team_id == SINGLE_WORKSPACE).values(team_id=team_id)
        )
        if result.rowcount:
            moved[table.name] = result.rowcount
    if moved:
        audit.record(
            session,
            actor=audit.CLI,
            action=AuditAction.workspace_adopted,
            scope=team_id,
            now=now,
            detail=describe_rows(moved),
            team_id=team_id,
        )
    return moved
