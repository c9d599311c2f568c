"""answer keys: per-run key material for answer tokens; no per-person "answered" flag

`delivery.answered` was written in the same transaction as a person's first answer, which tied the
answer to the person for anyone reading the database. Whether someone answered is now found by
recomputing their token. Runs from before this revision get their key material on the scheduler's
next `answer-keys` sweep, which re-keys their answers (services/pulse/answer_keys.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_secret",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("destroyed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["pulse_run.id"]),
        sa.PrimaryKeyConstraint("run_id"),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_run_id_answered_user_id")
        batch_op.drop_column("answered")


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(
            "ix_delivery_run_id_answered_user_id", ["run_id", "answered", "user_id"], unique=False
        )
    op.drop_table("run_secret")
