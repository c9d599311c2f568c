"""Closing: at closes_at the run freezes, its messages say it is closed (never how many answered: the
managers get the figures, only at or above the minimum group), and clicks are refused."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.slack.publish import send_pulse
from pulsebot.store.models import Answer, PulseRun, RunStatus
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.pulse_steps import click_answer
from tests.scheduling.conftest import apply


@pytest.mark.usefixtures("runtime")
def test_closing_freezes_the_run_updates_the_message_and_refuses_later_clicks(
    slack, fake_slack, sessions, sent_pulse
):
    click_answer(slack, sent_pulse, TEAM[0], 4)
    fake_slack.wait_for("response_url")
    scheduling.close_due_runs()  # not due yet: nothing happens
    with sessions() as session:
        assert session.get(PulseRun, sent_pulse.run_id).status is RunStatus.open
    fake_slack.reset_calls()

    with freeze_time(sent_pulse.closes_at + timedelta(minutes=1), tick=True):
        scheduling.close_due_runs()
        update = fake_slack.calls_to("chat.update")[0]
        click_answer(slack, sent_pulse, TEAM[1], 5)
        refusal = fake_slack.wait_for("response_url")[0]

    assert update["channel"] == PULSE_CHANNEL
    assert update["blocks"][-1]["elements"][0]["text"] == "Closed: answers are no longer taken."
    assert not [block for block in update["blocks"] if block["type"] == "actions" or block.get("accessory")]
    assert refusal["text"].startswith("This pulse closed on ")
    with sessions() as session:
        run = session.get(PulseRun, sent_pulse.run_id)
        assert run.status is RunStatus.closed and run.closed_at is not None
        assert [answer.value for answer in session.exec(select(Answer))] == [4]


DM_SURVEY = f"""\
name: dm-pulse
channel: {PULSE_CHANNEL}
delivery: dm
questions: [{{key: fair, kind: yes_no, prompt: "Was this week fair?"}}]
"""


@pytest.mark.usefixtures("runtime")
def test_closing_a_dm_pulse_updates_every_dm(sessions, client, settings, fake_slack):
    apply(sessions, DM_SURVEY)
    run = send_pulse(client, sessions, settings=settings, survey_name="dm-pulse", now=datetime.now(UTC))
    assert sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage")) == sorted(TEAM)

    with freeze_time(run.closes_at, tick=True):
        scheduling.close_due_runs()

    updates = fake_slack.calls_to("chat.update")
    assert sorted(update["channel"] for update in updates) == sorted("D" + user[1:] for user in TEAM)
    assert all(
        update["blocks"][-1]["elements"][0]["text"] == "Closed: answers are no longer taken."
        for update in updates
    )
