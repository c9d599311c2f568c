import re

from slack_bolt import App

from pulsebot.slack.blocks.actions import ACTION_STATUS, PLAN_ACTION
from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION, FORGET_ME_CANCEL
from pulsebot.slack.blocks.helping import HELPING_ACTION
from pulsebot.slack.blocks.ideas import IDEA_STATUS_ACTION, IDEA_VOTE_ACTION
from pulsebot.slack.blocks.onboarding import EXIT_ACTION, ONBOARDING_ACTION
from pulsebot.slack.blocks.pulses import (
    ANSWER_ACTION,
    COMMENT_ACTION,
    IN_MY_LANGUAGE_ACTION,
    NOT_APPLICABLE_BUTTON,
)
from pulsebot.slack.blocks.replies import (
    CLOSE_CONVERSATION_ACTION,
    REPLY_AS_AUTHOR_ACTION,
    REPLY_AS_MANAGER_ACTION,
    REPLY_COMMENT_ACTION,
    REPLY_IDEA_ACTION,
)
from pulsebot.slack.blocks.sharing import SHARE_NOW_ACTION, SHARE_RESULTS_ACTION
from pulsebot.slack.blocks.snooze import SNOOZE_ACTION
from pulsebot.slack.listeners.actions import action_plans
from pulsebot.slack.listeners.actions.answers import answer_clicked, comment_clicked, in_my_language_clicked
from pulsebot.slack.listeners.actions.forget import forget_me_cancelled, forget_me_clicked
from pulsebot.slack.listeners.actions.helping import helping_clicked
from pulsebot.slack.listeners.actions.onboarding import exit_clicked, onboarding_clicked
from pulsebot.slack.listeners.actions.replies import (
    author_reply_clicked,
    close_clicked,
    comment_reply_clicked,
    idea_reply_clicked,
    manager_reply_clicked,
)
from pulsebot.slack.listeners.actions.sharing import share_clicked, share_now_clicked
from pulsebot.slack.listeners.actions.snooze import snooze_clicked
from pulsebot.slack.listeners.actions.status import status_chosen
from pulsebot.slack.listeners.actions.votes import vote_clicked


def register(app: App) -> None:
    app.action(re.compile(rf"^{ANSWER_ACTION}_\d+_(\d+|{NOT_APPLICABLE_BUTTON})$"))(answer_clicked)
    app.action(re.compile(rf"^{COMMENT_ACTION}_\d+$"))(comment_clicked)
    app.action(IN_MY_LANGUAGE_ACTION)(in_my_language_clicked)
    app.action(IDEA_VOTE_ACTION)(vote_clicked)
    app.action(IDEA_STATUS_ACTION)(status_chosen)
    app.action(REPLY_COMMENT_ACTION)(comment_reply_clicked)
    app.action(REPLY_IDEA_ACTION)(idea_reply_clicked)
    app.action(REPLY_AS_MANAGER_ACTION)(manager_reply_clicked)
    app.action(REPLY_AS_AUTHOR_ACTION)(author_reply_clicked)
    app.action(CLOSE_CONVERSATION_ACTION)(close_clicked)
    app.action(FORGET_ME_ACTION)(forget_me_clicked)
    app.action(FORGET_ME_CANCEL)(forget_me_cancelled)
    app.action(re.compile(rf"^{HELPING_ACTION}_(yes|not_yet|no)$"))(helping_clicked)
    app.action(PLAN_ACTION)(action_plans.plan_clicked)
    app.action(ACTION_STATUS)(action_plans.status_chosen)
    app.action(SHARE_RESULTS_ACTION)(share_clicked)
    app.action(SHARE_NOW_ACTION)(share_now_clicked)
    app.action(SNOOZE_ACTION)(snooze_clicked)
    app.action(re.compile(rf"^{ONBOARDING_ACTION}_\w+_\d+$"))(onboarding_clicked)
    app.action(re.compile(rf"^{EXIT_ACTION}_\w+_\d+$"))(exit_clicked)
