"""posted once: when the latest attempt to post a pulse message or a relayed reply began

`pulse_run.attempted_at`, `delivery.attempted_at` and `conversation_message.attempted_at` are set when a
sender claims the message to post it. A later sender that finds the attempt may have reached Slack looks
for the message in the few minutes around that moment only, which one small `conversations.history` call
covers even where Slack allows an app one call a minute and 15 messages (slack/posted.py). It is
cleared when Slack answered that it did not post the message, which then needs no look. A message
claimed before this upgrade is taken to have been tried when its claim began (the default claim being
5 minutes), so a sender the upgrade stopped mid-post is looked for still.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from pulsebot.store.models import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each table, and the columns that name one of its rows.
TABLES = {"pulse_run": ("id",), "delivery": ("id",), "conversation_message": ("conversation_id", "seq")}
CLAIM_FOR = timedelta(minutes=5)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    for name, key in TABLES.items():
        rows = sa.table(
            name,
            *(sa.column(column) for column in key),
            sa.column("claimed_until", UTCDateTime()),
            sa.column("attempted_at", UTCDateTime()),
        )
        claimed = bind.execute(
            sa.select(*(rows.c[column] for column in key), rows.c.claimed_until).where(
                rows.c.claimed_until.is_not(None)
            )
        ).all()
        for *ids, claimed_until in claimed:
            where = [rows.c[column] == value for column, value in zip(key, ids, strict=True)]
            bind.execute(rows.update().where(*where).values(attempted_at=claimed_until - CLAIM_FOR))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("attempted_at")
