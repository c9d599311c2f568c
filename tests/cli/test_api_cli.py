"""`pulsebot api token …` and `pulsebot api webhook …`: an admin makes a token, shown once and kept only as
its hash, lists and revokes it; registers, lists and removes a webhook; a mistake is one line."""

import hashlib

import pytest
from pydantic import SecretStr
from sqlmodel import select

from pulsebot.store.db import transaction
from pulsebot.store.models import ApiToken, AuditAction, AuditEntry
from pulsebot.web import create_app
from tests.cli.conftest import pulsebot
from tests.web.api_steps import bearer
from tests.web.conftest import CLIENT_ID, CLIENT_SECRET, WEB_URL

pytestmark = pytest.mark.clock


@pytest.fixture
def visitor(settings, sessions, fake_slack):
    """The dashboard on the same database, where the API is served."""
    web = {"web_url": WEB_URL, "web_client_id": CLIENT_ID, "web_client_secret": SecretStr(CLIENT_SECRET)}
    return create_app(
        settings.model_copy(update=web | {"openid_url": fake_slack.url}), sessions
    ).test_client()


def test_a_token_is_shown_once_kept_hashed_works_and_stops_working_once_revoked(cli_env, sessions, visitor):
    made = pulsebot(cli_env, "api", "token", "create", "--scope", "teams,ideas", "--name", "HR dashboard")

    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("pbt_1_") and "teams, ideas" in made.stdout
    with transaction(sessions) as session:
        row = session.exec(select(ApiToken)).one()
    secret = token.split("_", 2)[2]
    assert row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest() and secret not in repr(row)
    assert visitor.get("/api/v1/ideas", headers=bearer(token)).status_code == 200

    listed = pulsebot(cli_env, "api", "token", "list")
    assert "HR dashboard" in listed.stdout and "teams,ideas" in listed.stdout and secret not in listed.stdout

    revoked = pulsebot(cli_env, "api", "token", "revoke", "1")
    assert revoked.exit_code == 0 and revoked.stdout.strip() == "API token #1 revoked"
    assert visitor.get("/api/v1/ideas", headers=bearer(token)).status_code == 401
    with transaction(sessions) as session:
        actions = [entry.action for entry in session.exec(select(AuditEntry)).all()]
    assert actions[:2] == [AuditAction.api_token_created, AuditAction.api_token_revoked]
    assert AuditAction.api_refused in actions


@pytest.mark.parametrize(
    ("command", "code", "line"),
    [
        (
            ["token", "create", "--scope", "everything"],
            2,
            "pulsebot: --scope: use one or more of teams, segments, actions, ideas, comma-separated "
            "(not “everything”).",
        ),
        (["token", "revoke", "9"], 1, "pulsebot: There is no API token #9 in this workspace."),
        (
            ["webhook", "add", "http://hooks.example.com/x"],
            2,
            "pulsebot: URL: give an https:// address of at most 500 characters (http:// only to localhost).",
        ),
        (["webhook", "remove", "3"], 1, "pulsebot: There is no webhook #3 in this workspace."),
    ],
)
def test_a_mistake_is_one_line(cli_env, command, code, line):
    result = pulsebot(cli_env, "api", *command)

    assert result.exit_code == code and result.stderr.strip() == line


def test_a_webhook_is_registered_with_its_secret_shown_once_listed_and_removed(cli_env):
    added = pulsebot(
        cli_env, "api", "webhook", "add", "https://hooks.example.com/pulsebot", "--events", "results.shared"
    )

    assert added.exit_code == 0, added.output
    secret = added.stdout.strip().splitlines()[-1]
    assert len(secret) == 64
    listed = pulsebot(cli_env, "api", "webhook", "list")
    assert "https://hooks.example.com/pulsebot" in listed.stdout and "results.shared" in listed.stdout
    assert secret not in listed.stdout
    assert pulsebot(cli_env, "api", "webhook", "remove", "1").exit_code == 0
    assert pulsebot(cli_env, "api", "webhook", "list").stdout.strip() == "no webhooks"
