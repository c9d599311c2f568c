"""Anonymous replies to an idea's author, from the idea card: managers only, and for an anonymous idea
the manager never learns who posted it."""

import json

import pytest

from pulsebot.services.privacy.anonymity import token
from tests.conftest import ANON_KEY, MANAGER, TEAM
from tests.idea_steps import post_idea
from tests.reply_steps import (
    button,
    dms_to,
    open_form,
    refused_click,
    relay_after,
    relayed_to,
    send,
    sent_to_anyone_but,
)
from tests.reply_steps import stored_conversations as stored

AUTHOR = TEAM[0]


pytestmark = pytest.mark.usefixtures("jobs_runtime")  # the reply-relay sweep runs in the tests


def card_button(fake_slack) -> dict:
    card = fake_slack.calls_to("chat.postMessage")[0]
    return card["blocks"][2]["elements"][2]


def test_the_card_has_a_reply_button_that_only_managers_may_use(slack, fake_slack):
    post_idea(slack, fake_slack, "Refunds in one click", user=AUTHOR, anonymous=True)

    reply = card_button(fake_slack)
    assert (reply["action_id"], reply["value"], reply["text"]["text"]) == (
        "reply_idea",
        "1",
        "Reply anonymously to the author",
    )
    assert refused_click(slack, fake_slack, action_id="reply_idea", value="1", user=TEAM[1]) == (
        "Only managers can reply to the author of an idea."
    )
    assert refused_click(slack, fake_slack, action_id="reply_idea", value="7", user=MANAGER) == (
        "There is no idea #7."
    )


def test_a_manager_and_an_anonymous_idea_s_author_write_back_and_forth(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click <!here>", user=AUTHOR, anonymous=True)
    fake_slack.reset_calls()

    form = open_form(slack, fake_slack, action_id="reply_idea", value="1", user=MANAGER)
    assert "To the author of idea #1" in json.dumps(form)
    send(slack, form, "Love it. Which refunds hurt most?", user=MANAGER)
    relay_after(1)
    assert dms_to(fake_slack, AUTHOR) == []
    relay_after(11)
    (to_author,) = dms_to(fake_slack, AUTHOR)
    blocks = json.dumps(to_author["blocks"])
    assert f"<@{MANAGER}> replied to your anonymous idea #1" in blocks
    assert "Refunds in one click &lt;!here&gt;" in blocks and "Which refunds hurt most?" in blocks
    assert "Your identity was not shared" in blocks

    form = open_form(
        slack, fake_slack, action_id="reply_author", value=button(to_author, "reply_author"), user=AUTHOR
    )
    send(slack, form, "Card payments, mostly.", user=AUTHOR)
    relay_after(11)
    (to_manager,) = dms_to(fake_slack, MANAGER)
    assert "The author of idea #1 answered" in json.dumps(to_manager["blocks"])
    assert "Card payments, mostly." in json.dumps(to_manager["blocks"])

    form = open_form(
        slack, fake_slack, action_id="reply_manager", value=button(to_manager, "reply_manager"), user=MANAGER
    )
    send(slack, form, "Planned for Q3.", user=MANAGER)
    relay_after(11)
    assert "Planned for Q3." in json.dumps(dms_to(fake_slack, AUTHOR)[1]["blocks"])

    secrets = (AUTHOR, token(ANON_KEY.encode(), "idea-author", AUTHOR))
    assert not any(secret in sent_to_anyone_but(fake_slack, AUTHOR) for secret in secrets)
    assert not any(secret in json.dumps(stored(sessions)) for secret in secrets)


def test_a_named_idea_s_author_is_told_plainly_that_the_manager_knows_it_is_theirs(slack, fake_slack):
    post_idea(slack, fake_slack, "A status page for outages", user=AUTHOR)

    form = open_form(slack, fake_slack, action_id="reply_idea", value="1", user=MANAGER)
    send(slack, form, "Good one: can you join the planning call?", user=MANAGER)
    relay_after(11)

    (to_author,) = relayed_to(fake_slack, AUTHOR)
    blocks = json.dumps(to_author["blocks"])
    assert f"<@{MANAGER}> replied to your idea #1" in blocks
    assert "You posted this idea under your name" in blocks and "identity was not shared" not in blocks


def test_a_closed_idea_conversation_refuses_the_manager_politely(slack, fake_slack):
    post_idea(slack, fake_slack, "Refunds in one click", user=AUTHOR, anonymous=True)
    form = open_form(slack, fake_slack, action_id="reply_idea", value="1", user=MANAGER)
    send(slack, form, "Tell me more?", user=MANAGER)
    relay_after(11)
    (to_author,) = relayed_to(fake_slack, AUTHOR)

    refused_click(
        slack,
        fake_slack,
        action_id="conversation_close",
        value=button(to_author, "conversation_close"),
        user=AUTHOR,
    )

    refusal = "The author closed this conversation, so nothing more can be sent in it."
    assert refused_click(slack, fake_slack, action_id="reply_idea", value="1", user=MANAGER) == refusal
    assert send(slack, form, "Anyone?", user=MANAGER).json["errors"] == {"reply": refusal}
