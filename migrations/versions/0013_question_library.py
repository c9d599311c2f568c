"""the question library: surveys that rotate through the library's drivers, and each run's questions

`survey.library_drivers`, `questions_per_pulse` and `enps_cadence` say which drivers a survey rotates
through, how many items a run asks and how often the library's eNPS is asked. `question.from_library`,
`driver` and `reversed` mark the library's items among a survey's questions. `run_question` holds the
questions each run asks, fixed when it opens.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey") as batch:
        batch.add_column(sa.Column("library_drivers", AutoString(length=400), nullable=True))
        batch.add_column(sa.Column("questions_per_pulse", sa.Integer(), server_default="4", nullable=False))
        batch.add_column(sa.Column("enps_cadence", AutoString(length=20), nullable=True))
    with op.batch_alter_table("question") as batch:
        batch.add_column(sa.Column("from_library", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("driver", AutoString(length=40), nullable=True))
        batch.add_column(sa.Column("reversed", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "run_question",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["pulse_run.id"]),
        sa.PrimaryKeyConstraint("run_id", "question_id"),
    )


def downgrade() -> None:
    op.drop_table("run_question")
    with op.batch_alter_table("question") as batch:
        batch.drop_column("reversed")
        batch.drop_column("driver")
        batch.drop_column("from_library")
    with op.batch_alter_table("survey") as batch:
        batch.drop_column("enps_cadence")
        batch.drop_column("questions_per_pulse")
        batch.drop_column("library_drivers")
