"""Several `pulsebot run` processes on one machine and one port (PULSEBOT_REUSE_PORT, Linux's
SO_REUSEPORT) on one PostgreSQL: the kernel spreads the connections over them, one runs the scheduler,
a crowd's clicks through the one port are all stored and thanked, and the order the answers were stored
in still says nothing of the order people clicked in, though each process wrote its own batches."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.pulse.pulses import run_view
from pulsebot.store.models import PulseRun
from tests.attacks.database_reader import page_order
from tests.conftest import ADMIN, CHILD_PYTHONPATH, PG_URL, SIGNING_SECRET
from tests.pulse_steps import answer_button
from tests.scheduling.conftest import apply
from tests.slack_requests import SlackRequests
from tests.test_run import free_port, wait_until

HOLDS_LOCK = "holds the scheduler lock"
FOLLOWS = "another process runs the scheduler"
PEOPLE = [f"U0P{n:03d}" for n in range(12)]
CHANNEL = "G0SHARED"
SURVEY = f"""\
name: shared
channel: {CHANNEL}
questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""


class Process:
    """One `pulsebot run` on the shared port, with metrics of its own to tell what it served."""

    def __init__(self, env: dict, folder: Path, name: str, port: int) -> None:
        self.metrics_port = free_port()
        self.log = folder / f"{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulsebot", "run"],
            cwd=folder,
            env={
                "PATH": os.environ.get("PATH", ""),
                "PYTHONPATH": CHILD_PYTHONPATH,
                **env,
                "PULSEBOT_PORT": str(port),
                "PULSEBOT_REUSE_PORT": "true",
                "PULSEBOT_METRICS_PORT": str(self.metrics_port),
                "PULSEBOT_ADMINS": ADMIN,
                "PULSEBOT_MIX_SECONDS": "5",
            },
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )

    def logged(self, line: str) -> bool:
        return line in self.log.read_text()

    def probes_answered(self) -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as answer:
            found = re.search(
                r'^pulsebot_http_requests_total\{kind="probe",status="200"\} (\S+)$',
                answer.read().decode(),
                re.M,
            )
        return float(found.group(1)) if found else 0.0

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def two_on_one_port(cli_env, tmp_path, engine):
    port = free_port()
    processes = [Process(cli_env, tmp_path, name, port) for name in ("first", "second")]
    try:
        wait_until(lambda: all(p.logged("serving") for p in processes), timeout=60)
        yield port, processes
    finally:
        for process in processes:
            process.stop()


def ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)  # a new connection each time
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    finally:
        connection.close()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
def test_two_processes_share_one_port_and_one_scheduler(two_on_one_port):
    port, processes = two_on_one_port
    wait_until(
        lambda: (
            sum(p.logged(HOLDS_LOCK) for p in processes) == 1 and any(p.logged(FOLLOWS) for p in processes)
        )
    )

    assert all(ready(port) for _ in range(100))

    # The kernel handed connections to both: each one's own metrics counted some of the probes.
    answered = [process.probes_answered() for process in processes]
    assert all(count > 0 for count in answered), answered
    assert sum(answered) >= 100
    assert sum(p.logged(HOLDS_LOCK) for p in processes) == 1


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
def test_clicks_through_one_port_are_stored_once_and_their_order_says_nothing(
    two_on_one_port, engine, sessions, fake_slack
):
    port, _ = two_on_one_port
    fake_slack.add_channel(CHANNEL, PEOPLE)
    apply(sessions, SURVEY)
    slack = SlackRequests(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, fake_slack.response_url())
    wait_until(lambda: slack.command("/pulse", "send shared", user=ADMIN).status == 200)
    with sessions() as session:
        run = wait_until(lambda: session.exec(select(PulseRun)).first())
        run = run_view(session, run_id=run.id)
    fake_slack.reset_calls()

    # Each person clicks a value that gives them away to the test, one after the other, each click on a
    # connection of its own, so the kernel picks a process for each.
    clicks = [(person, 1 + number % 5) for number, person in enumerate(PEOPLE)]
    for person, value in clicks:
        assert slack.click(**answer_button(run, value), user=person, channel=CHANNEL).status == 200
    fake_slack.wait_for("response_url", len(PEOPLE), timeout=30)

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT ctid::text, xmin::text, respondent, value FROM answer")).all()
    assert len(rows) == len(PEOPLE)
    assert sorted(row.value for row in rows) == sorted(value for _, value in clicks)
    assert len({row.xmin for row in rows}) <= 2  # a batch per process's window, no row of its own
    stored = [row.value for row in sorted(rows, key=lambda row: page_order(row.ctid))]
    # The attacker's guess: the n-th row stored is the n-th click. Each batch is shuffled before it is
    # written, so the guess is right about a fifth of the time by the values' spread alone, never wholly.
    right = sum(
        1 for stored_value, (_, clicked) in zip(stored, clicks, strict=True) if stored_value == clicked
    )
    assert right < len(PEOPLE)


def test_sharing_a_port_on_sqlite_is_one_line(cli_env, tmp_path):
    database = tmp_path / "fresh.db"
    env = {**cli_env, "DATABASE_URL": f"sqlite:///{database}", "PULSEBOT_REUSE_PORT": "true"}

    result = CliRunner().invoke(cli, ["run"], env=env)

    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.stderr.strip() == (
        "pulsebot: PULSEBOT_REUSE_PORT is for several pulsebot run processes on one PostgreSQL database; on "
        "SQLite one process does everything: leave it unset, or set DATABASE_URL to postgresql://…"
    )
    assert not database.exists()
