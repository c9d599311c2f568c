"""closing the loop: shared results, action plans, "Is this helping?" and "You said, we did"

`results_share` records each team-week posted to the team's channel; `survey.share_results_auto` shares
without a click. `team_action` holds the managers' actions on a driver, question or comment theme;
`action_check` a round of "Is this helping?" on a shared action, whose anonymous answers
(`action_check_answer`) live only while the round is open. `loop_post` records each month's
"You said, we did" post per team.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 19:35:46.702810
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loop_post",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_id", AutoString(length=20), nullable=True),
        sa.Column("message_ts", AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
        ),
        sa.PrimaryKeyConstraint("survey_id", "month"),
    )
    op.create_table(
        "results_share",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shared_by", AutoString(length=20), nullable=False),
        sa.Column("with_comments", sa.Boolean(), nullable=False),
        sa.Column("channel_id", AutoString(length=20), nullable=True),
        sa.Column("message_ts", AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
        ),
        sa.PrimaryKeyConstraint("survey_id", "week"),
    )
    op.create_table(
        "team_action",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column(
            "focus_kind",
            sa.Enum("driver", "question", "theme", name="focuskind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("focus_key", AutoString(length=200), nullable=False),
        sa.Column("focus_label", AutoString(length=200), nullable=False),
        sa.Column("text", AutoString(length=300), nullable=False),
        sa.Column("owner_id", AutoString(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned", "in_progress", "done", "dropped", name="actionstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("status_reason", AutoString(length=500), nullable=True),
        sa.Column("created_by", AutoString(length=20), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", AutoString(length=20), nullable=True),
        sa.Column("message_ts", AutoString(length=32), nullable=True),
        sa.Column("reminded_before", sa.Boolean(), nullable=False),
        sa.Column("reminded_due", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("team_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_action_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "action_check",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column(
            "for_status",
            sa.Enum(
                "planned", "in_progress", "done", "dropped", name="actionstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="runstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("secret", AutoString(length=64), nullable=True),
        sa.Column("channel_id", AutoString(length=20), nullable=True),
        sa.Column("message_ts", AutoString(length=32), nullable=True),
        sa.Column("answered", sa.Integer(), nullable=True),
        sa.Column("yes", sa.Integer(), nullable=True),
        sa.Column("not_yet", sa.Integer(), nullable=True),
        sa.Column("no", sa.Integer(), nullable=True),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["team_action.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_check_action_id"), ["action_id"], unique=False)

    op.create_table(
        "action_check_answer",
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("respondent", AutoString(length=64), nullable=False),
        sa.Column("answer", AutoString(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["action_check.id"],
        ),
        sa.PrimaryKeyConstraint("check_id", "respondent"),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("share_results_auto", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_column("share_results_auto")

    op.drop_table("action_check_answer")
    with op.batch_alter_table("action_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_check_action_id"))

    op.drop_table("action_check")
    with op.batch_alter_table("team_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_action_survey_id"))

    op.drop_table("team_action")
    op.drop_table("results_share")
    op.drop_table("loop_post")
