"""segment releases: each closed period's segment figures, released once under the disclosure rules

`segment_release` is one period of a workspace (a month or a quarter, never overlapping another) whose
figures were released; `segment_figure` holds one segment's figure for one measure, or, for a hidden one,
only why it is hidden. Every view of segments reads these rows.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "segment_release",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", AutoString(length=10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("min_group", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "period", name="uq_segment_release_team_id_period"),
        sa.UniqueConstraint("team_id", "starts_on", name="uq_segment_release_team_id_starts_on"),
    )
    op.create_table(
        "segment_figure",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("table_name", AutoString(length=40), nullable=False),
        sa.Column("group_key", AutoString(length=200), nullable=False),
        sa.Column("measure", AutoString(length=40), nullable=False),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("answers", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("hidden", AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(["release_id"], ["segment_release.id"]),
        sa.PrimaryKeyConstraint("release_id", "table_name", "group_key", "measure"),
    )
    # A line's key names its managers by Slack id (forget-me rewrites a forgotten one's).
    keep_no_statistics(op.get_bind(), frozenset({("segment_figure", "group_key")}))


def downgrade() -> None:
    op.drop_table("segment_figure")
    op.drop_table("segment_release")
