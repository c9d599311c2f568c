"""Anonymous replies to a digest comment: the manager writes to its author through the bot, a few minutes
late, the author answers back or closes the conversation, and the manager never learns who it is."""

import json

import pytest
from sqlmodel import select

from pulsebot.services.pulse.answer_keys import respondent_token
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer
from tests.conftest import ADMIN, ANON_KEY
from tests.reply_steps import (
    AUTHORS,
    FINE,
    HEAVY,
    button,
    digest_with_comments,
    dms_to,
    has_button,
    open_form,
    refused_click,
    relay_after,
    send,
    sent_to_anyone_but,
    stored_conversations,
)

BOSS = "U0BOSS"
AUTHOR = AUTHORS[0]


pytestmark = pytest.mark.usefixtures("jobs_runtime")  # the reply-relay sweep runs in the tests


@pytest.fixture
def refs(sessions, client, fake_slack, settings):
    found = digest_with_comments(sessions, client, fake_slack, settings, manager=BOSS)
    fake_slack.reset_calls()
    return found


def heavy_ref(refs: dict[str, str]) -> str:
    return next(ref for text, ref in refs.items() if "heavy" in text)


def test_each_quoted_comment_gets_its_own_reference_which_gives_nothing_away(refs, sessions):
    assert len(refs) == 2 and any("&lt;!channel&gt;" in text for text in refs)  # escaped when quoted
    with sessions() as session:
        (comment,) = session.exec(select(Answer).where(Answer.comment == HEAVY)).all()
        respondent = respondent_token(session, key=ANON_KEY.encode(), run_id=comment.run_id, user_id=AUTHOR)
    assert comment.respondent == respondent
    assert len(set(refs.values())) == 2
    assert not any(respondent in ref or AUTHOR in ref for ref in refs.values())


def test_a_reply_goes_back_and_forth_late_and_the_manager_never_learns_who(refs, slack, fake_slack, sessions):
    form = open_form(slack, fake_slack, action_id="reply_comment", value=heavy_ref(refs), user=BOSS)
    assert form["title"]["text"] == "Reply anonymously"
    assert "The workload is heavy &amp; &lt;!channel&gt; knows it." in json.dumps(form)

    sent = send(slack, form, "Thanks for saying so. What would help most?", user=BOSS)
    assert sent.json["response_action"] == "update"

    relay_after(1)  # the delay is 2 to 10 minutes: nothing yet
    assert dms_to(fake_slack, AUTHOR) == []
    relay_after(11)
    (to_author,) = dms_to(fake_slack, AUTHOR)
    text = json.dumps(to_author["blocks"])
    assert "Thanks for saying so. What would help most?" in text
    assert f"<@{BOSS}> replied to your anonymous comment" in text
    assert "Your identity was not shared" in text and "cannot see who you are" in text
    assert "The workload is heavy" in text

    form = open_form(
        slack, fake_slack, action_id="reply_author", value=button(to_author, "reply_author"), user=AUTHOR
    )
    assert "cannot see who you are" in json.dumps(form)
    send(slack, form, "More people on the support queue.", user=AUTHOR)
    relay_after(1)
    assert dms_to(fake_slack, BOSS) == []
    relay_after(11)
    (to_boss,) = dms_to(fake_slack, BOSS)
    assert "The author of a comment in *Weekly team pulse* answered" in json.dumps(to_boss["blocks"])
    assert "More people on the support queue." in json.dumps(to_boss["blocks"])

    form = open_form(
        slack, fake_slack, action_id="reply_manager", value=button(to_boss, "reply_manager"), user=BOSS
    )
    send(slack, form, "Two more people start next month.", user=BOSS)
    relay_after(11)
    first, second = dms_to(fake_slack, AUTHOR)
    assert "Two more people start next month." in json.dumps(second["blocks"])
    assert button(second, "reply_author") == button(first, "reply_author")  # one conversation

    with sessions() as session:
        run_id = session.exec(select(Answer)).first().run_id
        secrets = (AUTHOR, respondent_token(session, key=ANON_KEY.encode(), run_id=run_id, user_id=AUTHOR))
    manager_side = sent_to_anyone_but(fake_slack, AUTHOR)
    assert not any(secret in manager_side for secret in secrets)
    assert AUTHOR not in json.dumps(stored_conversations(sessions))
    assert [row["direction"] for row in stored_conversations(sessions) if "direction" in row] == [
        "to_author",
        "to_manager",
        "to_author",
    ]


def test_once_the_author_closes_it_neither_side_can_write(refs, slack, fake_slack):
    ref = heavy_ref(refs)
    form = open_form(slack, fake_slack, action_id="reply_comment", value=ref, user=BOSS)
    send(slack, form, "Can you tell me more?", user=BOSS)
    relay_after(11)
    (to_author,) = dms_to(fake_slack, AUTHOR)
    conversation = button(to_author, "conversation_close")
    answer_form = open_form(slack, fake_slack, action_id="reply_author", value=conversation, user=AUTHOR)

    closed = refused_click(slack, fake_slack, action_id="conversation_close", value=conversation, user=AUTHOR)
    assert closed.startswith("Conversation closed.") and "the manager hears so in a few minutes" in closed
    relay_after(1)  # told as late as a message would be, so the moment gives nothing away
    assert dms_to(fake_slack, BOSS) == []
    relay_after(11)
    (notice,) = dms_to(fake_slack, BOSS)
    assert notice["text"] == "The author of a comment in Weekly team pulse closed your conversation."
    assert "The workload is heavy" in json.dumps(notice["blocks"]) and not has_button(notice, "reply_manager")
    assert AUTHOR not in json.dumps(notice)

    refusal = "The author closed this conversation, so nothing more can be sent in it."
    assert send(slack, answer_form, "Sure, here goes", user=AUTHOR).json["errors"] == {"reply": refusal}
    assert (
        refused_click(slack, fake_slack, action_id="reply_author", value=conversation, user=AUTHOR) == refusal
    )
    assert refused_click(slack, fake_slack, action_id="reply_comment", value=ref, user=BOSS) == refusal
    assert send(slack, form, "Still there?", user=BOSS).json["errors"] == {"reply": refusal}
    refused_click(slack, fake_slack, action_id="conversation_close", value=conversation, user=AUTHOR)
    relay_after(30)
    assert len(dms_to(fake_slack, AUTHOR)) == 1
    assert len(dms_to(fake_slack, BOSS)) == 1  # closing twice tells the manager once


def test_a_message_already_on_its_way_arrives_without_buttons_once_closed(refs, slack, fake_slack):
    form = open_form(slack, fake_slack, action_id="reply_comment", value=heavy_ref(refs), user=BOSS)
    send(slack, form, "First", user=BOSS)
    relay_after(11)
    (first,) = dms_to(fake_slack, AUTHOR)
    send(slack, form, "Second", user=BOSS)  # the same comment again: the same conversation
    refused_click(
        slack, fake_slack, action_id="conversation_close", value=button(first, "reply_author"), user=AUTHOR
    )
    relay_after(11)
    _, second = dms_to(fake_slack, AUTHOR)
    assert "Second" in json.dumps(second["blocks"]) and not has_button(second, "reply_author")
    assert "You closed this conversation." in json.dumps(second["blocks"])


def test_only_those_who_get_the_team_s_digest_may_reply(refs, slack, fake_slack):
    ref = heavy_ref(refs)
    assert refused_click(slack, fake_slack, action_id="reply_comment", value=ref, user=AUTHORS[3]) == (
        "Only the managers who get this team's digest can reply to its comments."
    )
    assert open_form(slack, fake_slack, action_id="reply_comment", value=ref, user=ADMIN)["title"]["text"]
    assert refused_click(
        slack,
        fake_slack,
        action_id="reply_comment",
        value=ref[:-1] + ("1" if ref.endswith("0") else "0"),
        user=BOSS,
    ) == ("That comment is no longer there (it may have been taken back), so there is no one to reply to.")


def test_no_one_but_the_author_can_answer_or_close(refs, slack, fake_slack, sessions):
    form = open_form(slack, fake_slack, action_id="reply_comment", value=heavy_ref(refs), user=BOSS)
    send(slack, form, "Hello", user=BOSS)
    relay_after(11)
    (to_author,) = dms_to(fake_slack, AUTHOR)
    conversation = button(to_author, "reply_author")
    author_form = open_form(slack, fake_slack, action_id="reply_author", value=conversation, user=AUTHOR)

    for someone in (AUTHORS[1], BOSS):  # the author of the other comment, and the manager posing as author
        assert refused_click(
            slack, fake_slack, action_id="reply_author", value=conversation, user=someone
        ) == ("Only the author this conversation was meant for can answer here.")
        assert send(slack, author_form, "I am the author", user=someone).json["errors"] == {
            "reply": "Only the author this conversation was meant for can answer here."
        }
        refusal = refused_click(
            slack, fake_slack, action_id="conversation_close", value=conversation, user=someone
        )
        assert refusal == "Only the author this conversation was meant for can close it."
    assert refused_click(
        slack, fake_slack, action_id="reply_manager", value=conversation, user=AUTHORS[2]
    ) == ("Only the manager who started this conversation can reply here.")
    assert len([row for row in stored_conversations(sessions) if "direction" in row]) == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("   ", "Write something first: an empty reply is not sent."),
        ("x" * 2001, "A reply can be at most 2,000 characters; this one has 2,001."),
    ],
)
def test_an_empty_or_too_long_reply_is_a_field_error_and_nothing_is_stored(
    refs, slack, fake_slack, sessions, text, error
):
    form = open_form(slack, fake_slack, action_id="reply_comment", value=heavy_ref(refs), user=BOSS)

    assert send(slack, form, text, user=BOSS).json == {
        "response_action": "errors",
        "errors": {"reply": error},
    }
    assert stored_conversations(sessions) == []


def test_a_comment_taken_back_can_no_longer_be_answered(refs, slack, fake_slack, sessions):
    with transaction(sessions) as session:
        for answer in session.exec(select(Answer).where(Answer.comment == FINE)):
            answer.comment = None
    ref = next(ref for text, ref in refs.items() if "fine" in text)
    assert refused_click(slack, fake_slack, action_id="reply_comment", value=ref, user=BOSS).startswith(
        "That comment is no longer there"
    )


def test_help_and_privacy_explain_anonymous_replies(slack):
    help_text = slack.command("/pulse", "help", user=AUTHORS[0]).text
    privacy = slack.command("/pulse", "privacy", user=AUTHORS[0]).text

    assert "*Anonymous replies*" in help_text and "Reply anonymously to the author" in help_text
    assert "close the conversation" in help_text and "a few minutes late" in privacy
    assert "the manager never learns who you are" in privacy
