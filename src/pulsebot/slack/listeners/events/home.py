"""The App Home tab, drawn afresh each time a person opens it."""

from slack_sdk import WebClient

from pulsebot.slack.home import publish_home


def home_opened(event: dict, client: WebClient, context) -> None:
    if event.get("tab") != "home":
        return
    publish_home(client, context["deps"], user_id=event["user"])
