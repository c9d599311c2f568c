"""The App Home tab, drawn afresh each time a person opens it."""

from slack_sdk import WebClient

from pulsebot.services.home import home_summary
from pulsebot.services.manager_home import home_teams
from pulsebot.slack.blocks.home import home_view
from pulsebot.store.db import transaction


def home_opened(event: dict, client: WebClient, context) -> None:
    if event.get("tab") != "home":
        return
    deps = context["deps"]
    with transaction(deps.sessions) as session:
        summary = home_summary(session, user_id=event["user"], key=deps.key, now=deps.clock())
        teams = home_teams(
            session,
            user_id=event["user"],
            is_admin=event["user"] in deps.settings.admins,
            now=deps.clock(),
            min_group=deps.settings.min_group,
            weeks=deps.settings.trend_weeks,
        )
    view = home_view(summary, teams=teams, min_group=deps.settings.min_group)
    client.views_publish(user_id=event["user"], view=view)
