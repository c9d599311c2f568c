"""A browser and a server for the install pages: the real app in OAuth mode behind the real HTTP server."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.fernet import Fernet

from pulsebot.config import Settings
from pulsebot.slack.app import make_client, make_sender
from pulsebot.slack.installations import bot_scopes, installed_workspaces
from tests.conftest import ANON_KEY, IDEAS_CHANNEL, SIGNING_SECRET, serving_app
from tests.slack_requests import SlackRequests

TOKEN_KEY = Fernet.generate_key().decode()
ACME, GLOBEX = "T0ACME", "T0GLOBEX"
TOKENS = {ACME: "xoxb-acme", GLOBEX: "xoxb-globex"}  # team id -> its bot token


def oauth_settings(engine, fake_slack, **extra) -> Settings:
    """Settings for serving several workspaces (no bot token: each installs its own)."""
    return Settings(
        _env_file=None,
        slack_client_id="1234.5678",
        slack_client_secret="client-secret",
        token_key=TOKEN_KEY,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.base_url,
        database_url=engine.url.render_as_string(hide_password=False),
        anon_key=ANON_KEY,
        ideas_channel=IDEAS_CHANNEL,
        # Pulses and reminders at any hour of any day, as in tests/conftest.py's settings.
        working_hours=None,
        working_days=frozenset(range(7)),
        **extra,
    )


@dataclass
class Page:
    status: int
    body: str
    headers: Message


@dataclass
class Server:
    url: str

    def get(self, path: str, *, cookie: str | None = None) -> Page:
        request = urllib.request.Request(self.url + path, headers={"Cookie": cookie} if cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Page(response.status, response.read().decode(), response.headers)
        except urllib.error.HTTPError as error:
            return Page(error.code, error.read().decode(), error.headers)

    def requests_from(self, team_id: str, fake_slack) -> SlackRequests:
        return SlackRequests(f"{self.url}/slack/events", SIGNING_SECRET, fake_slack.response_url(), team_id)


@contextmanager
def serve(settings: Settings, sessions, engine) -> Iterator[Server]:
    """The app serving every installed workspace, behind the real HTTP server."""
    workspaces = installed_workspaces(settings, engine)
    sender = make_sender(settings, sessions=sessions, workspaces=workspaces)
    with serving_app(
        settings, sessions, engine, client=make_client(settings), workspaces=workspaces, sender=sender
    ) as url:
        yield Server(url)
    sender.stop()


def start_install(server: Server) -> tuple[str, str]:
    """Open the install page as a browser would: the state in its Add-to-Slack link, and the cookie."""
    page = server.get("/slack/install")
    assert page.status == 200
    link = re.search(r'<a href="([^"]+)"', page.body).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert link.startswith("https://slack.com/oauth/v2/authorize?")
    assert set(query["scope"][0].split(",")) == set(bot_scopes())
    return query["state"][0], page.headers["Set-Cookie"].split(";")[0]


def install(
    server: Server, fake_slack, *, team_id: str, token: str, code: str, installer: str = "U0INSTALLER"
) -> Page:
    fake_slack.add_install(code, team_id, token, installer)
    state, cookie = start_install(server)
    return server.get(f"/slack/oauth_redirect?{urlencode({'code': code, 'state': state})}", cookie=cookie)


def install_each(
    server: Server, fake_slack, tokens: dict[str, str], *, installers: dict[str, str] | None = None
) -> None:
    """Install pulsebot in each workspace of `tokens` (team id → its bot token), then forget the calls."""
    for number, (team_id, token) in enumerate(tokens.items()):
        installer = (installers or {}).get(team_id, "U0INSTALLER")
        page = install(
            server, fake_slack, team_id=team_id, token=token, code=f"code-{number}", installer=installer
        )
        assert page.status == 200 and "Thank you!" in page.body
        assert f"team={team_id}" in page.body  # the success page opens the workspace that installed
    fake_slack.reset_calls()
