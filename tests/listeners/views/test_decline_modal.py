"""The decline modal: the reason is required (a field error otherwise) and reaches the card and the author."""

import json

from sqlmodel import select

from pulsebot.store.models import Idea, IdeaStatus
from tests.conftest import IDEAS_CHANNEL, MANAGER, TEAM
from tests.idea_steps import post_idea


def decline(slack, reason: str | None, *, user: str = MANAGER, idea: int = 1):
    return slack.submit(
        callback_id="idea_decline_view",
        user=user,
        private_metadata=json.dumps({"idea": idea, "channel": IDEAS_CHANNEL}),
        values={"reason": {"value": {"type": "plain_text_input", "value": reason}}},
    )


def test_an_empty_reason_is_a_field_error_and_nothing_changes(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    for reason in (None, "   "):
        reply = decline(slack, reason)
        assert reply.json["response_action"] == "errors"
        assert "needs a reason its author can read" in reply.json["errors"]["reason"]

    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is IdeaStatus.new
    assert fake_slack.calls_to("chat.update") == []


def test_a_declined_idea_shows_its_reason_and_its_anonymous_author_is_told(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0], anonymous=True)
    fake_slack.reset_calls()

    reply = decline(slack, "Our payment provider can't <@U123> & won't")

    assert reply.status == 200 and reply.body == ""
    card = fake_slack.wait_for("chat.update")[0]
    assert "*Why it was declined:* Our payment provider can't &lt;@U123&gt; &amp; won't" in str(
        card["blocks"]
    )
    notice = fake_slack.wait_for("chat.postMessage")[0]
    assert notice["channel"] == TEAM[0]
    assert "Your anonymous idea #1 was moved to *Declined*" in notice["text"]
    told = fake_slack.wait_for("chat.postEphemeral")[0]
    assert (told["channel"], told["user"]) == (IDEAS_CHANNEL, MANAGER)
    assert (
        told["text"] == "#1 is now *Declined*. If its author is still in the workspace, they were told by DM."
    )
    with sessions() as session:
        idea = session.exec(select(Idea)).one()
        assert (idea.status, idea.author_id) == (IdeaStatus.declined, None)


def test_only_managers_can_decline_even_through_the_modal(slack, fake_slack, sessions):
    post_idea(slack, fake_slack, "Refunds in one click", user=TEAM[0])

    reply = decline(slack, "Because I say so", user=TEAM[2])

    assert "Only managers and admins" in reply.json["errors"]["reason"]
    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is IdeaStatus.new
