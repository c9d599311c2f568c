"""Pacing: posts are spaced at PULSEBOT_SEND_RATE; a 429 holds every sender back and lowers the pace once,
however many senders hit it at the same moment; a paced fan-out into Slack's limit loses and doubles
nothing."""

import collections
from datetime import UTC, datetime

from sqlmodel import select

from pulsebot.slack.outbox import Outbox
from pulsebot.slack.pacing import Pacer
from pulsebot.slack.publish import open_run
from pulsebot.store.models import Delivery, DeliveryStatus
from tests.conftest import PULSE_CHANNEL
from tests.scheduling.conftest import apply


def test_a_crowd_of_429s_lowers_the_pace_once_and_then_it_creeps_back():
    pacer = Pacer(rate=40)

    for _ in range(4):  # four sender threads told "429" at the same moment
        pacer.hold(0.01)
    assert pacer.rate == 40 * Pacer.BACK_OFF

    for _ in range(int(pacer.rate * Pacer.RECOVER_AFTER) + 1):  # ten seconds' worth of clean posts
        pacer._clean += 1
    pacer.wait()
    assert 40 * Pacer.BACK_OFF < pacer.rate <= 40


def test_the_pace_never_falls_below_a_quarter_of_the_rate():
    pacer = Pacer(rate=40)
    for _ in range(100):
        pacer._held_until = 0.0  # each 429 in a moment of its own
        pacer.hold(0.0)

    assert pacer.rate == 40 * Pacer.FLOOR


def test_a_paced_fan_out_into_slacks_limit_arrives_once_each(client, sessions, settings, fake_slack):
    people = [f"U{n:04d}" for n in range(60)]
    fake_slack.add_channel(PULSE_CHANNEL, people)
    fake_slack.rate_limit("chat.postMessage", per_second=20)
    fake_slack.throttle("chat.postMessage", times=1)  # and one 429 of Slack's own accord
    apply(
        sessions, f"name: dm\nchannel: {PULSE_CHANNEL}\ndelivery: dm\nquestions: [{{key: e, kind: enps}}]\n"
    )
    run = open_run(client, sessions, settings=settings, survey_name="dm", now=datetime.now(UTC))

    outbox = Outbox(client, sessions, rate=20, workers=4)
    outbox.drain(run_id=run.run_id)

    per_person = collections.Counter(post["channel"] for post in fake_slack.calls_to("chat.postMessage"))
    assert per_person == dict.fromkeys(people, 1)
    assert outbox.pacer.rate < 20  # it slowed down after the 429
    with sessions() as session:
        assert set(session.exec(select(Delivery.status))) == {DeliveryStatus.sent}
