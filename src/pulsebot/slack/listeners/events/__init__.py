from slack_bolt import App

from pulsebot.slack.listeners.events.home import home_opened
from pulsebot.slack.listeners.events.people import (
    member_joined,
    member_left,
    profile_changed,
    user_changed,
    user_joined,
)


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
    app.event("user_change")(user_changed)
    app.event("user_profile_changed")(profile_changed)
    app.event("team_join")(user_joined)
    app.event("member_joined_channel")(member_joined)
    app.event("member_left_channel")(member_left)
