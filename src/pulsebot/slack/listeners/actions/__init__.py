import re

from slack_bolt import App

from pulsebot.slack.blocks.ideas import IDEA_STATUS_ACTION, IDEA_VOTE_ACTION
from pulsebot.slack.blocks.pulses import ANSWER_ACTION, COMMENT_ACTION
from pulsebot.slack.listeners.actions.answers import answer_clicked, comment_clicked
from pulsebot.slack.listeners.actions.status import status_chosen
from pulsebot.slack.listeners.actions.votes import vote_clicked


def register(app: App) -> None:
    app.action(re.compile(rf"^{ANSWER_ACTION}_\d+_\d+$"))(answer_clicked)
    app.action(re.compile(rf"^{COMMENT_ACTION}_\d+$"))(comment_clicked)
    app.action(IDEA_VOTE_ACTION)(vote_clicked)
    app.action(IDEA_STATUS_ACTION)(status_chosen)
