"""Slack's retries are acknowledged and not handled again, on whichever replica they land; the same
signed request sent again without Slack's retry header is a replay and gets 401. Nothing is doubled:
one answer, one vote (a vote is a toggle, so a second handling would take it back), one idea."""

import logging

import pytest
from sqlmodel import select

from pulsebot.store.models import Answer, Idea, SeenRequest, Vote
from tests.conftest import TEAM
from tests.pulse_steps import click_answer

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@pytest.fixture(autouse=True)
def info_logs(caplog):
    caplog.set_level(logging.INFO, logger="pulsebot")
    return caplog


def acknowledged_only(caplog) -> int:
    return sum("not handled again" in record.getMessage() for record in caplog.records)


def test_a_retried_answer_click_writes_the_same_answer_again_and_leaves_no_trace(
    slack, fake_slack, sessions, sent_pulse, caplog
):
    click_answer(slack, sent_pulse, TEAM[0], 4)
    fake_slack.wait_for("response_url")

    retry = slack.post(slack.last_body, headers=RETRY)

    # An answer is an upsert by the person's token: handled again, it changes nothing, so it needs no
    # record of the click, which would sit beside the answers in the order they were written.
    assert retry.status == 200
    assert acknowledged_only(caplog) == 0
    first, again = (reply["text"] for reply in fake_slack.wait_for("response_url", 2))
    assert again == first and first.startswith("Thanks, recorded *4*")  # nothing changed, so not "Changed"
    with sessions() as session:
        assert [answer.value for answer in session.exec(select(Answer))] == [4]
        assert session.exec(select(SeenRequest)).all() == []


def test_a_retried_vote_counts_once_instead_of_taking_itself_back(slack, fake_slack, sessions, caplog):
    slack.command("/idea", "Live chat on weekends", user=TEAM[0])
    fake_slack.wait_for("response_url")
    slack.click(action_id="idea_vote", value="1", user=TEAM[1])
    fake_slack.wait_for("chat.update")

    retry = slack.post(slack.last_body, headers=RETRY)

    assert retry.status == 200
    assert acknowledged_only(caplog) == 1
    slack.click(action_id="idea_vote", value="1", user=TEAM[2])
    fake_slack.wait_for("chat.update", 2)
    with sessions() as session:
        assert len(session.exec(select(Vote)).all()) == 2  # Bob's and Carol's: Bob's was not toggled off


def test_a_retried_idea_command_posts_one_idea(slack, fake_slack, sessions, caplog):
    slack.command("/idea", "Refunds in one click", user=TEAM[0])
    fake_slack.wait_for("response_url")

    retry = slack.post(slack.last_body, headers=RETRY)

    assert (retry.status, retry.body) == (200, "")
    assert acknowledged_only(caplog) == 1
    with sessions() as session:
        assert [idea.text for idea in session.exec(select(Idea))] == ["Refunds in one click"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_retried_event_is_handled_once(slack, fake_slack, caplog):
    home = {"type": "app_home_opened", "user": TEAM[0], "channel": "D0ALICE", "tab": "home"}
    slack.event(home, event_id="Ev0RETRIED")
    fake_slack.wait_for("views.publish")

    retry = slack.event(home, event_id="Ev0RETRIED", headers=RETRY)

    assert retry.status == 200
    assert acknowledged_only(caplog) == 1
    slack.event({**home, "user": TEAM[1]})
    assert [call["user_id"] for call in fake_slack.wait_for("views.publish", 2)] == [TEAM[0], TEAM[1]]


def test_the_same_signed_request_replayed_gets_401_and_changes_nothing(slack, fake_slack, sessions):
    slack.command("/idea", "Refunds in one click", user=TEAM[0])
    fake_slack.wait_for("response_url")
    slack.click(action_id="idea_vote", value="1", user=TEAM[1])
    fake_slack.wait_for("chat.update")

    replayed_vote = slack.post(slack.last_body)  # fresh timestamp and signature, same body

    assert replayed_vote.status == 401
    with sessions() as session:
        assert len(session.exec(select(Vote)).all()) == 1
        assert len(session.exec(select(Idea)).all()) == 1


def test_a_second_real_click_is_a_new_request(slack, fake_slack, sessions):
    slack.command("/idea", "Refunds in one click", user=TEAM[0])
    fake_slack.wait_for("response_url")

    slack.click(action_id="idea_vote", value="1", user=TEAM[1])
    fake_slack.wait_for("chat.update")
    slack.click(action_id="idea_vote", value="1", user=TEAM[1])  # a new click: a new action_ts
    fake_slack.wait_for("chat.update", 2)

    with sessions() as session:
        assert session.exec(select(Vote)).all() == []  # voted, then took it back


def test_a_retried_idea_form_posts_one_idea(slack, fake_slack, sessions, caplog):
    values = {
        "text": {"value": {"value": "Send order updates by SMS"}},
        "category": {"value": {"selected_option": {"value": "product"}}},
        "stage": {"value": {"selected_option": None}},
        "anonymous": {"value": {"selected_options": []}},
    }
    slack.submit(callback_id="idea_new_view", values=values, user=TEAM[0])
    fake_slack.wait_for("chat.postMessage", 2)  # the card, and the note to its author

    retry = slack.post(slack.last_body, headers=RETRY)

    assert (retry.status, retry.body) == (200, "")
    assert acknowledged_only(caplog) == 1
    with sessions() as session:
        assert [idea.text for idea in session.exec(select(Idea))] == ["Send order updates by SMS"]
