"""`/pulse send` answers at once; the pulse's messages go out through the outbox after the ack."""

from datetime import UTC, datetime

from sqlmodel import select

from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery, DeliveryStatus
from tests.conftest import ADMIN, PULSE_CHANNEL, TEAM
from tests.test_run import wait_until

SURVEY = f"""\
name: dm-pulse
title: Friday <check-in>
channel: {PULSE_CHANNEL}
delivery: dm
questions: [{{key: enps, kind: enps}}]
"""


def test_a_dm_pulse_sent_by_hand_goes_out_through_the_outbox_once_each(slack, fake_slack, sessions):
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(SURVEY, source="s.yml")[0], now=datetime.now(UTC))

    reply = slack.command("/pulse", "send dm-pulse", user=ADMIN)

    assert reply.text == "Sending “dm-pulse” now…"
    assert fake_slack.wait_for("response_url")[0]["text"] == (
        f"Sending “Friday &lt;check-in&gt;” by DM to the 5 people in <#{PULSE_CHANNEL}> now: "
        "at Slack's pace that takes under a minute."
    )
    posts = fake_slack.wait_for("chat.postMessage", len(TEAM))
    assert sorted(post["channel"] for post in posts) == sorted(TEAM)
    wait_until(lambda: statuses(sessions) == {DeliveryStatus.sent})  # each one recorded once it is out


def statuses(sessions) -> set[DeliveryStatus]:
    with sessions() as session:
        return set(session.exec(select(Delivery.status)))
