"""reliability: seen Slack requests, channel-post claims, one run per scheduled time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:37:37.157132
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_request",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("seen_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_request_seen_at"), ["seen_at"], unique=False)

    with op.batch_alter_table("pulse_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint("uq_pulse_run_scheduled_for", ["survey_id", "scheduled_for"])


def downgrade() -> None:
    with op.batch_alter_table("pulse_run", schema=None) as batch_op:
        batch_op.drop_constraint("uq_pulse_run_scheduled_for", type_="unique")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("scheduled_for")

    with op.batch_alter_table("seen_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_request_seen_at"))

    op.drop_table("seen_request")
