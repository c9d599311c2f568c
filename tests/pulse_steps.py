"""Steps the pulse tests share: the answer buttons of a sent pulse, and a person clicking one."""

from __future__ import annotations

from tests.conftest import PULSE_CHANNEL
from tests.slack_requests import Reply, SlackRequests


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
