"""What the command tests share: the environment of a deployment serving several installed workspaces."""

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.store.db import session_factory
from tests.conftest import ADMIN, ANON_KEY, SIGNING_SECRET
from tests.installing import TOKEN_KEY, TOKENS, install_each, oauth_settings, serve

runner = CliRunner()


@pytest.fixture
def oauth_env(engine, fake_slack) -> Iterator[dict[str, str | None]]:
    with serve(oauth_settings(engine, fake_slack), session_factory(engine), engine) as server:
        install_each(server, fake_slack, TOKENS)
    yield {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SLACK_API_URL": fake_slack.base_url,
        "SLACK_CLIENT_ID": "1234.5678",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "PULSEBOT_TOKEN_KEY": TOKEN_KEY,
        "PULSEBOT_ANON_KEY": ANON_KEY,
        "PULSEBOT_ADMINS": ADMIN,
        "SLACK_BOT_TOKEN": None,  # unset
    }


def pulsebot(env: dict[str, str], *args: str):
    return runner.invoke(cli, list(args), env={**env, "COLUMNS": "200"})
