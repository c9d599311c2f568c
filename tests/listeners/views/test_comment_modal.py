"""A free-text question: its button opens a modal and the comment is stored without its author."""

from sqlmodel import select

from pulsebot.services.survey_file import parse_surveys
from pulsebot.services.surveys import apply_survey
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer
from tests.conftest import PULSE_CHANNEL, TEAM

SURVEY = f"""\
name: retro
channel: {PULSE_CHANNEL}
questions:
  - key: better
    kind: text
    prompt: What one thing would make next week better?
"""


def test_a_comment_is_stored_without_its_author(slack, fake_slack, sessions, client):
    from datetime import UTC, datetime

    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(SURVEY, source="retro.yml")[0], now=datetime.now(UTC))
    run = send_pulse(client, sessions, survey_name="retro", now=datetime.now(UTC))
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
