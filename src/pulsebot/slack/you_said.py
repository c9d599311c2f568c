"""Posting each month's "You said, we did" to the teams' channels."""

from __future__ import annotations

import logging
from datetime import datetime, time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.loop import you_said
from pulsebot.slack.blocks.you_said import month_post_message
from pulsebot.store.db import SessionFactory, transaction

log = logging.getLogger(__name__)


def post_month_summaries(
    client: WebClient, sessions: SessionFactory, *, now: datetime, post_time: time
) -> int:
    """Post the month that ended to each team that did something in it; how many were posted."""
    with transaction(sessions) as session:
        due = you_said.due_month_posts(session, now=now, post_time=post_time)
    posted = 0
    for post in due:
        text, blocks = month_post_message(post)
        try:
            sent = client.chat_postMessage(
                channel=post.channel_id, text=text, blocks=blocks, unfurl_links=False
            )
        except SlackApiError as error:
            # The month stays claimed: a channel pulsebot is not in would otherwise be retried every minute.
            log.warning(
                "'You said, we did' for %s not posted: %s", post.survey_name, error.response.get("error")
            )
            continue
        with transaction(sessions) as session:
            you_said.mark_month_posted(
                session,
                survey_id=post.survey_id,
                month=post.month,
                channel_id=sent["channel"],
                message_ts=sent["ts"],
            )
        posted += 1
    return posted
