"""The reply-relay sweep delivers each anonymous reply once, when its delay is over: two schedulers at
once send it once, a relay that died leaves its claim to lapse (and what it had sent is found in Slack,
not sent again), and a reply whose author is gone is set aside without anyone being told."""

import threading
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.idea import ideas
from pulsebot.services.reply import conversations, relay, reply_subjects
from pulsebot.store.db import transaction
from pulsebot.store.models import ConversationMessage
from tests.conftest import ANON_KEY, MANAGER, TEAM
from tests.reply_steps import relay_at
from tests.scheduling.conftest import ProcessDied, fail_once, utc

NOW = utc(2027, 3, 23, 9)
KEY = ANON_KEY.encode()


pytestmark = pytest.mark.usefixtures("jobs_runtime")  # the reply-relay sweep runs in the tests


def replies_to_an_idea(sessions, *, author: str, anonymous: bool, count: int) -> None:
    """The manager writes `count` replies to the author of a new idea, at NOW."""
    with transaction(sessions) as session:
        idea = ideas.post_idea(
            session, text="Refunds in one click", user_id=author, key=KEY, now=NOW, anonymous=anonymous
        )
        subject = reply_subjects.idea_subject(session, idea_id=idea.id)
        for number in range(count):
            conversations.start(
                session,
                subject=subject,
                manager_user_id=MANAGER,
                text=f"Reply {number}",
                now=NOW,
                delay=timedelta(minutes=5),
            )


def messages(sessions) -> list[ConversationMessage]:
    with sessions() as session:
        return list(session.exec(select(ConversationMessage).order_by(ConversationMessage.seq)))


def test_two_schedulers_at_once_relay_each_reply_once(sessions, fake_slack):
    replies_to_an_idea(sessions, author=TEAM[0], anonymous=True, count=6)
    fake_slack.latency = 0.02  # so the two sweeps overlap
    start = threading.Barrier(2)

    def sweep() -> None:
        start.wait()
        scheduling.relay_replies()

    with freeze_time(NOW + timedelta(minutes=6)):
        sweeps = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in sweeps:
            thread.start()
        for thread in sweeps:
            thread.join()

    posts = [post["text"] for post in fake_slack.calls_to("chat.postMessage")]
    assert sorted(text.rsplit(": ", 1)[1] for text in posts) == [f"Reply {n}" for n in range(6)]
    assert all(message.delivered_at is not None for message in messages(sessions))


def test_a_claim_left_by_a_relay_that_died_lapses(sessions, fake_slack, settings):
    replies_to_an_idea(sessions, author=TEAM[0], anonymous=False, count=1)
    with transaction(sessions) as session:  # a relay claims the reply and dies before posting it
        claimed = relay.claim_due(session, now=NOW + timedelta(minutes=6), claim_for=timedelta(minutes=5))

    relay_at(NOW + timedelta(minutes=7))
    assert len(claimed) == 1 and fake_slack.calls_to("chat.postMessage") == []
    relay_at(NOW + timedelta(minutes=12))
    assert [post["channel"] for post in fake_slack.calls_to("chat.postMessage")] == [TEAM[0]]
    relay_at(NOW + timedelta(minutes=30))
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_slack_refusing_for_a_moment_is_tried_again_after_the_claim(sessions, fake_slack):
    replies_to_an_idea(sessions, author=TEAM[0], anonymous=False, count=1)
    fake_slack.fail("chat.postMessage", "internal_error")

    relay_at(NOW + timedelta(minutes=6))
    relay_at(NOW + timedelta(minutes=7))
    assert messages(sessions)[0].delivered_at is None
    relay_at(NOW + timedelta(minutes=12))
    assert messages(sessions)[0].delivered_at is not None


def test_the_reply_to_an_author_who_left_is_set_aside_and_no_one_is_told(sessions, fake_slack):
    replies_to_an_idea(sessions, author=TEAM[0], anonymous=True, count=1)
    fake_slack.add_user(TEAM[0], deleted=True)

    relay_at(NOW + timedelta(minutes=11))
    relay_at(NOW + timedelta(minutes=30))

    assert fake_slack.calls_to("chat.postMessage") == []
    (message,) = messages(sessions)
    assert (message.delivered_at, message.error) == (None, "author not found")


def test_a_reply_slack_took_before_its_relay_died_is_found_there_not_sent_again(
    sessions, fake_slack, monkeypatch
):
    replies_to_an_idea(sessions, author=TEAM[0], anonymous=True, count=1)
    fail_once(monkeypatch, relay, "mark_delivered", ProcessDied)
    with pytest.raises(ProcessDied):
        relay_at(NOW + timedelta(minutes=6))
    (first,) = fake_slack.calls_to("chat.postMessage")
    conversation_id = messages(sessions)[0].conversation_id
    assert first["metadata"]["event_payload"] == {"conversation": conversation_id, "seq": 1}

    relay_at(NOW + timedelta(minutes=12))  # the dead relay's claim has lapsed: look before sending

    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert [call["channel"] for call in fake_slack.calls_to("conversations.history")] == ["D" + TEAM[0][1:]]
    assert messages(sessions)[0].delivered_at is not None
    relay_at(NOW + timedelta(minutes=30))
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
