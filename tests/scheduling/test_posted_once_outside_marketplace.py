"""Posted once, where Slack lets an app read a conversation's history once a minute, 15 messages a call
(an app distributed outside the Slack Marketplace, as pulsebot serving several workspaces through OAuth
is): a pulse DM, a channel pulse and an anonymous reply that Slack may have taken are each looked for
around the moment of the attempt that may have posted them, a look Slack throttles waits its turn
instead of holding a sender or posting blind, and everyone gets each message once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from freezegun import freeze_time
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from pulsebot.services.pulse import pulses
from pulsebot.services.pulse.outbox import CLAIM_FOR, RETRY_AFTER
from pulsebot.services.reply import relay
from pulsebot.slack.outbox import Outbox
from pulsebot.slack.posted import CLOCK_SKEW
from pulsebot.slack.publish import open_run
from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.reply_steps import relay_at
from tests.scheduling.conftest import ProcessDied, apply, fail_once, utc
from tests.scheduling.test_exactly_once import SURVEYS
from tests.scheduling.test_reply_relay import messages, replies_to_an_idea

NOW = utc(2027, 3, 23, 9)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def outside_the_marketplace(fake_slack, sessions):
    fake_slack.outside_marketplace = True
    apply(sessions, SURVEYS)


def history_reads(fake_slack) -> list[dict]:
    """The conversations.history calls Slack answered (not those it throttled)."""
    return fake_slack.calls_to("conversations.history")


def test_the_fake_answers_one_history_call_a_minute_with_15_messages_at_most(fake_slack, client):
    with freeze_time(NOW):
        for number in range(20):
            fake_slack.add_message(PULSE_CHANNEL, f"Message {number}")
        first = client.conversations_history(channel=PULSE_CHANNEL, limit=200)
        with pytest.raises(SlackApiError) as throttled:
            client.conversations_history(channel=PULSE_CHANNEL, limit=200)
    with freeze_time(NOW + MINUTE):
        later = client.conversations_history(
            channel=PULSE_CHANNEL, cursor=first["response_metadata"]["next_cursor"]
        )

    assert len(first["messages"]) == 15 and first["has_more"]
    assert throttled.value.response.status_code == 429
    assert throttled.value.response.headers["Retry-After"] == "60"
    assert len(later["messages"]) == 5 and not later["has_more"]


def test_dms_slack_took_without_answering_are_looked_for_a_minute_apart_and_sent_once_each(
    settings, client, sessions, fake_slack
):
    with freeze_time(NOW):
        run = open_run(client, sessions, settings=settings, survey_name="dm-pulse", now=NOW)
    fake_slack.hang_up_after_acting("chat.postMessage", times=3)  # in Slack, but no answer came back
    with freeze_time(NOW):
        Outbox(client, sessions).drain()
    assert len(fake_slack.calls_to("chat.postMessage:hung up")) == 3

    waits = []
    for minutes in range(4):
        with freeze_time(NOW + RETRY_AFTER + minutes * MINUTE):
            started = time.monotonic()
            Outbox(client, sessions).drain()
            waits.append(time.monotonic() - started)

    dms = [call.args["channel"] for call in fake_slack.calls if call.method.startswith("chat.postMessage")]
    assert sorted(dms) == sorted(TEAM)  # each person once: three found in Slack, two posted
    assert len(history_reads(fake_slack)) == 3  # one a minute, each finding one DM
    assert all(int(read["limit"]) <= 15 for read in history_reads(fake_slack))
    assert max(waits) < 5, "a sender waited out Slack's minute instead of leaving the look for later"
    with sessions() as session:
        rows = session.exec(select(Delivery).where(Delivery.run_id == run.run_id)).all()
    assert {row.status for row in rows} == {DeliveryStatus.sent}
    for row in rows:  # each recorded with the ts of the one message it has in Slack
        assert [m["ts"] for m in fake_slack.messages_in("D" + row.user_id[1:])] == [row.message_ts]


def test_a_channel_pulse_slack_took_before_its_sender_died_is_found_among_the_chatter(
    settings, client, sessions, fake_slack, monkeypatch
):
    fail_once(monkeypatch, pulses, "mark_run_posted", ProcessDied)
    with freeze_time(NOW):
        run = open_run(client, sessions, settings=settings, survey_name="channel-pulse", now=NOW)
        with pytest.raises(ProcessDied):
            Outbox(client, sessions).drain()
    (pulse,) = fake_slack.messages_in(PULSE_CHANNEL)
    with freeze_time(NOW + MINUTE):  # the team talks right after the pulse: 20 messages
        for number in range(20):
            fake_slack.add_message(PULSE_CHANNEL, f"Right after {number}")
    with freeze_time(NOW + CLAIM_FOR + CLOCK_SKEW + MINUTE):  # and goes on talking
        for number in range(30):
            fake_slack.add_message(PULSE_CHANNEL, f"Later {number}")

    with freeze_time(NOW + CLAIM_FOR + 2 * MINUTE) as frozen:  # the dead sender's claim has lapsed
        Outbox(client, sessions, sleep=frozen.tick).drain()

    assert fake_slack.posts_to(PULSE_CHANNEL) == [fake_slack.calls_to("chat.postMessage")[0]]  # not again
    reads = history_reads(fake_slack)
    assert len(reads) == 2  # the 21 messages around the attempt: two calls, a minute apart
    assert all(
        float(read["latest"]) < float(fake_slack.messages_in(PULSE_CHANNEL)[-30]["ts"]) for read in reads
    )
    with sessions() as session:
        assert session.get(PulseRun, run.run_id).message_ts == pulse["ts"]


def test_a_dm_slack_refused_is_sent_again_without_a_look(settings, client, sessions, fake_slack):
    fake_slack.fail("chat.postMessage", "internal_error")  # Slack answered: it did not post it
    with freeze_time(NOW):
        open_run(client, sessions, settings=settings, survey_name="dm-pulse", now=NOW)
        Outbox(client, sessions).drain()
    with freeze_time(NOW + RETRY_AFTER):
        Outbox(client, sessions).drain()

    assert sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage")) == sorted(
        [*TEAM, sorted(TEAM)[0]]
    )
    assert history_reads(fake_slack) == [] and fake_slack.calls_to("conversations.history:429") == []


@pytest.mark.usefixtures("jobs_runtime")
def test_replies_slack_took_without_answering_are_looked_for_a_minute_apart_and_sent_once(
    sessions, fake_slack
):
    replies_to_an_idea(sessions, author=TEAM[0], anonymous=True, count=2)
    fake_slack.hang_up_after_acting("chat.postMessage", times=2)
    relay_at(NOW + timedelta(minutes=6))
    assert len(fake_slack.calls_to("chat.postMessage:hung up")) == 2

    for minutes in (12, 13):  # the claims have lapsed: each reply is looked for, a minute apart
        relay_at(NOW + timedelta(minutes=minutes))

    assert fake_slack.calls_to("chat.postMessage") == []  # neither sent again
    assert len(fake_slack.messages_in("D" + TEAM[0][1:])) == 2
    assert len(history_reads(fake_slack)) == 2
    assert all(message.delivered_at is not None for message in messages(sessions))


@pytest.mark.usefixtures("jobs_runtime")
def test_replies_a_relay_claimed_but_never_tried_before_it_died_are_sent_without_a_look(
    sessions, fake_slack, monkeypatch
):
    replies_to_an_idea(sessions, author=TEAM[0], anonymous=True, count=3)  # one sweep claims all three
    fail_once(monkeypatch, relay, "mark_delivered", ProcessDied)  # and dies once the first is in Slack
    with pytest.raises(ProcessDied):
        relay_at(NOW + timedelta(minutes=6))

    relay_at(NOW + timedelta(minutes=12))  # the claims have lapsed

    texts = [post["text"].rsplit(": ", 1)[1] for post in fake_slack.calls_to("chat.postMessage")]
    assert sorted(texts) == ["Reply 0", "Reply 1", "Reply 2"]  # each once
    assert len(history_reads(fake_slack)) == 1  # only the one that may have been in Slack was looked for
    assert all(message.delivered_at is not None for message in messages(sessions))
