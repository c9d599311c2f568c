"""Trying pulsebot locally: the fake Slack starts on its own and writes settings pulsebot accepts."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
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


def test_the_local_trial_drives_the_pulse_its_modals_and_the_digest_s_buttons(tmp_path, capsys):
    """Getting started's local trial, step by step, against a real `pulsebot run`: the survey applied, the
    pulse sent, answered and commented on from its buttons as posted (the comment in the modal pulsebot
    opened), last week's pulse put in, the manager's digest asked for, and from that digest's buttons the
    week shared with the team and an action planned, each through its modal."""
    from sqlalchemy import func
    from sqlmodel import Session, select
    from typer.testing import CliRunner

    from pulsebot.cli import cli
    from pulsebot.store.db import make_engine
    from pulsebot.store.models import Answer, PulseRun, ResultsShare, TeamAction
    from tests.conftest import CHILD_PYTHONPATH
    from tests.local import main
    from tests.local_workspace import MANAGER, PULSE_CHANNEL, SURVEY_FILE, environment, local_workspace

    fake = local_workspace(0).start()
    slack_port, bot_port = int(fake.url.rsplit(":", 1)[1]), free_port()
    env = {
        **environment(slack_port),
        "PULSEBOT_PORT": str(bot_port),
        "PULSEBOT_MIX_SECONDS": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'local.db'}",
    }
    env_file = tmp_path / "local.env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in env.items()))
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
        with pytest.raises(SystemExit, match="no pulse in G0LOCAL yet"):
            main(["comment", "1", "Too early", *ports])
        with pytest.raises(SystemExit, match="no digest yet"):
            main(["share", *ports])
        main(["pulse", *ports])
        fake.wait_for("chat.postMessage", timeout=20)
        main(["answer", "1", "4", *ports])
        main(["comment", "1", "Too many meetings", *ports])
        fake.wait_for("chat.postMessage", count=2, timeout=20)  # the thanks, once the comment is saved
        main(["last-week", "--env-file", str(env_file)])
        main(["digest", *ports])
        fake.wait_for("chat.postMessage", count=3, timeout=20)
        main(["share", "--comments", *ports])
        with pytest.raises(SystemExit, match="already shared"):  # said by pulsebot, in one line
            main(["share", *ports])
        main(["plan", "Meeting-free Fridays", "--about", "meetings", *ports])
    finally:
        bot.terminate()
        bot.wait(timeout=20)
        fake.stop()

    replies = capsys.readouterr().out.splitlines()
    assert [reply.split(":")[0] for reply in replies if reply.startswith("HTTP")] == ["HTTP 200"] * 9, replies
    assert any("comment on “How was your week?” sent" in reply for reply in replies), replies
    assert any(reply.startswith("last week's pulse (week of ") for reply in replies), replies
    assert any(reply.startswith("Done: the week of ") for reply in replies), replies  # the manager's DM
    opened = [call["view"]["callback_id"] for call in fake.calls_to("views.open")]
    assert opened == ["pulse_comment_view", "share_results_view", "action_plan_view"]
    posted = [call.args.get("channel") for call in fake.calls if call.method == "chat.postMessage"]
    assert posted[0] == PULSE_CHANNEL
    assert fake.calls_to("conversations.open") or MANAGER in posted, "the digest goes to the manager"
    in_channel = [post["text"] for post in fake.posts_to(PULSE_CHANNEL)]
    assert in_channel[1].startswith("Local team pulse, week of "), "the week's results, shared"
    assert "In your words" in str(fake.posts_to(PULSE_CHANNEL)[1]["blocks"]), "with the quoted comments"
    assert in_channel[2] == "We will: Meeting-free Fridays", "the action, where the team reads it"
    with Session(make_engine(env["DATABASE_URL"])) as session:
        open_run = session.exec(select(PulseRun).where(PulseRun.closed_at.is_(None))).one()
        now = session.exec(select(Answer).where(Answer.run_id == open_run.id)).all()
        assert [(answer.value, answer.comment) for answer in now] == [(4, "Too many meetings")]
        assert session.exec(select(func.count()).select_from(Answer)).one() == 1 + 12
        assert session.exec(select(func.count()).select_from(ResultsShare)).one() == 1
        (action,) = session.exec(select(TeamAction)).all()
        assert (action.text, action.focus_key, action.owner_id) == (
            "Meeting-free Fridays",
            "meetings",
            MANAGER,
        )
