"""`pulsebot web` serves the dashboard on its own port from the bot's database, and stops in one line when
Sign in with Slack cannot be set up."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request

from typer.testing import CliRunner

from pulsebot.cli import cli
from tests.conftest import CHILD_PYTHONPATH
from tests.test_run import free_port, wait_until
from tests.web.conftest import CLIENT_ID, CLIENT_SECRET

runner = CliRunner()


def test_without_its_address_and_client_the_dashboard_does_not_start(cli_env):
    result = runner.invoke(cli, ["web"], env=cli_env)

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "pulsebot: PULSEBOT_WEB_URL, PULSEBOT_WEB_CLIENT_ID (or SLACK_CLIENT_ID), PULSEBOT_WEB_CLIENT_SECRET "
        "(or SLACK_CLIENT_SECRET) are not set: the dashboard needs its public address and the Slack app's "
        "client id and secret for Sign in with Slack"
    ]


def test_pulsebot_web_serves_the_sign_in_page_on_its_own_port(cli_env, fake_slack, tmp_path):
    port = free_port()
    env = {
        **cli_env,
        "PATH": "",
        "PYTHONPATH": CHILD_PYTHONPATH,
        "PULSEBOT_WEB_PORT": str(port),
        "PULSEBOT_WEB_URL": f"http://127.0.0.1:{port}",
        "PULSEBOT_WEB_CLIENT_ID": CLIENT_ID,
        "PULSEBOT_WEB_CLIENT_SECRET": CLIENT_SECRET,
        "PULSEBOT_OPENID_URL": fake_slack.url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pulsebot", "web"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        page = wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/signin", timeout=1))
        body = page.read().decode()
        assert "Sign in with Slack" in body
        assert "script-src 'none'" in page.headers["Content-Security-Policy"]
        assert fake_slack.calls_to("chat.postMessage") == []  # no sender, no scheduler
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert f"dashboard at http://127.0.0.1:{port}" in stderr
