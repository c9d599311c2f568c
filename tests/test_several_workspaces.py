"""Several workspaces: each installs pulsebot through the OAuth pages, its token is stored encrypted, its
requests are served with its own token, and removing the app (or revoking its token) forgets it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import String, inspect, select, text

from pulsebot.config import Settings
from pulsebot.slack.app import SORRY
from pulsebot.slack.installations import (
    NOT_INSTALLED,
    InstalledWorkspaces,
    WorkspaceGone,
    bot_scopes,
    installation_store,
    manifest_path,
)
from pulsebot.slack.workspaces import retry_handlers
from pulsebot.store.installations import BOTS, INSTALLATIONS, TokenKeyError
from tests.conftest import TEAM
from tests.installing import Server, install_each, oauth_settings, serve, start_install
from tests.slack_requests import SlackRequests
from tests.test_run import wait_until

TEAM_A, TEAM_B = "T0ALPHA", "T0BRAVO"
TOKEN_A, TOKEN_B = "xoxb-alpha-0001-secret-token", "xoxb-bravo-0002-secret-token"


@pytest.fixture(name="oauth_settings")
def oauth_settings_fixture(engine, fake_slack) -> Settings:
    return oauth_settings(engine, fake_slack)


@pytest.fixture
def server(oauth_settings, sessions, engine) -> Iterator[Server]:
    with serve(oauth_settings, sessions, engine) as running:
        yield running


def stored_teams(engine, table) -> list[str]:
    """The team ids of the rows in `table` (the bots or the installations table)."""
    with engine.connect() as connection:
        return sorted(connection.execute(select(table.c.team_id)).scalars())


def workspaces(settings: Settings, engine) -> InstalledWorkspaces:
    store = installation_store(settings, engine)
    return InstalledWorkspaces(store, base_url=settings.slack_api_url, retry_handlers=retry_handlers())


@pytest.fixture
def two_installed(server, fake_slack, engine) -> Server:
    install_each(server, fake_slack, {TEAM_A: TOKEN_A, TEAM_B: TOKEN_B})
    return server


def test_two_workspaces_install_and_each_gets_its_own_token(
    two_installed, oauth_settings, engine, fake_slack
):
    installed = workspaces(oauth_settings, engine)

    assert installed.team_ids() == [TEAM_A, TEAM_B]
    for team_id, token in ((TEAM_A, TOKEN_A), (TEAM_B, TOKEN_B)):
        installed.client_for(team_id).chat_postMessage(channel="C0GENERAL", text=f"hello {team_id}")
        call = next(c for c in reversed(fake_slack.calls) if c.method == "chat.postMessage")
        assert (call.args["text"], call.token) == (f"hello {team_id}", token)
    with pytest.raises(WorkspaceGone):
        installed.client_for("T0NEVER")


def test_requests_from_each_workspace_are_served_with_its_own_token(two_installed, fake_slack):
    for team_id, token in ((TEAM_A, TOKEN_A), (TEAM_B, TOKEN_B)):
        before = len(fake_slack.calls_to("chat.postMessage"))  # counted before the card can be posted
        reply = two_installed.requests_from(team_id, fake_slack).command(
            "/idea", f"Faster refunds for {team_id}", user=TEAM[0]
        )
        assert reply.status == 200
        fake_slack.wait_for("chat.postMessage", before + 1)
        (post,) = [
            call
            for call in fake_slack.calls
            if call.method == "chat.postMessage" and f"Faster refunds for {team_id}" in str(call.args)
        ]
        assert post.token == token


def test_slack_is_asked_about_a_workspace_s_token_once_not_on_every_request(two_installed, fake_slack):
    alpha = two_installed.requests_from(TEAM_A, fake_slack)
    for number in range(3):
        assert alpha.command("/idea", "list", user=TEAM[number]).status == 200

    assert [call.token for call in fake_slack.calls if call.method == "auth.test"] == [TOKEN_A]


def test_tokens_never_reach_the_database_in_clear(two_installed, engine):
    schema = inspect(engine)
    with engine.connect() as connection:
        for table_name in schema.get_table_names():
            for column in schema.get_columns(table_name):
                if not isinstance(column["type"], String):  # every text column (TEXT, VARCHAR)
                    continue
                values = connection.execute(text(f'SELECT "{column["name"]}" FROM "{table_name}"')).scalars()
                assert not any(token in (value or "") for value in values for token in (TOKEN_A, TOKEN_B))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database = Path(engine.url.database)
        files = [database, *(database.parent / (database.name + end) for end in ("-wal", "-journal"))]
        raw = b"".join(path.read_bytes() for path in files if path.exists())
        assert b"xoxb-" not in raw
        assert b"T0ALPHA" in raw  # the team ids are there, in the clear: only the tokens are sealed


def test_a_forged_or_reused_state_fails_and_stores_nothing(server, fake_slack, engine):
    fake_slack.add_install("code-a", TEAM_A, TOKEN_A)
    state, cookie = start_install(server)

    forged = server.get(
        "/slack/oauth_redirect?code=code-a&state=forged", cookie="slack-app-oauth-state=forged"
    )
    no_cookie = server.get(f"/slack/oauth_redirect?code=code-a&state={state}")

    for page in (forged, no_cookie):
        assert page.status in (400, 401) and "Oops, Something Went Wrong!" in page.body
    assert not fake_slack.calls_to("oauth.v2.access")  # the code was never traded
    assert stored_teams(engine, BOTS) == []

    first = server.get(f"/slack/oauth_redirect?code=code-a&state={state}", cookie=cookie)
    fake_slack.add_install("code-b", TEAM_B, TOKEN_B)
    reused = server.get(f"/slack/oauth_redirect?code=code-b&state={state}", cookie=cookie)

    assert first.status == 200 and "Thank you!" in first.body
    assert reused.status == 401 and "invalid_state" in reused.body
    assert stored_teams(engine, BOTS) == [TEAM_A]


def test_removing_the_app_forgets_the_workspace(two_installed, oauth_settings, engine, fake_slack):
    alpha = two_installed.requests_from(TEAM_A, fake_slack)

    assert alpha.event({"type": "app_uninstalled"}).status == 200

    wait_until(lambda: stored_teams(engine, INSTALLATIONS) == [TEAM_B])  # its listener runs after the ack
    assert stored_teams(engine, BOTS) == [TEAM_B]
    with pytest.raises(WorkspaceGone):
        workspaces(oauth_settings, engine).client_for(TEAM_A)
    assert_not_served(alpha, fake_slack)


def test_a_revoked_bot_token_forgets_the_workspace(two_installed, oauth_settings, engine, fake_slack):
    bravo = two_installed.requests_from(TEAM_B, fake_slack)

    reply = bravo.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}})

    assert reply.status == 200
    wait_until(lambda: stored_teams(engine, INSTALLATIONS) == [TEAM_A])
    assert stored_teams(engine, BOTS) == [TEAM_A]
    assert workspaces(oauth_settings, engine).team_ids() == [TEAM_A]
    assert_not_served(bravo, fake_slack)


def assert_not_served(requests: SlackRequests, fake_slack) -> None:
    fake_slack.reset_calls()
    reply = requests.command("/idea", "Anyone there?", user=TEAM[0])

    assert reply.status == 200
    assert fake_slack.wait_for("response_url")[0]["text"] == NOT_INSTALLED
    assert not fake_slack.calls_to("chat.postMessage")


def test_a_wrong_token_key_is_named_and_never_reaches_slack(
    two_installed, oauth_settings, sessions, engine, fake_slack
):
    wrong = oauth_settings.model_copy(update={"token_key": SecretStr(Fernet.generate_key().decode())})
    with pytest.raises(TokenKeyError, match="PULSEBOT_TOKEN_KEY does not decrypt"):
        workspaces(wrong, engine).client_for(TEAM_A)

    with serve(wrong, sessions, engine) as server:
        reply = server.requests_from(TEAM_A, fake_slack).command("/idea", "Refunds", user=TEAM[0])

    assert reply.status == 200 and reply.text == SORRY
    assert "Traceback" not in reply.body
    assert not fake_slack.calls_to("chat.postMessage")


def test_the_manifest_sends_the_removal_events_and_names_the_redirect_page():
    manifest = yaml.safe_load(manifest_path().read_text())

    assert {"app_uninstalled", "tokens_revoked"} <= set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )
    assert [urlsplit(url).path for url in manifest["oauth_config"]["redirect_urls"]] == [
        "/slack/oauth_redirect",
        "/auth/slack/callback",  # Sign in with Slack to the dashboard (docs/dashboard.md)
    ]
    assert bot_scopes() == tuple(manifest["oauth_config"]["scopes"]["bot"])
