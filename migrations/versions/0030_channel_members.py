"""channel members: the members of the survey channels, read from Slack once and kept current by its events

`channel_member` holds each active human member of a survey's channel with their Slack time zone and
whether they run the Slack workspace, as a conversations.members read lists them; Slack's
`member_joined_channel`, `member_left_channel`, `user_change` and `user_profile_changed` events keep it
current, and a paced, resumable read reconciles it when the last is a day old
(slack/channel_members.py). `channel_read` says, per channel, when its last full read ended and, for one
under way, the page it goes on from. Opening a run reads the table, never Slack's whole list.

Revision ID: 0030
Revises: 0025
Create Date: 2026-12-08 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_member",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("channel_id", AutoString(length=20), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("tz", AutoString(length=64), nullable=True),
        sa.Column("runs_slack", sa.Boolean(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "user_id"),
    )
    op.create_table(
        "channel_read",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("channel_id", AutoString(length=20), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reading", sa.Integer(), nullable=True),
        sa.Column("cursor", AutoString(length=200), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "channel_id"),
    )
    keep_no_statistics(
        op.get_bind(),
        frozenset({("channel_member", "user_id"), ("channel_member", "tz"), ("channel_read", "cursor")}),
    )


def downgrade() -> None:
    op.drop_table("channel_read")
    op.drop_table("channel_member")
