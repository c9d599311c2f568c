"""web sessions: who is signed in to the web dashboard, and the sign-ins with Slack under way

`web_session` holds each signed-in browser's session, found by the SHA-256 of the random id in its
cookie, with the person, their role and a digest of their rights when they signed in, the session's CSRF
token, and when it began and was last used. `web_signin` holds a sign-in with Slack until Slack sends the
person back: the state (hashed), the browser that started it (a hash of its sign-in cookie) and the nonce.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from pulsebot.store.statistics import keep_no_statistics

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("team_id", AutoString(length=20), nullable=False),
        sa.Column("id_hash", AutoString(length=64), nullable=False),
        sa.Column("user_id", AutoString(length=20), nullable=False),
        sa.Column("role", AutoString(length=10), nullable=False),
        sa.Column("rights", AutoString(length=64), nullable=False),
        sa.Column("csrf_token", AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index(op.f("ix_web_session_user_id"), "web_session", ["user_id"], unique=False)
    op.create_table(
        "web_signin",
        sa.Column("state_hash", AutoString(length=64), nullable=False),
        sa.Column("browser_hash", AutoString(length=64), nullable=False),
        sa.Column("nonce", AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    op.create_index(op.f("ix_web_signin_created_at"), "web_signin", ["created_at"], unique=False)
    keep_no_statistics(
        op.get_bind(),
        frozenset(
            {("web_session", column) for column in ("id_hash", "user_id", "rights", "csrf_token")}
            | {("web_signin", column) for column in ("state_hash", "browser_hash", "nonce")}
        ),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_web_signin_created_at"), table_name="web_signin")
    op.drop_table("web_signin")
    op.drop_index(op.f("ix_web_session_user_id"), table_name="web_session")
    op.drop_table("web_session")
