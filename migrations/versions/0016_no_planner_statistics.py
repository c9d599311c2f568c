"""no planner statistics of sensitive columns

PostgreSQL's `ANALYZE` copies column values into `pg_statistic`. Every column pulsebot declares sensitive
(src/pulsebot/store/statistics.py: secrets, tokens, Slack ids, answers, comments and other text people
write) gets a statistics target of 0, and what `pg_statistic` already holds of it is removed. The dead
tuples of `pg_statistic` are rewritten away after the migration commits (`VACUUM FULL` cannot run in a
transaction; see store/migrate.py). Nothing to do on SQLite, whose statistics hold counts only.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 12:55:00.000000
"""

from collections.abc import Sequence

from alembic import op

from pulsebot.store.statistics import NO_STATISTICS, keep_no_statistics

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    keep_no_statistics(op.get_bind(), NO_STATISTICS)


def downgrade() -> None:
    # Statistics of these columns are never wanted back: a downgraded database keeps none either.
    pass
