"""A free-text question: its button opens a modal and the comment is stored without its author."""

from sqlmodel import select

from pulsebot.services.pulse.answers import has_answered
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer
from tests.conftest import ANON_KEY, PULSE_CHANNEL, TEAM
from tests.pulse_steps import click_answer, send_retro


def test_a_comment_is_stored_without_its_author(settings, slack, fake_slack, sessions, client):
    run = send_retro(sessions, client, settings)
    button = fake_slack.calls_to("chat.postMessage")[0]["blocks"][3]["elements"][0]
    assert button["text"]["text"] == "Write an answer"

    slack.click(action_id=button["action_id"], value=button["value"], user=TEAM[0], channel=PULSE_CHANNEL)
    view = fake_slack.wait_for("views.open")[0]["view"]
    assert view["blocks"][0]["label"]["text"] == "What one thing would make next week better?"

    too_long = slack.submit(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        values={"comment": {"text": {"type": "plain_text_input", "value": "y" * 2001}}},
        user=TEAM[0],
    )
    assert too_long.json["response_action"] == "errors" and "2,000" in too_long.json["errors"]["comment"]

    ok = slack.submit(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        values={"comment": {"text": {"type": "plain_text_input", "value": "Fewer meetings on Monday"}}},
        user=TEAM[0],
    )
    assert ok.status == 200 and ok.body == ""
    thanks = fake_slack.wait_for("chat.postMessage", 2)[1]
    assert thanks["channel"] == TEAM[0] and "Thanks, recorded" in thanks["text"]
    with sessions() as session:
        answer = session.exec(select(Answer)).one()
        assert (answer.run_id, answer.comment, answer.value) == (run.run_id, "Fewer meetings on Monday", None)


RATED = f"""\
name: rated
channel: {PULSE_CHANNEL}
questions:
  - key: workload
    kind: scale
    prompt: My workload was manageable.
  - key: better
    kind: text
    prompt: What would make next week better?
    required: true
"""


def send_rated(sessions, client, settings, fake_slack):
    from datetime import UTC, datetime

    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(RATED, source="rated.yml")[0], now=datetime.now(UTC))
    run = send_pulse(client, sessions, settings=settings, survey_name="rated", now=datetime.now(UTC))
    blocks = fake_slack.calls_to("chat.postMessage")[0]["blocks"]
    fake_slack.reset_calls()
    return run, blocks


def comment_text(text: str) -> dict:
    return {"comment": {"text": {"type": "plain_text_input", "value": text}}}


def test_a_rated_answer_takes_an_optional_comment_on_the_same_anonymous_row(
    settings, slack, fake_slack, sessions, client
):
    run, blocks = send_rated(sessions, client, settings, fake_slack)
    question = run.questions[0]
    button = next(b for b in blocks if b["type"] == "section" and b.get("accessory"))["accessory"]
    assert (button["text"]["text"], button["value"]) == ("Add a comment", f"{run.run_id}:{question.id}")
    click_answer(slack, run, TEAM[0], 4)
    fake_slack.wait_for("response_url")

    slack.click(action_id=button["action_id"], value=button["value"], user=TEAM[0], channel=PULSE_CHANNEL)
    view = fake_slack.wait_for("views.open")[0]["view"]
    assert view["title"]["text"] == "Add a comment" and view["blocks"][0]["optional"] is True
    slack.submit(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        values=comment_text("Too many meetings"),
        user=TEAM[0],
    )
    fake_slack.wait_for("chat.postMessage")
    with sessions() as session:
        answer = session.exec(select(Answer)).one()
        assert (answer.value, answer.comment) == (4, "Too many meetings")

    # Opened again, the form shows the person their own comment; sent empty, it takes the comment back.
    slack.click(action_id=button["action_id"], value=button["value"], user=TEAM[0], channel=PULSE_CHANNEL)
    again = fake_slack.wait_for("views.open", 2)[1]["view"]
    assert again["blocks"][0]["element"]["initial_value"] == "Too many meetings"
    assert again["blocks"][1]["elements"][0]["text"].startswith("Send it empty to remove your comment.")
    slack.submit(
        callback_id=again["callback_id"],
        private_metadata=again["private_metadata"],
        values=comment_text("  "),
        user=TEAM[0],
    )
    assert fake_slack.wait_for("chat.postMessage", 2)[1]["text"].startswith(
        "Removed your comment on “My workload was manageable.”"
    )
    with sessions() as session:
        answer = session.exec(select(Answer)).one()
        assert (answer.value, answer.comment) == (4, None)


def test_taking_back_the_only_answer_makes_the_person_a_non_responder_again(
    settings, slack, fake_slack, sessions, client
):
    run, _blocks = send_rated(sessions, client, settings, fake_slack)
    metadata = f"{run.run_id}:{run.questions[0].id}"
    for text, count in (("Fine, mostly", 1), ("", 2)):
        slack.submit(
            callback_id="pulse_comment_view",
            private_metadata=metadata,
            values=comment_text(text),
            user=TEAM[1],
        )
        fake_slack.wait_for("chat.postMessage", count)

    with sessions() as session:
        assert session.exec(select(Answer)).all() == []
        # Answered nothing, so reminders still reach them.
        assert not has_answered(session, run_id=run.run_id, user_id=TEAM[1], key=ANON_KEY.encode())


def test_a_required_text_question_refuses_a_blank_answer(settings, slack, fake_slack, sessions, client):
    run, blocks = send_rated(sessions, client, settings, fake_slack)
    question = run.questions[1]
    assert "_(required)_" in str(blocks)
    slack.click(
        action_id=f"pulse_comment_{question.id}",
        value=f"{run.run_id}:{question.id}",
        user=TEAM[2],
        channel=PULSE_CHANNEL,
    )
    view = fake_slack.wait_for("views.open")[0]["view"]
    assert view["title"]["text"] == "Your answer" and view["blocks"][0]["optional"] is False

    reply = slack.submit(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        values=comment_text(" "),
        user=TEAM[2],
    )

    assert reply.json == {
        "response_action": "errors",
        "errors": {"comment": "This question needs an answer; write a few words, or press Cancel."},
    }


def test_the_comment_form_is_not_opened_once_the_pulse_has_closed(
    settings, slack, fake_slack, sessions, client
):
    from datetime import timedelta

    from freezegun import freeze_time

    run, _blocks = send_rated(sessions, client, settings, fake_slack)
    question = run.questions[0]

    with freeze_time(run.closes_at + timedelta(minutes=1), tick=True):
        slack.click(
            action_id=f"pulse_comment_{question.id}",
            value=f"{run.run_id}:{question.id}",
            user=TEAM[0],
            channel=PULSE_CHANNEL,
        )
        refusal = fake_slack.wait_for("response_url")[0]

    assert refusal["text"].startswith("This pulse closed on ")
    assert fake_slack.calls_to("views.open") == []
