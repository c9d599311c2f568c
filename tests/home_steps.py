"""Steps the App Home tests share: a person opens the Home tab and reads what the bot publishes."""

from __future__ import annotations

from tests.fake_slack import FakeSlack
from tests.idea_steps import next_call
from tests.slack_requests import SlackRequests


def open_home(slack: SlackRequests, fake_slack: FakeSlack, user: str) -> str:
    """Open the Home tab as `user` and return the blocks of the view published for it, as one text."""
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    published = next_call(fake_slack, "views.publish", lambda: slack.event(event))
    return str(published["view"]["blocks"])
