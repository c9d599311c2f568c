"""The idea modal: category, journey stage and anonymity; field errors keep the form open."""

from sqlmodel import select

from pulsebot.store.models import Idea
from tests.conftest import IDEAS_CHANNEL, TEAM


def modal_values(text: str, *, category="billing", stage="renewal", anonymous=False) -> dict:
    return {
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "category": {"value": {"type": "static_select", "selected_option": {"value": category}}},
        "stage": {"value": {"type": "static_select", "selected_option": {"value": stage} if stage else None}},
        "anonymous": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "yes"}] if anonymous else []}
        },
    }


def test_an_anonymous_idea_stores_no_author_and_its_card_names_no_one(slack, fake_slack, sessions):
    reply = slack.submit(
        callback_id="idea_new_view",
        values=modal_values("Invoices in the customer's language", anonymous=True),
        user=TEAM[0],
    )

    assert reply.status == 200 and reply.body == ""
    card = fake_slack.wait_for("chat.postMessage", 2)
    to_channel = next(call for call in card if call["channel"] == IDEAS_CHANNEL)
    assert "anonymous" in to_channel["blocks"][0]["text"]["text"]
    assert TEAM[0] not in str(to_channel)
    assert "category: billing · journey stage: renewal" in to_channel["blocks"][1]["elements"][0]["text"]
    with sessions() as session:
        idea = session.exec(select(Idea)).one()
        assert idea.author_id is None
        assert TEAM[0] not in repr(idea.model_dump())
        assert (idea.category, idea.stage) == ("billing", "renewal")


def test_an_empty_idea_gets_a_field_error_and_nothing_is_stored(slack, fake_slack, sessions):
    reply = slack.submit(callback_id="idea_new_view", values=modal_values("   "), user=TEAM[0])

    assert reply.status == 200
    assert reply.json["response_action"] == "errors"
    assert "needs some words" in reply.json["errors"]["text"]
    with sessions() as session:
        assert session.exec(select(Idea)).all() == []


def test_an_unknown_category_is_refused_on_its_field(slack, sessions):
    reply = slack.submit(
        callback_id="idea_new_view", values=modal_values("Fine idea", category="marketing"), user=TEAM[0]
    )

    assert reply.json["response_action"] == "errors"
    assert "not a category" in reply.json["errors"]["text"]
