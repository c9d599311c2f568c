"""Listeners, one package per kind of Slack request, each with its own `register(app)`."""

from slack_bolt import App

from pulsebot.slack.listeners import actions, commands, events, views


def register_listeners(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
