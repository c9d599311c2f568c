"""languages: a person's chosen language, their Slack locale, a survey's language

`person_language` holds the language someone chose for their own pulses (`/pulse language de`);
`directory_person.locale` their Slack locale, read with the directory (users.list with `include_locale`);
`survey.language` the language of a survey's channel post and of those who neither chose one nor have a
Slack locale pulsebot speaks. None of them is counted in any figure (docs/languages.md).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-10 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_language",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("language", AutoString(length=8), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    with op.batch_alter_table("directory_person") as batch:
        batch.add_column(sa.Column("locale", AutoString(length=20), nullable=True))
    with op.batch_alter_table("survey") as batch:
        batch.add_column(sa.Column("language", AutoString(length=8), nullable=True))
    keep_no_statistics(
        op.get_bind(),
        frozenset(
            {
                ("person_language", "user_id"),
                ("person_language", "language"),
                ("directory_person", "locale"),
            }
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("survey") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("directory_person") as batch:
        batch.drop_column("locale")
    op.drop_table("person_language")
