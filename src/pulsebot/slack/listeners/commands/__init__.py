from slack_bolt import App

from pulsebot.slack.listeners.commands.idea import idea_command
from pulsebot.slack.listeners.commands.pulse import pulse_command


def register(app: App) -> None:
    app.command("/idea")(idea_command)
    app.command("/pulse")(pulse_command)
