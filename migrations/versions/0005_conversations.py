"""conversations: anonymous replies to comment and idea authors

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:37:05.495118
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "conversation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "subject",
            sa.Enum("comment", "idea", name="conversationsubject", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("respondent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("manager_user_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="conversationstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["pulse_run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_run_id"), ["run_id"], unique=False)

    op.create_table(
        "conversation_message",
        sa.Column("conversation_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("to_author", "to_manager", name="relaydirection", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deliver_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
        ),
        sa.PrimaryKeyConstraint("conversation_id", "seq"),
    )
    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_message_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_message_deliver_at"), ["deliver_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_message_deliver_at"))
        batch_op.drop_index(batch_op.f("ix_conversation_message_created_at"))

    op.drop_table("conversation_message")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_run_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_idea_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_created_at"))

    op.drop_table("conversation")
