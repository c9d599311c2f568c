"""The mixing window: a click is acknowledged at once, saved with the others of its window in one
shuffled batch, and thanked for only once that batch is stored."""

from __future__ import annotations

import time

from sqlmodel import select

from pulsebot.services.pulse.answer_mixer import AnswerMixer
from pulsebot.store.models import Answer
from tests.conftest import SIGNING_SECRET, serving_app
from tests.crowd import CROWD, Crowd
from tests.slack_requests import SlackRequests


def stored_values(sessions) -> list[int]:
    with sessions() as session:
        return sorted(answer.value for answer in session.exec(select(Answer)))


def test_answers_wait_for_their_window_and_are_thanked_once_stored(crowd: Crowd, fake_slack, sessions):
    for person, value in zip(CROWD[:3], (6, 7, 8), strict=True):
        crowd.click(person, 1, value)
    crowd.wait_pending(3)

    assert stored_values(sessions) == []
    assert fake_slack.calls_to("response_url") == []  # not thanked for what is not saved yet

    assert crowd.mixer.flush() == 3
    thanks = fake_slack.wait_for("response_url", 3)
    assert stored_values(sessions) == [6, 7, 8]
    assert all(reply["text"].startswith("Thanks, recorded") for reply in thanks)


def test_two_clicks_of_one_person_in_one_window_keep_the_last(crowd: Crowd, fake_slack, sessions):
    crowd.click(CROWD[0], 1, 3)
    crowd.wait_pending(1)
    crowd.click(CROWD[0], 1, 9)
    crowd.wait_pending(2)
    crowd.mixer.flush()

    first, second = (reply["text"] for reply in fake_slack.wait_for("response_url", 2))
    assert first.startswith("Thanks, recorded *3*") and second.startswith("Changed your answer to *9*")
    assert stored_values(sessions) == [9]


def test_a_window_of_changed_answers_and_a_first_one_stores_every_one(crowd: Crowd, fake_slack, sessions):
    """A batch is written in random order: the first answer of the twelfth person, among eleven changed
    ones read back from the database, is stored whichever of them comes first."""
    for person in CROWD[:11]:
        crowd.click(person, 1, 6)
    crowd.wait_pending(11)
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", 11)

    for person in CROWD:
        crowd.click(person, 1, 8)
    crowd.wait_pending(12)

    assert crowd.mixer.flush() == 12
    assert len(fake_slack.wait_for("response_url", 23)) == 23
    assert stored_values(sessions) == [8] * 12


def test_a_comment_closes_its_form_at_once_and_is_thanked_by_dm_once_saved(
    crowd: Crowd, fake_slack, sessions
):
    crowd.comment(CROWD[1], "The new rota helps.")
    crowd.wait_pending(1)
    assert fake_slack.calls_to("chat.postMessage") == []

    crowd.mixer.flush()

    (thanks,) = fake_slack.wait_for("chat.postMessage")
    assert thanks["channel"] == CROWD[1] and "your comment" in thanks["text"]
    with sessions() as session:
        assert [answer.comment for answer in session.exec(select(Answer))] == ["The new rota helps."]


def test_stopping_pulsebot_writes_the_answers_still_in_their_window(crowd: Crowd, fake_slack, sessions):
    crowd.click(CROWD[2], 1, 10)
    crowd.wait_pending(1)

    crowd.mixer.stop()  # what `pulsebot run` does on SIGTERM

    fake_slack.wait_for("response_url")
    assert stored_values(sessions) == [10]


def test_a_window_closes_by_itself(settings, sessions, engine, client, sender, fake_slack, crowd: Crowd):
    mixer = AnswerMixer(sessions, window=0.2)
    with serving_app(settings, sessions, engine, client=client, sender=sender, mixer=mixer) as url:
        own = Crowd(
            SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url()), mixer, crowd.run
        )
        started = time.monotonic()
        own.click(CROWD[3], 1, 5)
        fake_slack.wait_for("response_url")
    assert stored_values(sessions) == [5]
    assert time.monotonic() - started < 5
