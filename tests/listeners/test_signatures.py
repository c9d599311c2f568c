"""Only requests signed by Slack, recently, reach the app: anything else gets 401 and stores nothing."""

import time

from sqlmodel import select

from pulsebot.store.models import Idea
from tests.conftest import TEAM


def test_a_wrong_signature_gets_401_and_stores_nothing(slack, fake_slack, sessions):
    body = slack.command_body("/idea", "Forged idea", user=TEAM[0])

    reply = slack.post(body, signature="v0=" + "0" * 64)

    assert reply.status == 401
    with sessions() as session:
        assert session.exec(select(Idea)).all() == []
    assert fake_slack.calls == []


def test_a_stale_signature_gets_401_and_stores_nothing(slack, fake_slack, sessions):
    body = slack.command_body("/idea", "Replayed idea", user=TEAM[0])

    reply = slack.post(body, timestamp=int(time.time()) - 6 * 60)  # correctly signed, but 6 minutes old

    assert reply.status == 401
    with sessions() as session:
        assert session.exec(select(Idea)).all() == []


def test_a_body_changed_after_signing_gets_401(slack, sessions):
    stamp = int(time.time())
    signature = slack.verifier.generate_signature(
        timestamp=str(stamp), body=slack.command_body("/idea", "original", user=TEAM[0])
    )

    reply = slack.post(
        slack.command_body("/idea", "tampered", user=TEAM[0]), timestamp=stamp, signature=signature
    )

    assert reply.status == 401
    with sessions() as session:
        assert session.exec(select(Idea)).all() == []
