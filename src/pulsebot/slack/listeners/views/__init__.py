from slack_bolt import App

from pulsebot.slack.blocks.actions import ACTION_VIEW, DROP_VIEW
from pulsebot.slack.blocks.idea_status import DECLINE_VIEW
from pulsebot.slack.blocks.ideas import IDEA_VIEW
from pulsebot.slack.blocks.pulses import COMMENT_VIEW
from pulsebot.slack.blocks.replies import REPLY_VIEW
from pulsebot.slack.blocks.sharing import SHARE_VIEW
from pulsebot.slack.blocks.surveys import SURVEY_FORM_VIEW
from pulsebot.slack.listeners.views.action_plans import drop_submitted, plan_submitted
from pulsebot.slack.listeners.views.comment import comment_submitted
from pulsebot.slack.listeners.views.decline import decline_submitted
from pulsebot.slack.listeners.views.idea import idea_submitted
from pulsebot.slack.listeners.views.replies import reply_submitted
from pulsebot.slack.listeners.views.sharing import share_submitted
from pulsebot.slack.listeners.views.survey_form import survey_submitted


def register(app: App) -> None:
    app.view(COMMENT_VIEW)(comment_submitted)
    app.view(IDEA_VIEW)(idea_submitted)
    app.view(DECLINE_VIEW)(decline_submitted)
    app.view(SURVEY_FORM_VIEW)(survey_submitted)
    app.view(REPLY_VIEW)(reply_submitted)
    app.view(ACTION_VIEW)(plan_submitted)
    app.view(DROP_VIEW)(drop_submitted)
    app.view(SHARE_VIEW)(share_submitted)
