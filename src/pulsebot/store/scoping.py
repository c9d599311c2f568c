"""Workspace scoping: every row of workspace data belongs to one Slack workspace (team), and a session
opened for a workspace reads, changes and writes that workspace's rows only.

The scope travels with the session (`session.info["team_id"]`), so the services keep taking just a
session and stay unaware of workspaces: a SELECT, UPDATE or DELETE through a scoped session gets
`team_id = …` on every workspace table it touches (SQLAlchemy's `with_loader_criteria`, joins
included), and a row added through it is stamped with the team before it is flushed. Tables that hang
off a workspace table (questions, answers, votes) are reached only through their parent.

One workspace served with SLACK_BOT_TOKEN is the team "" (`SINGLE_WORKSPACE`). A session opened
without a scope (migrations, the test fixtures, maintenance across workspaces) sees every workspace.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlmodel import Field, SQLModel

from pulsebot.store.db import SessionFactory

SINGLE_WORKSPACE = ""
TEAM = "team_id"


class TeamScoped(SQLModel):
    """Workspace data: the base of every table whose rows belong to one workspace."""

    # Not indexed here: each table's own indexes lead with what its queries narrow by first.
    team_id: str = Field(default=SINGLE_WORKSPACE, max_length=20)


def scoped_sessions(sessions: SessionFactory, team_id: str) -> SessionFactory:
    """Sessions that see and write the workspace `team_id` only."""

    def new_session():
        session = sessions()
        session.info[TEAM] = team_id
        return session

    return new_session


@event.listens_for(Session, "do_orm_execute")
def _only_this_workspace(state: ORMExecuteState) -> None:
    team_id = state.session.info.get(TEAM)
    if team_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(*_criteria(team_id))


@lru_cache(maxsize=4096)
def _criteria(team_id: str) -> tuple:
    # Made once per workspace: building them for every statement cost more than running a simple query.
    # Each table by name: a criterion on the base class would be read off the base, which SQLModel gives
    # no column attributes. Called first at a query, once every model module is imported.
    tables = (table for table in TeamScoped.__subclasses__() if hasattr(table, "__table__"))
    return tuple(
        with_loader_criteria(table, table.team_id == team_id, include_aliases=True) for table in tables
    )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, _context, _instances) -> None:
    team_id = session.info.get(TEAM)
    if team_id is None:
        return
    for row in session.new:
        if isinstance(row, TeamScoped):
            if row.team_id not in (SINGLE_WORKSPACE, team_id):
                raise ValueError(f"a row of workspace {row.team_id} added in a session for {team_id}")
            row.team_id = team_id
