"""Every listener that opens a modal, and every form, is among the cases the throttling tests slow down
(tests/listeners/test_throttled_slack.py, test_throttled_forms.py, test_throttled_rights.py): a new one
fails here until it has its case there."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from pulsebot.slack import listeners
from pulsebot.slack.blocks.actions import ACTION_VIEW, DROP_VIEW
from pulsebot.slack.blocks.idea_status import DECLINE_VIEW
from pulsebot.slack.blocks.ideas import IDEA_VIEW
from pulsebot.slack.blocks.pulses import COMMENT_VIEW
from pulsebot.slack.blocks.replies import REPLY_VIEW
from pulsebot.slack.blocks.sharing import SHARE_VIEW
from pulsebot.slack.blocks.surveys import SURVEY_FORM_VIEW
from pulsebot.slack.listeners import views
from tests.listeners import test_throttled_forms as forms
from tests.listeners import test_throttled_rights as rights
from tests.listeners import test_throttled_slack as slack

# Each function of slack/listeners/ that opens a modal: the cases that open it with Slack slowed down.
OPENS_A_MODAL = {
    "actions.action_plans.plan_clicked": [
        (slack.OPENERS, "Plan an action"),
        (rights.OPENERS, "Plan an action in a digest, a Slack admin"),
        (rights.OPENERS, "Plan an action in App Home, the team's manager"),
    ],
    "actions.action_plans.status_chosen": [
        (forms.OPENERS, "drop from App Home"),
        (rights.OPENERS, "Drop… in App Home, the team's manager"),
        (rights.OPENERS, "Drop… in App Home, a Slack admin"),
    ],
    "actions.answers.comment_clicked": [
        (forms.OPENERS, "comment button"),
        (rights.OPENERS, "a pulse's comment button, a member"),
    ],
    "actions.replies.comment_reply_clicked": [
        (forms.OPENERS, "reply to a comment"),
        (forms.RIGHTS_OPENERS, "reply to a comment"),
    ],
    "actions.replies.idea_reply_clicked": [
        (forms.OPENERS, "reply to an idea"),
        (forms.RIGHTS_OPENERS, "reply to an idea"),
    ],
    "actions.replies._answer_clicked": [
        (forms.OPENERS, "manager answers back"),
        (forms.OPENERS, "author answers back"),
    ],
    "actions.sharing.share_clicked": [
        (forms.OPENERS, "share preview"),
        (forms.RIGHTS_OPENERS, "share preview"),
    ],
    "actions.status.status_chosen": [
        (forms.OPENERS, "decline an idea"),
        (forms.RIGHTS_OPENERS, "decline an idea"),
    ],
    "commands.action.action_command": [
        (slack.OPENERS, "/pulse action"),
        (rights.OPENERS, "/pulse action, a Slack admin"),
        (rights.OPENERS, "/pulse action, the team's manager"),
    ],
    "commands.idea.idea_command": [(slack.OPENERS, "/idea")],
    "commands.pulse_admin.handle": [
        (slack.OPENERS, "/pulse new"),
        (slack.OPENERS, "/pulse edit"),
        (rights.OPENERS, "/pulse new, a Slack admin"),
        (rights.OPENERS, "/pulse edit, a Slack admin"),
    ],
}

# Each form (its callback id): the cases that submit it with each Slack method it uses slowed in turn.
FORMS = {
    ACTION_VIEW: [
        (slack.SUBMISSIONS, "plan"),
        (rights.FORMS, "the planning form, a Slack admin"),
        (rights.FORMS, "the planning form, the team's manager"),
    ],
    DROP_VIEW: [
        (slack.SUBMISSIONS, "drop"),
        (rights.FORMS, "the drop form, the team's manager"),
        (rights.FORMS, "the drop form, a Slack admin"),
    ],
    IDEA_VIEW: [(slack.SUBMISSIONS, "idea")],
    SURVEY_FORM_VIEW: [(slack.SUBMISSIONS, "survey"), (rights.FORMS, "the survey form, a Slack admin")],
    COMMENT_VIEW: [(forms.FORMS, "comment"), (forms.RIGHTS_FORMS, "comment")],
    DECLINE_VIEW: [(forms.FORMS, "decline"), (forms.RIGHTS_FORMS, "decline")],
    REPLY_VIEW: [(forms.FORMS, "reply"), (forms.RIGHTS_FORMS, "reply")],
    SHARE_VIEW: [(forms.FORMS, "share"), (forms.RIGHTS_FORMS, "share")],
}


def _listener_functions():
    for module_info in pkgutil.walk_packages(listeners.__path__, prefix=f"{listeners.__name__}."):
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__:
                yield module.__name__.removeprefix(f"{listeners.__name__}.") + f".{name}", function


def test_every_listener_that_opens_a_modal_is_opened_with_slack_throttled_and_slow():
    opening = {
        name for name, function in _listener_functions() if "views_open(" in inspect.getsource(function)
    }

    assert opening == set(OPENS_A_MODAL)
    for cases in OPENS_A_MODAL.values():
        assert all(case in table for table, case in cases)


def test_every_form_is_submitted_with_each_slack_method_it_uses_throttled_and_with_slack_slow():
    registered = []

    class Recorder:
        def view(self, callback_id):
            registered.append(callback_id)
            return lambda listener: listener

    views.register(Recorder())

    assert sorted(registered) == sorted(FORMS)
    for cases in FORMS.values():
        assert all(case in table for table, case in cases)
