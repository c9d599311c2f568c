"""held for the organisation: how many people's pulses the weekly limit held in a released run, whatever
the number

`run_figures.held_total` is `pulse_run.held` as released with a run's figures (None for a withheld run).
It is never shown for one team: a team's digest shows `run_figures.held`, kept only at the minimum group
or more. The organisation's digest adds up the shown teams' weeks and shows the total only when it is at
least the minimum group and, taken away from the teams' shown counts, leaves 0 or at least the minimum
group (services/results/analytics.py).

Revision ID: 0032
Revises: 0030
Create Date: 2026-12-08 02:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("run_figures") as batch:
        batch.add_column(sa.Column("held_total", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_figures") as batch:
        batch.drop_column("held_total")
