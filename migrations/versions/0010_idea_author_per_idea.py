"""idea authors: a token per anonymous idea, none on a signed idea

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 16:45:00

Until now every idea carried HMAC(key, "idea-author", person), the same on all of a person's ideas, so
one self-join grouped a person's anonymous ideas with each other and with their signed ones (which name
them). From here an anonymous idea's token is HMAC over the person *and the idea*, and a signed idea has
none (services/idea/idea_authors.py).

A migration cannot compute the new tokens: it has neither PULSEBOT_ANON_KEY nor the list of people to try.
So, here:
- signed ideas lose their token (their author is named on them);
- anonymous ideas' old tokens move to `legacy_author_token`, which the app drains: every look-up by a
  person moves that person's ideas to per-idea tokens, the first author look-up in a workspace (a status
  change, a reply) and the daily maintenance job move everyone's, and old tokens that match nobody in
  the workspace (people who left) are replaced by random ones. After that the column is empty and no two
  ideas share a token.
Downgrading puts the old tokens back where there still are any; ideas already re-tokened keep their
per-idea token, which the old code reads as "someone else's" (their authors no longer see them in
`/idea mine`), and signed ideas get a random token.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idea") as batch_op:
        batch_op.add_column(
            sa.Column("legacy_author_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index("ix_idea_legacy_author_token", ["legacy_author_token"], unique=False)
        batch_op.drop_index("ix_idea_author_token")
        batch_op.alter_column(
            "author_token", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        )
    op.execute("UPDATE idea SET author_token = NULL WHERE author_id IS NOT NULL")
    op.execute(
        "UPDATE idea SET legacy_author_token = author_token, author_token = NULL "
        "WHERE author_id IS NULL AND author_token IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("UPDATE idea SET author_token = legacy_author_token WHERE legacy_author_token IS NOT NULL")
    # The old schema needs a token on every idea; a random one links nothing.
    random_token = (
        "lower(hex(randomblob(32)))"
        if op.get_bind().dialect.name == "sqlite"
        else "md5(random()::text) || md5(random()::text)"
    )
    op.execute(f"UPDATE idea SET author_token = {random_token} WHERE author_token IS NULL")
    with op.batch_alter_table("idea") as batch_op:
        batch_op.alter_column(
            "author_token", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.create_index("ix_idea_author_token", ["author_token"], unique=False)
        batch_op.drop_index("ix_idea_legacy_author_token")
        batch_op.drop_column("legacy_author_token")
