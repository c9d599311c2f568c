"""`pulsebot run` serving every workspace that installs the app: its settings, each refused in one line,
and a real process that offers the install page and checks the stored tokens' key at start."""

import subprocess
import sys
import urllib.request

import pytest
from cryptography.fernet import Fernet

from pulsebot.config import ConfigError, load_settings
from pulsebot.store.installations import token_cipher
from tests.conftest import ANON_KEY, CHILD_PYTHONPATH, SIGNING_SECRET
from tests.installing import TOKEN_KEY, oauth_settings
from tests.test_run import free_port, wait_until

OAUTH = {
    "SLACK_CLIENT_ID": "1234.5678",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "PULSEBOT_TOKEN_KEY": TOKEN_KEY,
    "PULSEBOT_ANON_KEY": ANON_KEY,
}


def settings_from(monkeypatch, env: dict[str, str]):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", *OAUTH):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)


def test_a_client_id_without_a_bot_token_serves_installed_workspaces(monkeypatch):
    settings = settings_from(monkeypatch, OAUTH)

    settings.require_serving()

    assert settings.oauth


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        ("SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET is not set"),
        ("PULSEBOT_TOKEN_KEY", "PULSEBOT_TOKEN_KEY is not set"),
        ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_SECRET is not set"),
    ],
)
def test_a_missing_setting_is_named(monkeypatch, unset, message):
    settings = settings_from(monkeypatch, {k: v for k, v in OAUTH.items() if k != unset})

    with pytest.raises(ConfigError, match=f"^{message}$"):
        settings.require_serving()


def test_a_bot_token_and_a_client_id_together_are_refused_naming_both(monkeypatch):
    settings = settings_from(monkeypatch, {**OAUTH, "SLACK_BOT_TOKEN": "xoxb-one"})

    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set"):
        settings.require_serving()


def test_socket_mode_with_a_client_id_is_refused(monkeypatch):
    settings = settings_from(monkeypatch, {**OAUTH, "SLACK_APP_TOKEN": "xapp-one"})

    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN and SLACK_CLIENT_ID are both set"):
        settings.require_serving()


def test_a_short_passphrase_is_refused(monkeypatch):
    with pytest.raises(ConfigError, match=r"^PULSEBOT_TOKEN_KEY: must be a Fernet key or a passphrase"):
        settings_from(monkeypatch, {**OAUTH, "PULSEBOT_TOKEN_KEY": "too short"})


def test_a_fernet_key_is_used_as_it_is_and_a_passphrase_derives_one():
    sealed = token_cipher(TOKEN_KEY).encrypt(b"xoxb-1")
    passphrase = "correct horse battery staple, and then some"

    assert Fernet(TOKEN_KEY.encode()).decrypt(sealed) == b"xoxb-1"
    assert token_cipher(passphrase).decrypt(token_cipher(passphrase).encrypt(b"xoxb-2")) == b"xoxb-2"
    assert token_cipher(passphrase + "!").encrypt(b"x") != token_cipher(passphrase).encrypt(b"x")


def run_env(cli_env, **extra) -> dict[str, str]:
    env = {k: v for k, v in cli_env.items() if k != "SLACK_BOT_TOKEN"}
    return {"PATH": "", "PYTHONPATH": CHILD_PYTHONPATH, **env, **OAUTH, **extra}


def test_run_serves_the_install_page_and_checks_no_single_token(cli_env, fake_slack, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pulsebot", "run"],
        cwd=tmp_path,
        env=run_env(cli_env, PULSEBOT_PORT=str(port)),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/install", timeout=1))
        assert page.status == 200 and "Add to Slack" in page.read().decode()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)

    assert "serving 0 installed workspace(s) (none yet; more install at /slack/install) over HTTP" in stderr
    assert "install pulsebot in a workspace at GET /slack/install" in stderr
    assert not fake_slack.calls_to("auth.test"), "there is no single bot token to check"


def test_run_stops_in_one_line_when_the_key_does_not_open_the_stored_tokens(
    cli_env, engine, fake_slack, tmp_path
):
    from slack_sdk.oauth.installation_store.models.installation import Installation

    from pulsebot.slack.installations import installation_store

    store = installation_store(oauth_settings(engine, fake_slack), engine)
    store.save(
        Installation(app_id="A1", team_id="T0ALPHA", user_id="U1", bot_token="xoxb-alpha", bot_id="B1")
    )

    result = subprocess.run(
        [sys.executable, "-m", "pulsebot", "run"],
        cwd=tmp_path,
        env=run_env(cli_env, PULSEBOT_TOKEN_KEY=Fernet.generate_key().decode()),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "pulsebot: PULSEBOT_TOKEN_KEY does not decrypt the stored Slack tokens: use the key they were saved "
        "with (or, to change keys, set it as PULSEBOT_PREVIOUS_TOKEN_KEY beside the new one), "
        "or install the app again"
    )
