"""action notices: what Slack still has to hear about a channel-posted action changed on the dashboard

`action_notice` holds, for each change the dashboard made to an action posted to its team's channel (the
dashboard posts nothing to Slack itself), the action, the status it left and the one it reached (none
for an edit) and who made the change. The scheduler takes each row, deletes it and tells Slack: the
team's channel, the action's post redrawn, the Home tab of who changed it.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_notice",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column(
            "previous",
            sa.Enum(
                "planned", "in_progress", "done", "dropped", name="actionstatus", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "planned", "in_progress", "done", "dropped", name="actionstatus", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column("changed_by", AutoString(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["team_action.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_action_notice_action_id"), "action_notice", ["action_id"], unique=False)
    keep_no_statistics(op.get_bind(), frozenset({("action_notice", "changed_by")}))


def downgrade() -> None:
    op.drop_index(op.f("ix_action_notice_action_id"), table_name="action_notice")
    op.drop_table("action_notice")
