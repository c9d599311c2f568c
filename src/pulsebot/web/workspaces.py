"""The Slack workspaces whose people may sign in, and the workspace scope each one's data is kept under.

One workspace (SLACK_BOT_TOKEN): the team Slack's auth.test names for the bot token, asked once; its
data is the team "" (store/scoping.py). Several (OAuth): each workspace that has pulsebot installed,
looked up at every sign-in and every request, so a workspace that removed the app is signed out at once.
"""

from __future__ import annotations

import threading
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.config import ConfigError, Settings
from pulsebot.services.signin.workspaces import installed
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.scoping import SINGLE_WORKSPACE


class ServedWorkspaces(Protocol):
    def scope_of(self, slack_team_id: str) -> str | None:
        """The workspace scope of the data of this Slack team, or None when pulsebot does not serve it."""
        ...

    def serves(self, scope: str) -> bool:
        """Is the workspace of this scope still served?"""
        ...


class BotTokenWorkspace:
    """The one workspace of SLACK_BOT_TOKEN."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._team: str | None = None
        self._lock = threading.Lock()

    def _token_team(self) -> str | None:
        with self._lock:
            if self._team is None:
                try:
                    self._team = self._client.auth_test().get("team_id") or None
                except SlackApiError:
                    return None  # a token Slack refuses serves no one
            return self._team

    def scope_of(self, slack_team_id: str) -> str | None:
        team = self._token_team()
        return SINGLE_WORKSPACE if team is not None and slack_team_id == team else None

    def serves(self, scope: str) -> bool:
        return scope == SINGLE_WORKSPACE


class InstalledWorkspaces:
    """Every workspace that installed the app (serving several through OAuth)."""

    def __init__(self, sessions: SessionFactory, *, client_id: str) -> None:
        self._sessions = sessions
        self._client_id = client_id

    def scope_of(self, slack_team_id: str) -> str | None:
        return slack_team_id if slack_team_id and self.serves(slack_team_id) else None

    def serves(self, scope: str) -> bool:
        with transaction(self._sessions) as session:
            return installed(session, client_id=self._client_id, team_id=scope)


def served_workspaces(settings: Settings, sessions: SessionFactory) -> ServedWorkspaces:
    if settings.oauth:
        return InstalledWorkspaces(sessions, client_id=settings.require("slack_client_id"))
    if settings.slack_bot_token is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID (several) must be set: the dashboard "
            "signs in only the people of the workspaces pulsebot serves"
        )
    client = WebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url)
    return BotTokenWorkspace(client)
