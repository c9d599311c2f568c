"""Telling Slack about the ideas changed on the web dashboard: the scheduler's `idea-notices` sweep.

Each status change is announced as one made in Slack is (slack/status_change.py): the card redrawn, the
author told by DM (an anonymous idea's author found again by their token), a shipped idea posted. A card
a forget-me left naming its author is redrawn. Nothing goes back to the person who made the change: the
dashboard already told them it was made, and that their author hears from Slack.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.idea import idea_notices
from pulsebot.slack.publish import refresh_idea_card
from pulsebot.slack.status_change import announce_status_change
from pulsebot.store.db import transaction

if TYPE_CHECKING:
    from pulsebot.slack.app import Deps

log = logging.getLogger(__name__)


def tell_idea_notices(client: WebClient, deps: Deps) -> int:
    """Tell Slack every notice waiting; how many were told."""
    told = 0
    while True:
        with transaction(deps.sessions) as session:
            due = idea_notices.take_due(session)
        if not due:
            return told
        for notice in due:
            if notice.change is not None:
                # What it says is for the person who moved the idea in Slack; here no one waits for it.
                log.info("idea #%s: %s", notice.idea_id, announce_status_change(client, deps, notice.change))
            else:
                try:
                    refresh_idea_card(client, deps.sessions, idea_id=notice.idea_id)
                except SlackApiError as error:  # the card was deleted, or the channel archived
                    log.warning("idea #%s card not redrawn: %s", notice.idea_id, error.response.get("error"))
            told += 1
