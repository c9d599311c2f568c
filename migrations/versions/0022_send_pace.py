"""send pace: one pace of posting per workspace, shared by every process that sends for it

`send_pace` holds, per workspace, the next moment a pulse may be posted and the pause after a 429, by
the database's clock, so that several processes sending for one workspace on PostgreSQL keep Slack's
rate together instead of each taking all of it (store/pace.py). SQLite stays with one process and its
own pace in memory; the table is created there too, and left empty.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_pace",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("ceiling", sa.Float(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("next_slot", sa.Float(), nullable=False),
        sa.Column("held_until", sa.Float(), nullable=False),
        sa.Column("clean", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )


def downgrade() -> None:
    op.drop_table("send_pace")
