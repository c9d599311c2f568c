"""idea notices: what Slack still has to hear about an idea changed on the web dashboard

`idea_notice` holds, for each status change made on the dashboard (which posts nothing to Slack itself),
the idea, the status it left and who moved it, and for each card a forget-me on the dashboard left naming
its author, the idea alone. The scheduler takes each row, deletes it and tells Slack: the card, the
author's DM, the shipped note. No row names an idea's author.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-09 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idea_notice",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column(
            "previous",
            sa.Enum(
                "new",
                "under_review",
                "planned",
                "done",
                "declined",
                name="ideastatus",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("changed_by", AutoString(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["idea.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_idea_notice_idea_id"), "idea_notice", ["idea_id"], unique=False)
    keep_no_statistics(op.get_bind(), frozenset({("idea_notice", "changed_by")}))


def downgrade() -> None:
    op.drop_index(op.f("ix_idea_notice_idea_id"), table_name="idea_notice")
    op.drop_table("idea_notice")
