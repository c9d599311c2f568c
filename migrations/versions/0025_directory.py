"""directory: the workspace's active people, read from Slack once and kept current by its events

`directory_person` holds the Slack id of each active human of a workspace (bots, apps and deactivated
accounts left out), as one full users.list read lists them; Slack's `team_join` and `user_change` events
add and remove people between reads, and a full read runs again only when the last one is a day old
(slack/workspace_people.py). `directory_read` says when a workspace's last full read ended and, for one
under way, the page it goes on from. Every process reads the same table, so replicas agree on who is in
the workspace and none re-reads users.list on its own.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-09 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_person",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_table(
        "directory_read",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reading", sa.Integer(), nullable=True),
        sa.Column("cursor", AutoString(length=200), nullable=True),
        sa.PrimaryKeyConstraint("team_id"),
    )
    keep_no_statistics(
        op.get_bind(), frozenset({("directory_person", "user_id"), ("directory_read", "cursor")})
    )


def downgrade() -> None:
    op.drop_table("directory_read")
    op.drop_table("directory_person")
