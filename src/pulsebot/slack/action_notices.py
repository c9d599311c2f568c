"""Telling Slack about the channel-posted actions changed on the web dashboard: the scheduler's
`action-notices` sweep.

A status change is told as one made from the Home tab is (slack/action_plans.py announce_change): the
team's channel hears of it and the action's post is redrawn; an edit redraws the post alone. The Home tab
of the person who made the change is drawn again, as after a change there, and what Slack refused is told
to them by DM, as the Slack path tells it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.loop import action_notices
from pulsebot.slack.action_plans import announce_change, redraw_post
from pulsebot.slack.home import publish_home
from pulsebot.store.db import transaction

if TYPE_CHECKING:
    from pulsebot.slack.app import Deps

log = logging.getLogger(__name__)


def tell_action_notices(client: WebClient, deps: Deps) -> int:
    """Tell Slack every notice waiting; how many were told."""
    told = 0
    while True:
        with transaction(deps.sessions) as session:
            due = action_notices.take_due(session)
        if not due:
            return told
        for notice in due:
            if notice.change is not None:
                problem = announce_change(client, deps, notice.change, current=notice.action)
            else:
                problem = redraw_post(client, notice.action)
            if notice.changed_by:
                try:
                    if problem:
                        client.chat_postMessage(channel=notice.changed_by, text=problem)
                    publish_home(client, deps, user_id=notice.changed_by)
                except SlackApiError as error:
                    log.warning(
                        "action #%s: Home tab not drawn: %s", notice.action.id, error.response.get("error")
                    )
            told += 1
