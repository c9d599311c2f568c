"""Tokens and the served workspaces for the API's tests."""

from __future__ import annotations

from pulsebot.services.api import tokens
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.scoping import SINGLE_WORKSPACE, scoped_sessions
from tests.conftest import PINNED_NOW


class Served:
    """The workspaces the dashboard serves, fixed for the test."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = set(scopes)

    def scope_of(self, slack_team_id: str) -> str | None:
        return slack_team_id if slack_team_id in self.scopes else None

    def serves(self, scope: str) -> bool:
        return scope in self.scopes


def make_token(sessions: SessionFactory, *scopes: str, team_id: str = SINGLE_WORKSPACE) -> str:
    with transaction(scoped_sessions(sessions, team_id)) as session:
        made = tokens.create_token(
            session, name="test tool", scopes=scopes or tokens.SCOPES, now=PINNED_NOW, team_id=team_id
        )
    return made.token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
