"""The attacker's setting: a crowd answers a pulse through the real app, its answers held in a mixing
window the test closes itself, and then someone without the key reads everything that was stored."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from pulsebot.services.answer_mixer import AnswerMixer
from pulsebot.services.pulses import RunView
from pulsebot.services.survey_file import parse_surveys
from pulsebot.services.surveys import apply_survey
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from tests.conftest import SIGNING_SECRET, serving_app
from tests.slack_requests import SlackRequests

CROWD_CHANNEL = "G0CROWD"
CROWD = [f"U0PERSON{number:02d}" for number in range(12)]
CROWD_SURVEY = f"""\
surveys:
  - name: crowd-pulse
    title: Crowd pulse
    channel: {CROWD_CHANNEL}
    questions:
      - key: workload
        kind: scale
        prompt: My workload this week was manageable.
      - key: recommend
        kind: enps
        prompt: How likely are you to recommend working here?
"""


@dataclass
class Crowd:
    slack: SlackRequests
    mixer: AnswerMixer
    run: RunView

    def click(self, user: str, question: int, value: int) -> None:
        question_id = self.run.questions[question].id
        self.slack.click(
            action_id=f"pulse_answer_{question_id}_{value}",
            value=f"{self.run.run_id}:{question_id}:{value}",
            user=user,
            channel=CROWD_CHANNEL,
        )

    def comment(self, user: str, text: str) -> None:
        self.slack.submit(
            callback_id="pulse_comment_view",
            private_metadata=f"{self.run.run_id}:{self.run.questions[0].id}",
            values={"comment": {"text": {"type": "plain_text_input", "value": text}}},
            user=user,
        )

    def wait_pending(self, count: int, timeout: float = 10.0) -> None:
        """Until `count` checked answers wait in the window (listeners check them after the ack)."""
        deadline = time.monotonic() + timeout
        while self.mixer.pending() < count:
            assert time.monotonic() < deadline, f"{self.mixer.pending()} answers waiting, wanted {count}"
            time.sleep(0.02)


@pytest.fixture
def crowd(settings, sessions, engine, client, sender, fake_slack) -> Iterator[Crowd]:
    """The crowd's pulse is out; its answers wait in a window that only the test closes (`flush`)."""
    fake_slack.add_channel(CROWD_CHANNEL, [*CROWD, "UBOT"])
    with transaction(sessions) as session:
        for spec in parse_surveys(CROWD_SURVEY, source="crowd.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))
    run = send_pulse(client, sessions, survey_name="crowd-pulse", now=datetime.now(UTC))
    fake_slack.reset_calls()
    mixer = AnswerMixer(sessions, window=3600)
    with serving_app(settings, sessions, engine, client=client, sender=sender, mixer=mixer) as url:
        yield Crowd(SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url()), mixer, run)
