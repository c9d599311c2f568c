"""The workspaces this deployment serves, and the Web API client for each.

One workspace: SLACK_BOT_TOKEN's, stored as the team "" (store/scoping.py). Several: the workspaces
installed through Slack's OAuth flow (slack/installations.py). The scheduler's jobs and the outbox
sender run outside any request, so they go through this to reach each workspace in turn.
"""

from __future__ import annotations

import logging
from http.client import HTTPException
from typing import Protocol

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient, WebhookResponse

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


# A modal opens only within 3 seconds of the click whose trigger_id it carries, and Retry-After counts
# whole seconds: waiting out a 429 to open one would only earn `expired_trigger_id`, with the person
# left looking at nothing. The listener tells them instead (slack/app.py).
TRIGGERED = frozenset({"views.open", "views.push"})
# After a dropped connection or a 500/503 Slack may have acted all the same: posting again could show a
# message twice (files.completeUploadExternal shares a digest's chart into its DM: a post too). The
# outbox's posts look for themselves first (slack/posted.py). A 429 is safe to retry: Slack did nothing.
MAY_HAVE_ACTED = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "files.completeUploadExternal",
        *TRIGGERED,
    }
)


def web_method(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1]


class RateLimitRetries(PacedRateLimitHandler):
    """Waits out a 429 and tries again, except to open a modal."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if web_method(request) in TRIGGERED:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class ConnectionRetries(ConnectionErrorRetryHandler):
    """Tries again after a dropped connection, except a call that may have posted or opened something."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if web_method(request) in MAY_HAVE_ACTED:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class ServerErrorRetries(ServerErrorRetryHandler):
    """Tries again after Slack's 500/503, except a call that may have posted or opened something."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if web_method(request) in MAY_HAVE_ACTED:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def retry_handlers() -> list[RetryHandler]:
    """Wait out 429s, retry dropped connections and Slack's 500/503s: each only where a second try can
    neither come too late nor do the same thing twice."""
    return [
        ConnectionRetries(max_retry_count=2),
        RateLimitRetries(None, max_retry_count=5),  # no pace to slow: waits and counts the 429
        ServerErrorRetries(max_retry_count=2),
    ]


class RespondOnce(Respond):
    """Bolt's `respond` (a post to the request's response URL), without the retry slack_sdk's webhook
    client makes after a dropped connection, when Slack may have shown the message already. A reply lost
    that way is logged; telling the person "sorry" down the same line would only risk a second message."""

    def __call__(self, text: str | dict = "", **fields) -> WebhookResponse | None:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        client = WebhookClient(url=self.response_url, proxy=self.proxy, ssl=self.ssl, retry_handlers=[])
        message = text if isinstance(text, dict) else {"text": text, **fields}
        try:
            return client.send_dict({name: value for name, value in message.items() if value is not None})
        except (OSError, HTTPException) as error:
            log.warning("no answer from Slack to a reply through a response URL (%s): not sent again", error)
            return None


def respond_once(context: BoltContext, next) -> BoltResponse | None:
    """Middleware: every listener's `respond` is RespondOnce."""
    if context.response_url:
        context["respond"] = RespondOnce(
            response_url=context.response_url, proxy=context.client.proxy, ssl=context.client.ssl
        )
    return next()


def settings_for(settings: Settings, workspaces: Workspaces, team_id: str) -> Settings:
    """The settings as they apply in one workspace: its own admins added to PULSEBOT_ADMINS."""
    admins = workspaces.admins(team_id)
    if admins <= settings.admins:
        return settings
    return settings.model_copy(update={"admins": settings.admins | admins})
