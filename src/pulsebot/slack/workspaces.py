"""The workspaces this deployment serves, and the Web API client for each.

One workspace: SLACK_BOT_TOKEN's, stored as the team "" (store/scoping.py). Several: the workspaces
installed through Slack's OAuth flow (slack/installations.py). The scheduler's jobs and the outbox
sender run outside any request, so they go through this to reach each workspace in turn.
"""

from __future__ import annotations

import logging
from typing import Protocol

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)

from pulsebot.config import Settings
from pulsebot.slack.pacing import PacedRateLimitHandler
from pulsebot.store.scoping import SINGLE_WORKSPACE

log = logging.getLogger(__name__)


class Workspaces(Protocol):
    multi: bool  # several workspaces: a request's team id says whose data it may see

    def team_ids(self) -> list[str]: ...

    def client_for(self, team_id: str) -> WebClient:
        """Raises a LookupError when the workspace is no longer installed."""
        ...

    def admins(self, team_id: str) -> frozenset[str]:
        """The workspace's own admins, besides PULSEBOT_ADMINS."""
        ...

    def app_options(self) -> dict:
        """What Bolt's App needs to authorize each request for its workspace."""
        ...

    def listen(self, app: App) -> None:
        """Add the listeners this way of serving needs (e.g. forgetting a removed workspace)."""
        ...


class SingleWorkspace:
    """The workspace of SLACK_BOT_TOKEN."""

    multi = False

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def team_ids(self) -> list[str]:
        return [SINGLE_WORKSPACE]

    def client_for(self, team_id: str) -> WebClient:
        return self.client

    def admins(self, team_id: str) -> frozenset[str]:
        return frozenset()

    def app_options(self) -> dict:
        return {}

    def listen(self, app: App) -> None:
        app.middleware(only_the_token_s_workspace)


# A signed request names a team; serving one workspace, a request from any other is answered this.
OTHER_WORKSPACE = "pulsebot here serves another Slack workspace, so nothing was done."


def only_the_token_s_workspace(context: BoltContext, next) -> BoltResponse | None:
    """Serving SLACK_BOT_TOKEN's workspace, refuse a request that names another team (the same app
    installed elsewhere, or anyone holding the signing secret): its data would be this workspace's."""
    token_team = context.authorize_result.team_id if context.authorize_result else None
    if context.team_id and token_team and context.team_id != token_team:
        log.warning("refused a request from team %s: serving %s only", context.team_id, token_team)
        return BoltResponse(status=200, body=OTHER_WORKSPACE)
    return next()


def request_team(workspaces: Workspaces, team_id: str | None) -> str:
    """The workspace a request's data belongs to."""
    if not workspaces.multi:
        return SINGLE_WORKSPACE
    if not team_id:
        raise ValueError("a request without a team id cannot be served by a multi-workspace deployment")
    return team_id


def retry_handlers() -> list[RetryHandler]:
    """Wait out 429s, retry dropped connections and Slack's 500/503s."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        PacedRateLimitHandler(None, max_retry_count=5),  # no pace to slow: waits and counts the 429
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def settings_for(settings: Settings, workspaces: Workspaces, team_id: str) -> Settings:
    """The settings as they apply in one workspace: its own admins added to PULSEBOT_ADMINS."""
    admins = workspaces.admins(team_id)
    if admins <= settings.admins:
        return settings
    return settings.model_copy(update={"admins": settings.admins | admins})
