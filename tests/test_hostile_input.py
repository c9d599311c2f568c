"""Hostile and broken input at the HTTP endpoint: a refusal or an escape, never a traceback.

Every payload here is correctly signed, so it gets past verification and reaches the listeners.
"""

import json
from urllib.parse import quote_plus, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from pulsebot.store.models import Answer, Idea, Vote
from tests.conftest import TEAM
from tests.pulse_steps import answer_button

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=3000)
VIEWS = ["reply_view", "idea_new_view", "idea_decline_view", "pulse_comment_view", "pulse_survey_form"]
IDS = st.one_of(
    st.integers(-5, 10**12).map(str), ANY_TEXT.filter(lambda t: len(t) < 40), st.sampled_from(VIEWS)
)
ACTION_IDS = st.sampled_from(
    [
        "pulse_answer_1_3",
        "pulse_comment_1",
        "idea_vote",
        "reply_comment",
        "reply_idea",
        "reply_manager",
        "reply_author",
        "conversation_close",
        "forget_me_confirm",
        "forget_me_cancel",
        "no_such_action",
        "",
    ]
)
HOSTILE = settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


RESPONSE_URL = "http://response.url.placeholder/"  # swapped for the fake Slack's at send time


def interaction(kind: str, action_id: str, value: str, user: str, extra: dict) -> str:
    payload = {
        "type": kind,
        "team": {"id": "T0ACME"},
        "user": {"id": user},
        "api_app_id": "A0PULSE",
        "trigger_id": "t.1",
        "response_url": RESPONSE_URL,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
        "view": {"callback_id": value, "private_metadata": value, "state": {"values": extra}},
        **extra,
    }
    return urlencode({"payload": json.dumps(payload)})


bodies = st.one_of(
    st.builds(
        lambda command, text, user: urlencode(
            {"command": command, "text": text, "user_id": user, "trigger_id": "t"}
        ),
        st.sampled_from(["/idea", "/pulse", "/nope"]),
        ANY_TEXT,
        st.sampled_from([*TEAM, "", "U" * 40]),
    ),
    st.builds(
        interaction,
        st.sampled_from(["block_actions", "view_submission", "shortcut", "mystery"]),
        ACTION_IDS,
        IDS,
        st.sampled_from([*TEAM, ""]),
        st.dictionaries(st.sampled_from(["text", "comment", "channel", "message"]), st.just({}), max_size=2),
    ),
    st.builds(lambda raw: raw, ANY_TEXT),  # not even form-encoded
    st.builds(lambda raw: urlencode({"payload": raw}), ANY_TEXT),  # a payload that is not JSON
)


@HOSTILE
@given(body=bodies)
def test_malformed_payloads_get_an_answer_but_never_a_traceback(
    slack, fake_slack, sessions, sent_pulse, body
):
    reply = slack.post(body.replace(quote_plus(RESPONSE_URL), quote_plus(fake_slack.response_url())))

    # 401 too: a body generated twice is the same signed request sent again, i.e. a replay.
    assert reply.status in (200, 400, 401, 404), (reply.status, body[:200])
    assert "Traceback" not in reply.body and 'File "' not in reply.body


def test_control_characters_and_mentions_in_an_idea_are_stored_whole_and_shown_inert(
    slack, fake_slack, sessions
):
    slack.command("/idea", "\x00\x1b[31m<!here> " + "\u202e" * 10 + "é" * 900, user=TEAM[0])
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert "<!here>" not in json.dumps(post["blocks"])

    with sessions() as session:
        assert session.exec(select(Answer)).all() == []
        assert session.exec(select(Vote)).all() == []
        assert len(session.exec(select(Idea)).all()) == 1


def test_a_click_on_a_run_that_does_not_exist_is_refused_and_stores_nothing(
    slack, fake_slack, sessions, sent_pulse
):
    button = answer_button(sent_pulse, 4)
    button["value"] = f"{sent_pulse.run_id + 41}:{sent_pulse.questions[0].id}:4"

    slack.click(**button, user=TEAM[0])

    assert "no longer exists" in fake_slack.wait_for("response_url")[0]["text"]
    with sessions() as session:
        assert session.exec(select(Answer)).all() == []


def test_a_click_naming_a_question_of_another_pulse_is_refused(slack, fake_slack, sessions, sent_pulse):
    button = answer_button(sent_pulse, 4)
    button["value"] = f"{sent_pulse.run_id}:{sent_pulse.questions[0].id + 7}:4"

    slack.click(**button, user=TEAM[0])

    assert "not part of this pulse" in fake_slack.wait_for("response_url")[0]["text"]
    with sessions() as session:
        assert session.exec(select(Answer)).all() == []


def test_a_huge_idea_is_refused_with_an_echo_slack_can_show(slack, fake_slack, sessions):
    text = "<!channel> " + "word " * 20_000

    reply = slack.command("/idea", text, user=TEAM[0])

    assert reply.status == 200
    assert "the limit is 1,000" in reply.text
    assert len(reply.text) < 4000 and "cut here: the first 3,500 of 100,010 characters" in reply.text
    assert "<!channel>" not in reply.text  # the echo is escaped too
    with sessions() as session:
        assert session.exec(select(Idea)).all() == []
