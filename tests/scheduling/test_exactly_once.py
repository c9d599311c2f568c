"""Pulse messages go out once each: a channel run is posted even if its opener died before posting, a
message whose sender died after Slack took it is found in Slack instead of being posted again, a
refusal for one person is recorded without stopping the others, and 429s are waited out."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.services.pulse import outbox as outbox_service
from pulsebot.services.pulse.outbox import CLAIM_FOR, RETRY_AFTER
from pulsebot.slack.outbox import MARKER, Outbox
from pulsebot.slack.publish import open_run
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.scheduling.conftest import ProcessDied, apply, fail_once, utc

NOW = utc(2027, 3, 23, 9)

SURVEYS = f"""\
surveys:
  - name: dm-pulse
    channel: {PULSE_CHANNEL}
    delivery: dm
    questions: [{{key: enps, kind: enps}}]
  - name: channel-pulse
    channel: {PULSE_CHANNEL}
    questions: [{{key: enps, kind: enps}}]
"""


@pytest.fixture(autouse=True)
def surveys(sessions):
    apply(sessions, SURVEYS)


def deliveries(sessions) -> dict[str, Delivery]:
    with sessions() as session:
        return {d.user_id: d for d in session.exec(select(Delivery))}


def test_a_dm_slack_took_before_its_sender_died_is_found_there_not_sent_again(
    settings, client, sessions, fake_slack, monkeypatch
):
    with freeze_time(NOW):
        run = open_run(client, sessions, settings=settings, survey_name="dm-pulse", now=NOW)
    fail_once(monkeypatch, outbox_service, "mark_sent", ProcessDied)
    with freeze_time(NOW), pytest.raises(ProcessDied):
        Outbox(client, sessions).drain()
    first = fake_slack.calls_to("chat.postMessage")[0]
    assert first["metadata"] == {"event_type": MARKER, "event_payload": {"run": run.run_id, "delivery": 1}}

    with freeze_time(NOW + CLAIM_FOR):  # the dead sender's claim has lapsed
        sent = Outbox(client, sessions).drain()

    recipients = [post["channel"] for post in fake_slack.calls_to("chat.postMessage")]
    assert sorted(recipients) == sorted(TEAM)  # each person once: the first DM was found, not re-sent
    assert sent == len(TEAM)
    looked = fake_slack.calls_to("conversations.history")
    assert [call["channel"] for call in looked] == ["D" + first["channel"][1:]]
    found = deliveries(sessions)[first["channel"]]
    assert found.status is DeliveryStatus.sent
    assert found.message_ts == fake_slack.messages_in("D" + first["channel"][1:])[0]["ts"]


def test_a_channel_run_whose_opener_died_before_posting_is_posted_once_by_the_next_sender(
    settings, client, sessions, fake_slack
):
    with freeze_time(NOW):
        run = open_run(
            client, sessions, settings=settings, survey_name="channel-pulse", now=NOW
        )  # ...and nothing else
    assert fake_slack.posts_to(PULSE_CHANNEL) == []

    with freeze_time(NOW):
        Outbox(client, sessions).drain()
        Outbox(client, sessions).drain()

    assert len(fake_slack.posts_to(PULSE_CHANNEL)) == 1
    with sessions() as session:
        assert session.get(PulseRun, run.run_id).message_ts is not None
    assert {d.status for d in deliveries(sessions).values()} == {DeliveryStatus.sent}


def test_a_channel_post_slack_took_before_its_sender_died_is_not_posted_again(
    settings, client, sessions, fake_slack, monkeypatch
):
    from pulsebot.services.pulse import pulses

    fail_once(monkeypatch, pulses, "mark_run_posted", ProcessDied)
    with freeze_time(NOW):
        run = open_run(client, sessions, settings=settings, survey_name="channel-pulse", now=NOW)
        with pytest.raises(ProcessDied):
            Outbox(client, sessions).drain()

    with freeze_time(NOW + CLAIM_FOR):
        Outbox(client, sessions).drain()

    assert len(fake_slack.posts_to(PULSE_CHANNEL)) == 1
    with sessions() as session:
        stored = session.get(PulseRun, run.run_id)
    assert stored.message_ts == fake_slack.messages_in(PULSE_CHANNEL)[0]["ts"]


def test_a_person_slack_refuses_for_good_is_marked_failed_and_the_others_still_get_it(
    settings, client, sessions, fake_slack
):
    fake_slack.fail("chat.postMessage", "account_inactive")
    with freeze_time(NOW):
        open_run(client, sessions, settings=settings, survey_name="dm-pulse", now=NOW)
        Outbox(client, sessions).drain()

    rows = deliveries(sessions)
    failed = {user: row.error for user, row in rows.items() if row.status is DeliveryStatus.failed}
    assert failed == {sorted(TEAM)[0]: "account_inactive"}
    assert sum(row.status is DeliveryStatus.sent for row in rows.values()) == len(TEAM) - 1
    assert len(fake_slack.calls_to("chat.postMessage")) == len(TEAM)


def test_a_passing_refusal_is_tried_again_later_and_then_delivered_once(
    settings, client, sessions, fake_slack
):
    fake_slack.fail("chat.postMessage", "internal_error")
    with freeze_time(NOW):
        open_run(client, sessions, settings=settings, survey_name="dm-pulse", now=NOW)
        Outbox(client, sessions).drain()
    first = sorted(TEAM)[0]
    assert deliveries(sessions)[first].status is DeliveryStatus.pending
    assert deliveries(sessions)[first].error == "internal_error"

    with freeze_time(NOW + RETRY_AFTER):
        Outbox(client, sessions).drain()

    assert {d.status for d in deliveries(sessions).values()} == {DeliveryStatus.sent}
    delivered = [post["channel"] for post in fake_slack.calls_to("chat.postMessage")]
    assert sorted(delivered) == sorted([*TEAM, first])  # one refused attempt, then one DM each


def test_429s_are_waited_out_and_every_dm_arrives_once(settings, client, sessions, fake_slack):
    fake_slack.add_channel(PULSE_CHANNEL, [f"U{n:04d}" for n in range(30)])
    fake_slack.rate_limit("chat.postMessage", per_second=10)

    open_run(client, sessions, settings=settings, survey_name="dm-pulse", now=datetime.now(UTC))
    Outbox(client, sessions, workers=4).drain()  # unpaced: it runs into the limit

    assert fake_slack.calls_to("chat.postMessage:429"), "the limit was hit"
    delivered = [post["channel"] for post in fake_slack.calls_to("chat.postMessage")]
    assert sorted(delivered) == [f"U{n:04d}" for n in range(30)]
    assert {d.status for d in deliveries(sessions).values()} == {DeliveryStatus.sent}


def test_a_sender_that_read_a_channel_post_before_another_found_it_refused_does_not_post_it(
    settings, client, sessions, engine, monkeypatch
):
    if engine.dialect.name == "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED keeps the second sender from reading the row at all")
    with freeze_time(NOW):
        run = open_run(client, sessions, settings=settings, survey_name="channel-pulse", now=NOW)
    real_update = outbox_service.update

    def another_sender_gets_there_first(table):
        # This sender has read the run as waiting; meanwhile another claims it and Slack refuses it.
        monkeypatch.setattr(outbox_service, "update", real_update)
        with transaction(sessions) as other:
            assert outbox_service.claim_channel_post(other, now=NOW) is not None
        with transaction(sessions) as other:
            outbox_service.mark_run_failed(other, run_id=run.run_id, error="not_in_channel")
        return real_update(table)

    monkeypatch.setattr(outbox_service, "update", another_sender_gets_there_first)
    with transaction(sessions) as session:
        assert outbox_service.claim_channel_post(session, now=NOW) is None
