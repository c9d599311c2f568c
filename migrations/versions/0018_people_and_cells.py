"""people and cells: HR attributes for segments, and each run's cells fixed when it opens

`person` holds each person's HR attributes (department and division, site and region, start date,
level, manager), kept apart from survey data. When a run opens, its audience is grouped into cells of at
least K people (`run_cell`, attributes generalised up their hierarchies); `run_member` says which cell
each audience member is in until the run's key material is destroyed; an answer carries only its cell
(`answer.cell`), never the attributes.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERSON_ATTRIBUTES = ("department", "division", "site", "region", "start_date", "level", "manager_id")


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("department", AutoString(length=80), nullable=True),
        sa.Column("division", AutoString(length=80), nullable=True),
        sa.Column("site", AutoString(length=80), nullable=True),
        sa.Column("region", AutoString(length=80), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("level", AutoString(length=40), nullable=True),
        sa.Column("manager_id", AutoString(length=20), nullable=True),
        sa.Column("source", AutoString(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_table(
        "run_cell",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("cell", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("department", AutoString(length=80), nullable=True),
        sa.Column("division", AutoString(length=80), nullable=True),
        sa.Column("site", AutoString(length=80), nullable=True),
        sa.Column("region", AutoString(length=80), nullable=True),
        sa.Column("tenure", AutoString(length=20), nullable=True),
        sa.Column("level", AutoString(length=40), nullable=True),
        sa.Column("line", AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["pulse_run.id"]),
        sa.PrimaryKeyConstraint("run_id", "cell"),
    )
    op.create_table(
        "run_member",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("cell", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["pulse_run.id"]),
        sa.PrimaryKeyConstraint("run_id", "user_id"),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cell", sa.Integer(), nullable=True))
    # Added after the migration that keeps sensitive columns out of the planner's statistics (0016).
    keep_no_statistics(
        op.get_bind(),
        frozenset(
            {("person", column) for column in ("user_id", *PERSON_ATTRIBUTES)}
            | {("run_member", "user_id"), ("run_member", "cell"), ("answer", "cell"), ("run_cell", "line")}
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("cell")
    op.drop_table("run_member")
    op.drop_table("run_cell")
    op.drop_table("person")
