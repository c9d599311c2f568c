"""A sender killed half-way through a 500-person DM fan-out, and started again: everyone gets the pulse
exactly once, including the people whose DM Slack had taken when the sender died before hearing so."""

import collections
import os
import signal
import subprocess
import sys
import time

from sqlmodel import select

from pulsebot.store.models import Delivery, DeliveryStatus
from tests.conftest import CHILD_PYTHONPATH
from tests.scheduling.conftest import apply
from tests.test_run import free_port, wait_until

PEOPLE = [f"U{n:05d}" for n in range(500)]
BIG_CHANNEL = "G0EVERYONE"
SURVEY = f"""\
name: everyone
channel: {BIG_CHANNEL}
delivery: dm
questions: [{{key: enps, kind: enps}}]
"""
FAST = {"PULSEBOT_SEND_RATE": "1000", "PULSEBOT_CLAIM_SECONDS": "2", "PULSEBOT_SWEEP_SECONDS": "1"}


def pulsebot(args: list[str], env: dict, cwd) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pulsebot", *args],
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": CHILD_PYTHONPATH, **env, **FAST},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_sender_killed_mid_fan_out_and_restarted_sends_each_dm_exactly_once(
    cli_env, fake_slack, sessions, tmp_path
):
    fake_slack.add_channel(BIG_CHANNEL, PEOPLE)
    apply(sessions, SURVEY)
    # Slack takes DM number 251 and every later one in, but its answers never reach the sender.
    fake_slack.stall("chat.postMessage", after=250)

    sender = pulsebot(["pulse", "send", "everyone"], cli_env, tmp_path)
    fake_slack.wait_for("chat.postMessage", 254, timeout=60)  # each of the 4 sender threads is waiting
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    fake_slack.release()
    taken_unconfirmed = 254 - 250

    restarted = pulsebot(["run"], {**cli_env, "PULSEBOT_PORT": str(free_port())}, tmp_path)
    try:
        wait_until(lambda: all_sent(sessions), timeout=60)
    finally:
        restarted.kill()
        restarted.wait()

    per_person = collections.Counter(post["channel"] for post in fake_slack.calls_to("chat.postMessage"))
    assert set(per_person) == set(PEOPLE)
    assert set(per_person.values()) == {1}
    looked = fake_slack.calls_to("conversations.history")
    assert len(looked) >= taken_unconfirmed  # the unconfirmed ones were looked for, and found


def all_sent(sessions) -> bool:
    with sessions() as session:
        statuses = session.exec(select(Delivery.status)).all()
    time.sleep(0.2)
    return len(statuses) == len(PEOPLE) and set(statuses) == {DeliveryStatus.sent}
