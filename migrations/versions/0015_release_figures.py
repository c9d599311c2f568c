"""release: a closed run's figures, counted once when it closes

`run_figures` holds each closed run's respondents, people asked and comment totals (none when fewer than
its minimum answered); `run_question_figures` each rated question's totals (none when answered by too
few). Every view of results reads these instead of counting answers again. The runs closed before this
revision are released by `pulsebot db upgrade` and `pulsebot run` right after the schema is upgraded,
under the minimum group of the settings they run with (services/results/release.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_figures",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.Column("asked", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Integer(), nullable=True),
        sa.Column("rated_comments", sa.Integer(), nullable=True),
        sa.Column("sentiment_total", sa.Float(), nullable=True),
        sa.Column("negative_comments", sa.Integer(), nullable=True),
        sa.Column("positive_comments", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["pulse_run.id"]),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "run_question_figures",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["run_figures.run_id"]),
        sa.PrimaryKeyConstraint("run_id", "question_id"),
    )


def downgrade() -> None:
    op.drop_table("run_question_figures")
    op.drop_table("run_figures")
