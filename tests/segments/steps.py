"""Steps the segment tests share: a team whose people have HR attributes, in a channel of the fake Slack,
its pulse sent the way an admin sends one (`/pulse send` through the real app), and answered."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from pulsebot.services.survey.run_questions import questions_of_run
from pulsebot.store.db import SessionFactory
from pulsebot.store.models import PulseRun
from tests.conftest import ADMIN
from tests.segments.people import person
from tests.slack_requests import SlackRequests
from tests.test_run import wait_until

CELLS_CHANNEL = "G0CELLS"
SUPPORT = [f"U0SUP{number}" for number in range(6)]
SALES = [f"U0SAL{number}" for number in range(5)]
CELLS_SURVEY = f"""\
name: cells-pulse
title: Cells pulse
channel: {CELLS_CHANNEL}
timezone: Europe/Berlin
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
  - key: better
    kind: text
    prompt: What would make next week better?
"""


def team_rows() -> list:
    """Support (six people) and Sales (five), each under its lead, the leads under the CEO."""
    common = {"site": "Lisbon", "region": "Europe", "level": "L2", "start_date": date(2025, 1, 6)}
    return [
        person("U0CEO"),
        person("U0SUPLEAD", manager_id="U0CEO"),
        person("U0SALESLEAD", manager_id="U0CEO"),
        *(
            person(user_id, department="Support", division="Operations", manager_id="U0SUPLEAD", **common)
            for user_id in SUPPORT
        ),
        *(
            person(user_id, department="Sales", division="Commercial", manager_id="U0SALESLEAD", **common)
            for user_id in SALES
        ),
    ]


def send_by_command(slack: SlackRequests, fake_slack, sessions: SessionFactory) -> PulseRun:
    """An admin sends the pulse with `/pulse send`; the run, once its message is in the channel."""
    assert slack.command("/pulse", "send cells-pulse", user=ADMIN).text == "Sending “cells-pulse” now…"
    fake_slack.wait_for("chat.postMessage")
    fake_slack.wait_for("response_url")
    wait_until(lambda: posted(sessions))  # its deliveries marked sent: nothing more is written for it
    fake_slack.reset_calls()
    with sessions() as session:
        return session.exec(select(PulseRun)).one()


def posted(sessions: SessionFactory) -> bool:
    with sessions() as session:
        run = session.exec(select(PulseRun)).first()
        return run is not None and run.message_ts is not None


def click(slack: SlackRequests, run: PulseRun, question_id: int, user: str, value: int):
    return slack.click(
        action_id=f"pulse_answer_{question_id}_{value}",
        value=f"{run.id}:{question_id}:{value}",
        user=user,
        channel=CELLS_CHANNEL,
    )


def write(slack: SlackRequests, run: PulseRun, question_id: int, user: str, text: str):
    return slack.submit(
        callback_id="pulse_comment_view",
        private_metadata=f"{run.id}:{question_id}",
        values={"comment": {"text": {"type": "plain_text_input", "value": text}}},
        user=user,
    )


def question_ids(sessions: SessionFactory, run: PulseRun) -> tuple[int, ...]:
    """The run's questions, in the order its message asks them."""
    with sessions() as session:
        return tuple(question.id for question in questions_of_run(session, run=session.get(PulseRun, run.id)))
