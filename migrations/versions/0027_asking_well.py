"""asking well: each person's time zone in the directory, the sends a weekly limit held, and leave

`directory_person.tz` is the person's Slack time zone (an IANA name, as users.list and `user_change` give
it): a pulse or reminder due outside their working hours is sent at their next working moment.

`pulse_run.held` counts the people of a run whose pulse the weekly limit (PULSEBOT_PULSES_PER_WEEK)
moved to a later week or, when the run closed first, did not send: a count, never who.
`run_figures.held` is that count as released when the run closes, only when the run's figures are and
the count is at least the minimum group (services/results/release.py).

`leave_period` holds who is on leave from one day through another, as an admin imported it
(`pulsebot people leave FILE.csv`): runs opening on such a day leave them out, as a pause does. Only the
Slack id and the two days, not why; deleted when the period ends and when its person is forgotten.

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-12 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("directory_person") as batch:
        batch.add_column(sa.Column("tz", AutoString(length=64), nullable=True))
    with op.batch_alter_table("pulse_run") as batch:
        batch.add_column(sa.Column("held", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("run_figures") as batch:
        batch.add_column(sa.Column("held", sa.Integer(), nullable=True))
    op.create_table(
        "leave_period",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", "starts"),
    )
    keep_no_statistics(
        op.get_bind(),
        frozenset(
            {
                ("directory_person", "tz"),
                ("leave_period", "user_id"),
                ("leave_period", "starts"),
                ("leave_period", "ends"),
            }
        ),
    )


def downgrade() -> None:
    op.drop_table("leave_period")
    with op.batch_alter_table("run_figures") as batch:
        batch.drop_column("held")
    with op.batch_alter_table("pulse_run") as batch:
        batch.drop_column("held")
    with op.batch_alter_table("directory_person") as batch:
        batch.drop_column("tz")
