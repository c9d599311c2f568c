from slack_bolt import App

from pulsebot.slack.listeners.events.home import home_opened
from pulsebot.slack.listeners.events.people import user_changed, user_joined


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
    app.event("user_change")(user_changed)
    app.event("team_join")(user_joined)
