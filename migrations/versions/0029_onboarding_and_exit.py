"""onboarding and exit: new joiners' pulses pooled by cohort, and exit surveys confidential to HR

`onboarding_cohort` is one calendar quarter of start dates, with the key material of its answers'
tokens until its release; `onboarding_pulse` the day-30, -60 and -90 pulses owed to each new joiner
(deleted at the release); `onboarding_answer` an answer with its cohort and milestone only;
`onboarding_figure` what the release kept. `person.end_date` is someone's last day, from HR's export.
`exit_survey` and `exit_answer` hold what someone leaving answered, with their name: read by admins
only, removed by retention and forget-me.

Revision ID: 0029
Revises: 0025
Create Date: 2026-12-08 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("person", sa.Column("end_date", sa.Date(), nullable=True))
    op.create_table(
        "onboarding_cohort",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort", AutoString(length=7), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("secret", AutoString(length=64), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("min_group", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "cohort", name="uq_onboarding_cohort_team_id_cohort"),
    )
    op.create_table(
        "onboarding_pulse",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("milestone", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", AutoString(length=20), nullable=True),
        sa.Column("message_ts", AutoString(length=32), nullable=True),
        sa.Column("from_join", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["onboarding_cohort.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cohort_id", "user_id", "milestone"),
    )
    op.create_index("ix_onboarding_pulse_cohort_id", "onboarding_pulse", ["cohort_id"])
    op.create_index("ix_onboarding_pulse_due_on", "onboarding_pulse", ["due_on"])
    op.create_table(
        "onboarding_answer",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.Integer(), nullable=False),
        sa.Column("question_key", AutoString(length=40), nullable=False),
        sa.Column("respondent", AutoString(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["onboarding_cohort.id"]),
        sa.PrimaryKeyConstraint("cohort_id", "milestone", "question_key", "respondent"),
    )
    op.create_table(
        "onboarding_figure",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.Integer(), nullable=False),
        sa.Column("question_key", AutoString(length=40), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("hidden", AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["onboarding_cohort.id"]),
        sa.PrimaryKeyConstraint("cohort_id", "milestone", "question_key"),
    )
    op.create_table(
        "exit_survey",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_id", AutoString(length=20), nullable=True),
        sa.Column("message_ts", AutoString(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_exit_survey_user_id", "exit_survey", ["user_id"])
    op.create_index("ix_exit_survey_sent_at", "exit_survey", ["sent_at"])
    op.create_table(
        "exit_answer",
        sa.Column("exit_id", sa.Integer(), nullable=False),
        sa.Column("question_key", AutoString(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("choice", AutoString(length=200), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["exit_id"], ["exit_survey.id"]),
        sa.PrimaryKeyConstraint("exit_id", "question_key"),
    )
    keep_no_statistics(op.get_bind())


def downgrade() -> None:
    op.drop_table("exit_answer")
    op.drop_index("ix_exit_survey_sent_at", table_name="exit_survey")
    op.drop_index("ix_exit_survey_user_id", table_name="exit_survey")
    op.drop_table("exit_survey")
    op.drop_table("onboarding_figure")
    op.drop_table("onboarding_answer")
    op.drop_index("ix_onboarding_pulse_due_on", table_name="onboarding_pulse")
    op.drop_index("ix_onboarding_pulse_cohort_id", table_name="onboarding_pulse")
    op.drop_table("onboarding_pulse")
    op.drop_table("onboarding_cohort")
    op.drop_column("person", "end_date")
