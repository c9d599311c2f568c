"""retention and audit: kept weeks, purged runs, an append-only audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:37:33.773910
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_ACTIONS = (
    "digest_sent",
    "drop_alert_sent",
    "digest_requested",
    "home_viewed",
    "report",
    "export",
    "forget",
    "retention_run",
)
REFUSAL = "audit_entry is append-only"


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "action",
            sa.Enum(*AUDIT_ACTIONS, name="auditaction", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
    _refuse_changes_to_audit_entries()

    op.create_table(
        "kept_week",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("audience", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column("rated_comments", sa.Integer(), nullable=False),
        sa.Column("sentiment_total", sa.Float(), nullable=False),
        sa.Column("negative_comments", sa.Integer(), nullable=False),
        sa.Column("positive_comments", sa.Integer(), nullable=False),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"]),
        sa.PrimaryKeyConstraint("survey_id", "week"),
    )
    op.create_table(
        "kept_question",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"]),
        sa.ForeignKeyConstraint(["survey_id", "week"], ["kept_week.survey_id", "kept_week.week"]),
        sa.PrimaryKeyConstraint("survey_id", "week", "question_id"),
    )
    with op.batch_alter_table("pulse_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def _refuse_changes_to_audit_entries() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
        return
    for statement in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_entry_no_{statement.lower()} BEFORE {statement} ON audit_entry "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    with op.batch_alter_table("pulse_run", schema=None) as batch_op:
        batch_op.drop_column("purged_at")

    op.drop_table("kept_question")
    op.drop_table("kept_week")
    op.drop_table("audit_entry")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_entry_append_only()")
