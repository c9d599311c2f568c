"""Every table that holds a workspace's data belongs to one workspace: it has a team id, or every row
hangs (by a foreign key that cannot be empty) off a table that has one."""

from sqlmodel import SQLModel

import pulsebot.store.installations  # their tables, on the same metadata
import pulsebot.store.models  # noqa: F401
from pulsebot.store.scoping import TeamScoped

# Not any one workspace's data: Slack requests already seen (ids and digests only), the scheduler's job
# store (schedules, not people), slack_sdk's install records, which carry their own team id, and the
# dashboard's sign-ins under way (random secrets, no person; whose workspace is known only at their end).
DEPLOYMENT_TABLES = {"seen_request", "slack_oauth_states", "web_signin"}


def scoped(table, tables) -> bool:
    if "team_id" in table.c:
        return True
    return any(
        all(not column.nullable for column in key.columns) and scoped(tables[key.referred_table.name], tables)
        for key in table.foreign_key_constraints
    )


def test_every_table_of_workspace_data_is_scoped_by_team():
    tables = SQLModel.metadata.tables
    unscoped = [
        name for name, table in tables.items() if name not in DEPLOYMENT_TABLES and not scoped(table, tables)
    ]
    assert unscoped == []


def test_the_tables_with_a_team_id_are_the_ones_sessions_filter():
    filtered = {model.__tablename__ for model in TeamScoped.__subclasses__() if hasattr(model, "__table__")}
    with_team = {
        name
        for name, table in SQLModel.metadata.tables.items()
        if "team_id" in table.c and not name.startswith("slack_")
    }
    assert filtered == with_team
