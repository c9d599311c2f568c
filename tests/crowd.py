"""A crowd of twelve answers a pulse through the real app, its answers held in a mixing window the test
closes itself (`crowd.mixer.flush()`): the setting of the mixing-window tests and of the attacks."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pulsebot.services.pulse.answer_mixer import AnswerMixer
from pulsebot.services.pulse.pulses import RunView
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
