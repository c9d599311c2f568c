"""Steps the idea tests share: post an idea as a person would, and catch the bot's next reply."""

from __future__ import annotations

from collections.abc import Callable

from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequests


def next_call(fake_slack: FakeSlack, method: str, do: Callable[[], object]) -> dict:
    """Do something and return the next call the bot makes to `method` because of it."""
    before = len(fake_slack.calls_to(method))
    do()
    return fake_slack.wait_for(method, before + 1)[before]


def reply_to(fake_slack: FakeSlack, do: Callable[[], object]) -> str:
    """The ephemeral text sent back through the response_url after a command or a click."""
    return next_call(fake_slack, "response_url", do)["text"]


def post_idea(
    slack: SlackRequests,
    fake_slack: FakeSlack,
    text: str,
    *,
    user: str,
    anonymous: bool = False,
    category: str = "other",
) -> None:
    """Post an idea (by command, or through the modal when anonymous or categorised) and wait for its card."""
    posted = len(fake_slack.calls_to("chat.postMessage"))
    if anonymous or category != "other":
        slack.submit(
            callback_id="idea_new_view",
            user=user,
            values={
                "text": {"value": {"value": text}},
                "category": {"value": {"selected_option": {"value": category}}},
                "stage": {"value": {"selected_option": None}},
                "anonymous": {"value": {"selected_options": [{"value": "yes"}] if anonymous else []}},
            },
        )
        fake_slack.wait_for("chat.postMessage", posted + 2)  # the card, and the DM to its author
    else:
        reply_to(fake_slack, lambda: slack.command("/idea", text, user=user))
