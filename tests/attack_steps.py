"""What an attacker does in the attack tests: read every view a manager (or admin) has of a team's
figures — App Home, `/pulse digest`, `pulsebot report`, `pulsebot export` — as they read them."""

from __future__ import annotations

import csv
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import distinct, func
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION
from pulsebot.slack.outbox import close_runs
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import Answer
from tests.home_steps import open_home

runner = CliRunner()


def apply_yaml(sessions: SessionFactory, text: str, *, now: datetime) -> None:
    with transaction(sessions) as session:
        for spec in parse_surveys(text, source="team.yml"):
            apply_survey(session, spec=spec, now=now)


def every_view(slack, fake_slack, cli_env: dict, tmp_path: Path, *, user: str, survey: str) -> dict[str, str]:
    """Everything `user` can read about `survey` right now, each view as one text."""
    home = open_home(slack, fake_slack, user)
    fake_slack.reset_calls()
    slack.command("/pulse", "digest", user=user)
    digest = str(fake_slack.wait_for("chat.postMessage")[0]["blocks"])
    env = {**cli_env, "COLUMNS": "200"}
    report = runner.invoke(cli, ["report", survey, "--weeks", "4"], env=env)
    assert report.exit_code == 0, report.output
    target = tmp_path / "export.csv"
    export = runner.invoke(cli, ["export", survey, "--csv", str(target), "--weeks", "4"], env=env)
    assert export.exit_code == 0, export.output
    return {"home": home, "digest": digest, "report": report.stdout, "export": target.read_text()}


def export_rows(views: dict[str, str]) -> list[dict[str, str]]:
    return list(csv.DictReader(views["export"].splitlines()))


def people_who_answered(sessions: SessionFactory, run_id: int) -> int:
    with transaction(sessions) as session:
        return session.exec(
            select(func.count(distinct(Answer.respondent))).where(Answer.run_id == run_id)
        ).one()


def wait_for_answers(sessions: SessionFactory, run_id: int, people: int, timeout: float = 20.0) -> None:
    """Until `people` have answers stored for the run (answers may reach the database in batches)."""
    deadline = time.monotonic() + timeout
    while people_who_answered(sessions, run_id) < people:
        assert time.monotonic() < deadline, f"only {people_who_answered(sessions, run_id)} answers stored"
        time.sleep(0.1)


def close_run(client, sessions: SessionFactory, run, *, settings) -> None:
    """What the `pulse-close` job does once the run's time is up."""
    assert run.run_id in close_runs(
        client, sessions, settings=settings, now=run.closes_at + timedelta(minutes=1)
    )


def forget_me(slack, fake_slack, user: str) -> None:
    slack.command("/pulse", "forget-me", user=user)
    fake_slack.reset_calls()
    slack.click(action_id=FORGET_ME_ACTION, value="forget", user=user)
    assert "pulsebot has forgotten you" in fake_slack.wait_for("response_url")[-1]["text"]
