"""The DM outbox: a row is claimed before its DM goes out, so two senders never send it twice,
and a claim left by a sender that died lapses so the row is still sent."""

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.pulse.outbox import CLAIM_FOR, claim_due_delivery
from pulsebot.services.pulse.pulses import open_pulse_run
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery, DeliveryStatus
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.scheduling.conftest import apply, utc

NOW = utc(2027, 3, 23, 9)

SURVEY = f"""\
name: dm-pulse
channel: {PULSE_CHANNEL}
delivery: dm
questions: [{{key: enps, kind: enps}}]
"""


@pytest.fixture
def run(sessions):
    apply(sessions, SURVEY)
    with transaction(sessions) as session:
        return open_pulse_run(session, survey_name="dm-pulse", audience=TEAM, now=NOW, min_group=5)


def test_two_senders_never_claim_the_same_row(sessions, run):
    claimed = []
    for _ in TEAM:
        with transaction(sessions) as session:
            claimed.append(claim_due_delivery(session, now=NOW).user_id)
    with transaction(sessions) as session:
        assert claim_due_delivery(session, now=NOW) is None

    assert sorted(claimed) == sorted(TEAM)


@pytest.mark.usefixtures("runtime")
def test_a_row_claimed_by_a_sender_that_died_is_sent_once_its_claim_lapses(sessions, run, fake_slack):
    with transaction(sessions) as session:
        stuck = claim_due_delivery(session, now=NOW)  # ...and its sender never comes back

    with freeze_time(NOW):
        scheduling.deliver_due_pulses()
    first = sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage"))
    with freeze_time(NOW + CLAIM_FOR):
        scheduling.deliver_due_pulses()

    assert first == sorted(user for user in TEAM if user != stuck.user_id)
    assert fake_slack.calls_to("chat.postMessage")[-1]["channel"] == stuck.user_id
    assert len(fake_slack.calls_to("chat.postMessage")) == len(TEAM)
    with sessions() as session:
        deliveries = session.exec(select(Delivery)).all()
    assert {d.status for d in deliveries} == {DeliveryStatus.sent}
    assert {d.claimed_until for d in deliveries} == {None}
