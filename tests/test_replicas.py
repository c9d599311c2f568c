"""Two `pulsebot run` processes on one PostgreSQL: both serve and send, each person gets each pulse
once, one runs the scheduler, and when it is killed the other takes over and the next run goes out once."""

import collections
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun
from tests.conftest import ADMIN, CHILD_PYTHONPATH, PG_URL, SIGNING_SECRET
from tests.scheduling.conftest import apply
from tests.slack_requests import SlackRequests
from tests.test_run import free_port, wait_until

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="no PostgreSQL"),
    pytest.mark.parametrize("engine", ["postgresql"], indirect=True),
]

PEOPLE = [f"U{n:04d}" for n in range(40)]
CHANNEL = "G0REPLICAS"
SURVEY = f"""\
name: every-minute
channel: {CHANNEL}
delivery: dm
schedule: "* * * * *"
timezone: UTC
questions: [{{key: enps, kind: enps}}]
"""
HOLDS_LOCK = "holds the scheduler lock"


class Replica:
    def __init__(self, env: dict, cwd, name: str) -> None:
        self.port = free_port()
        self.log = cwd / f"{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulsebot", "run"],
            cwd=cwd,
            env={
                "PATH": os.environ.get("PATH", ""),
                "PYTHONPATH": CHILD_PYTHONPATH,
                **env,
                "PULSEBOT_PORT": str(self.port),
                "PULSEBOT_ADMINS": ADMIN,
                "PULSEBOT_SWEEP_SECONDS": "1",
                "PULSEBOT_CLAIM_SECONDS": "5",
                "PULSEBOT_SEND_RATE": "200",
            },
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )

    def logged(self, text: str) -> bool:
        return text in self.log.read_text()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def replicas(cli_env, tmp_path):
    started: list[Replica] = []

    def start(name: str) -> Replica:
        started.append(Replica(cli_env, tmp_path, name))
        return started[-1]

    yield start
    for replica in started:
        replica.stop()


def runs_delivered(sessions) -> list[PulseRun]:
    """The runs whose every DM is out."""
    with sessions() as session:
        runs = session.exec(select(PulseRun).order_by(PulseRun.id)).all()
        pending = set(
            session.exec(select(Delivery.run_id).where(Delivery.status != DeliveryStatus.sent)).all()
        )
    return [run for run in runs if run.id not in pending]


def test_two_replicas_send_each_pulse_once_and_the_scheduler_moves_when_its_holder_dies(
    engine, sessions, fake_slack, replicas
):
    fake_slack.add_channel(CHANNEL, PEOPLE)
    apply(sessions, SURVEY)
    first = replicas("first")
    wait_until(lambda: first.logged(HOLDS_LOCK))
    second = replicas("second")
    wait_until(lambda: second.logged("another process runs the scheduler"))

    # An admin sends a pulse by hand through the replica without the scheduler: both send it.
    slack = SlackRequests(
        f"http://127.0.0.1:{second.port}/slack/events", SIGNING_SECRET, fake_slack.response_url()
    )
    wait_until(lambda: slack.command("/pulse", "send every-minute", user=ADMIN).status == 200)
    wait_until(lambda: runs_delivered(sessions), timeout=30)

    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    killed_at = datetime.now(UTC)
    wait_until(lambda: second.logged(HOLDS_LOCK), timeout=15)
    # The next minute's run is opened by the new holder and sent once.
    wait_until(lambda: [r for r in runs_delivered(sessions) if r.opened_at > killed_at], timeout=90)

    with sessions() as session:
        runs = session.exec(select(PulseRun)).all()
    scheduled = [run.scheduled_for for run in runs if run.scheduled_for is not None]
    assert len(scheduled) == len(set(scheduled))  # no scheduled time opened twice
    per_run_and_person = collections.Counter(
        (post["metadata"]["event_payload"]["run"], post["channel"])
        for post in fake_slack.calls_to("chat.postMessage")
    )
    delivered = runs_delivered(sessions)
    assert len(delivered) >= 2
    for run in delivered:
        assert {person: per_run_and_person[run.id, person] for person in PEOPLE} == dict.fromkeys(PEOPLE, 1)
    assert set(per_run_and_person.values()) == {1}
