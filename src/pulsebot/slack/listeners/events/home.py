"""The App Home tab, drawn afresh each time a person opens it."""

from slack_sdk import WebClient

from pulsebot.services.home import home_summary
from pulsebot.slack.blocks.home import home_view
from pulsebot.store.db import transaction


def home_opened(event: dict, client: WebClient, context) -> None:
    if event.get("tab") != "home":
        return
    deps = context["deps"]
    with transaction(deps.sessions) as session:
        summary = home_summary(session, user_id=event["user"], key=deps.key, now=deps.clock())
    client.views_publish(user_id=event["user"], view=home_view(summary))
