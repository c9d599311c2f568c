"""An unexpected failure tells the person, in a sentence, that nothing was saved; forms keep their text."""

from sqlalchemy import text

from pulsebot.slack.app import SORRY
from tests.conftest import TEAM


def break_the_ideas_table(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE idea RENAME TO idea_away"))


def mend_the_ideas_table(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE idea_away RENAME TO idea"))


def test_a_failing_command_answers_with_a_sentence_not_an_error(slack, engine):
    break_the_ideas_table(engine)
    try:
        reply = slack.command("/idea", "Refunds in one click", user=TEAM[0])
    finally:
        mend_the_ideas_table(engine)

    assert reply.status == 200
    assert reply.json == {"response_type": "ephemeral", "text": SORRY}


def test_a_failing_form_pushes_a_notice_and_keeps_the_form(slack, engine):
    values = {
        "text": {"value": {"value": "Refunds in one click"}},
        "category": {"value": {"selected_option": {"value": "billing"}}},
        "stage": {"value": {"selected_option": None}},
        "anonymous": {"value": {"selected_options": []}},
    }
    break_the_ideas_table(engine)
    try:
        reply = slack.submit(callback_id="idea_new_view", values=values, user=TEAM[0])
    finally:
        mend_the_ideas_table(engine)

    assert reply.status == 200
    assert reply.json["response_action"] == "push"
    assert SORRY in str(reply.json["view"]["blocks"])
