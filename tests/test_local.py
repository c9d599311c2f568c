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
        assert (tmp_path / "local-survey.yml").is_file(), "the pulse to try is written beside local.env"
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


def test_the_local_trial_sends_a_pulse_takes_an_answer_and_sends_the_digest(tmp_path, capsys):
    """Getting started's local trial, step by step: the survey applied, the pulse sent, answered from its
    buttons as posted, and the manager's digest asked for, against a real `pulsebot run`."""
    from sqlalchemy import func
    from sqlmodel import Session, select
    from typer.testing import CliRunner

    from pulsebot.cli import cli
    from pulsebot.store.db import make_engine
    from pulsebot.store.models import Answer
    from tests.conftest import CHILD_PYTHONPATH
    from tests.local import MANAGER, PULSE_CHANNEL, SURVEY_FILE, environment, local_workspace, main

    fake = local_workspace(0).start()
    slack_port, bot_port = int(fake.url.rsplit(":", 1)[1]), free_port()
    env = {
        **environment(slack_port),
        "PULSEBOT_PORT": str(bot_port),
        "PULSEBOT_MIX_SECONDS": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'local.db'}",
    }
    (tmp_path / "local-survey.yml").write_text(SURVEY_FILE)
    applied = CliRunner().invoke(cli, ["survey", "apply", str(tmp_path / "local-survey.yml")], env=env)
    assert applied.exit_code == 0, applied.output
    bot = subprocess.Popen(
        [sys.executable, "-m", "pulsebot", "run"],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": CHILD_PYTHONPATH, **env},
        stderr=subprocess.DEVNULL,
    )
    ports = ["--bot-port", str(bot_port), "--slack-port", str(slack_port)]
    try:
        deadline = time.monotonic() + 30
        while not fake.calls_to("auth.test") and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # from checking the token to listening
        main(["pulse", *ports])
        fake.wait_for("chat.postMessage", timeout=20)
        main(["answer", "1", "4", *ports])
        main(["digest", *ports])
        fake.wait_for("chat.postMessage", count=2, timeout=20)
    finally:
        bot.terminate()
        bot.wait(timeout=20)
        fake.stop()

    replies = capsys.readouterr().out.splitlines()
    assert [reply.split(":")[0] for reply in replies] == ["HTTP 200"] * 3, replies
    posted = [call.args.get("channel") for call in fake.calls if call.method == "chat.postMessage"]
    assert posted[0] == PULSE_CHANNEL
    assert fake.calls_to("conversations.open") or MANAGER in posted, "the digest goes to the manager"
    with Session(make_engine(env["DATABASE_URL"])) as session:
        assert session.exec(select(func.count()).select_from(Answer)).one() == 1
