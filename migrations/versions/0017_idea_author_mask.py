"""idea author mask: anonymous ideas' author tokens stored under a random mask of their own

`idea.author_mask` is random per row; an anonymous idea's author token (and an old per-person token
still waiting in `legacy_author_token`) is stored XORed with HMAC(key, "idea-author-mask", column, mask).
Forgetting a person rewrites every anonymous idea of the workspace under a new mask, theirs with random
tokens, so the rewrite does not single theirs out (services/idea/idea_authors.py). Existing rows keep
their plain tokens and no mask until then: the key is not at hand here.
Downgrading drops the masks: ideas already masked no longer lead back to their authors (they no longer
see them in `/idea mine`, and status changes no longer reach them).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_mask", AutoString(length=32), nullable=True))
    # Added after the migration that keeps sensitive columns out of the planner's statistics (0016).
    keep_no_statistics(op.get_bind(), frozenset({("idea", "author_mask")}))


def downgrade() -> None:
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.drop_column("author_mask")
