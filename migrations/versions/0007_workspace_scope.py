"""workspace scope: a team id on every workspace table

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 17:37:04.639844

Rows written before this belong to the workspace of SLACK_BOT_TOKEN, the team "" (store/scoping.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPED = (
    "survey",
    "pulse_run",
    "delivery",
    "idea",
    "survey_manager",
    "conversation",
    "conversation_message",
    "audit_entry",
)
# SQLite names no constraint it was not told to name: these names let batch mode find them.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s", "pk": "pk_%(table_name)s"}


def _team_column() -> sa.Column:
    # The server default fills the rows already there, and stays: dropping it would make SQLite copy
    # each table, and audit_entry's copy would lose the triggers that keep it append-only.
    return sa.Column(
        "team_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=""
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in SCOPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(_team_column())

    with op.batch_alter_table("survey", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint("uq_survey_name" if sqlite else "survey_name_key", type_="unique")
        batch_op.create_unique_constraint("uq_survey_team_id_name", ["team_id", "name"])
    with op.batch_alter_table("idea") as batch_op:
        batch_op.create_index("ix_idea_team_id_status", ["team_id", "status"], unique=False)

    # The same person (an Enterprise Grid user) may manage teams in two workspaces: the week's notice
    # is recorded per workspace.
    with op.batch_alter_table("manager_notice", naming_convention=NAMING) as batch_op:
        batch_op.add_column(_team_column())
        batch_op.drop_constraint("pk_manager_notice" if sqlite else "manager_notice_pkey", type_="primary")
        batch_op.create_primary_key("pk_manager_notice", ["team_id", "kind", "scope", "user_id", "week"])


def downgrade() -> None:
    with op.batch_alter_table("manager_notice", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint("pk_manager_notice", type_="primary")
        batch_op.create_primary_key("pk_manager_notice", ["kind", "scope", "user_id", "week"])
        batch_op.drop_column("team_id")
    with op.batch_alter_table("idea") as batch_op:
        batch_op.drop_index("ix_idea_team_id_status")
    with op.batch_alter_table("survey", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint("uq_survey_team_id_name", type_="unique")
        batch_op.create_unique_constraint("uq_survey_name", ["name"])
    for table in SCOPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("team_id")
