"""Steps the pulse tests share: the answer buttons of a sent pulse, and a person clicking one."""

from __future__ import annotations

from datetime import UTC, datetime

from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from tests.conftest import PULSE_CHANNEL
from tests.slack_requests import Reply, SlackRequests

# A one-question pulse answered in words: its "Write an answer" button opens the comment form.
RETRO_SURVEY = f"""\
name: retro
channel: {PULSE_CHANNEL}
questions:
  - key: better
    kind: text
    prompt: What one thing would make next week better?
"""


def send_retro(sessions, client, settings):
    """Apply the retro survey and post its pulse in the pulse channel, now."""
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(RETRO_SURVEY, source="retro.yml")[0], now=datetime.now(UTC))
    return send_pulse(client, sessions, settings=settings, survey_name="retro", now=datetime.now(UTC))


def answer_button(run, value: int) -> dict[str, str]:
    """The action_id and value of the button answering `value` to the run's first question."""
    question = run.questions[0]
    return {
        "action_id": f"pulse_answer_{question.id}_{value}",
        "value": f"{run.run_id}:{question.id}:{value}",
    }


def click_answer(slack: SlackRequests, run, user: str, value: int) -> Reply:
    """`user` answers `value` to the run's first question with its button in the pulse channel."""
    return slack.click(**answer_button(run, value), user=user, channel=PULSE_CHANNEL)
