"""not applicable and snooze: an "N/A" answer a survey may offer per rated question, and people's own
pause of their pulses

`question.not_applicable` says a rated question offers "N/A". Such an answer is stored like any other,
with `value` empty and `choice` "n/a": it counts among the run's respondents and in no figure of the
question, so no column of `answer` changes.

`snooze` holds who paused their own pulses and the last day of the pause, nothing else: runs opening
until then leave them out of their audience. It is personal data (a leave, say), kept out of the planner's
statistics, deleted once it has ended and when its person is forgotten.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-10 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.add_column(sa.Column("not_applicable", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "snooze",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("through", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    keep_no_statistics(op.get_bind(), frozenset({("snooze", "user_id"), ("snooze", "through")}))


def downgrade() -> None:
    op.drop_table("snooze")
    with op.batch_alter_table("question") as batch:
        batch.drop_column("not_applicable")
