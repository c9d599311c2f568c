"""Trying pulsebot locally: the fake Slack starts on its own and writes settings pulsebot accepts."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from slack_sdk import WebClient

from pulsebot.config import load_settings

ROOT = Path(__file__).parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_fake_slack_runs_on_its_own_with_a_channel_and_people(tmp_path, monkeypatch):
    port, env_file = free_port(), tmp_path / "local.env"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_slack", "--port", str(port), "--env-file", str(env_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 20
        while not env_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert env_file.exists(), "the fake Slack did not start"
        env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        client = WebClient(token=env["SLACK_BOT_TOKEN"], base_url=env["SLACK_API_URL"])

        assert client.auth_test()["ok"]
        assert client.conversations_members(channel="G0LOCAL")["members"][:2] == ["U0ALICE", "U0BOB"]
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-left-in-the-shell")
        for name, value in env.items():  # as `env $(cat local.env) .venv/bin/pulsebot run` does
            monkeypatch.setenv(name, value)
        settings = load_settings()
        assert settings.ideas_channel == "C0IDEAS" and settings.slack_api_url == env["SLACK_API_URL"]
        assert settings.slack_app_token is None, "served over HTTP, as the fake Slack needs"
        time.sleep(0.6)  # the fake prints the calls it took every 0.2 s
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "auth.test" in process.stdout.read()  # each call pulsebot would make is printed
