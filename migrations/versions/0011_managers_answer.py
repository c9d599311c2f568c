"""managers_answer: a team's managers are left out of its audience unless the survey opts them in

`survey.managers_answer` is the opt-in; `pulse_run.managers_asked` is how many of the survey's managers
were in a run's audience when it opened (their answers cannot be told apart, so the run's minimum group
is raised by that many). Kept on the run so neither a later change of managers nor forgetting a person
can lower it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey") as batch:
        batch.add_column(
            sa.Column("managers_answer", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("pulse_run") as batch:
        batch.add_column(sa.Column("managers_asked", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("pulse_run") as batch:
        batch.drop_column("managers_asked")
    with op.batch_alter_table("survey") as batch:
        batch.drop_column("managers_answer")
