"""The "N answered" count on a channel pulse: one update for a crowd of clicks, showing all of them."""

import time

from pulsebot.slack.live_counts import LiveCounts
from pulsebot.slack.workspaces import SingleWorkspace
from pulsebot.store.scoping import SINGLE_WORKSPACE
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.pulse_steps import click_answer


def test_many_changes_at_once_make_one_update_with_the_final_count(
    slack, fake_slack, sessions, client, sent_pulse
):
    for user in TEAM:
        click_answer(slack, sent_pulse, user, 3)
    fake_slack.wait_for("response_url", len(TEAM))  # every answer is in
    fake_slack.reset_calls()
    counts = LiveCounts(SingleWorkspace(client), sessions, delay=0.5)

    for _ in range(20):
        counts.changed(sent_pulse.run_id, team_id=SINGLE_WORKSPACE)

    update = fake_slack.wait_for("chat.update")[0]
    assert len(fake_slack.calls_to("chat.update")) == 1
    assert update["channel"] == PULSE_CHANNEL
    assert "5 answered" in str(update["blocks"])


def test_stopping_drops_waiting_updates_and_refuses_new_ones(fake_slack, sessions, client, sent_pulse):
    counts = LiveCounts(SingleWorkspace(client), sessions, delay=0.3)
    counts.changed(sent_pulse.run_id, team_id=SINGLE_WORKSPACE)

    counts.stop()
    counts.changed(sent_pulse.run_id, team_id=SINGLE_WORKSPACE)

    time.sleep(0.6)
    assert fake_slack.calls_to("chat.update") == []


def test_stopping_waits_for_an_update_under_way(fake_slack, sessions, client, sent_pulse):
    """A shut-down app leaves no update behind to touch the database or Slack later."""
    fake_slack.latency = 0.5
    counts = LiveCounts(SingleWorkspace(client), sessions, delay=0.05)
    counts.changed(sent_pulse.run_id, team_id=SINGLE_WORKSPACE)
    time.sleep(0.2)  # the update has started and waits on Slack

    counts.stop()

    assert len(fake_slack.calls_to("chat.update")) == 1
