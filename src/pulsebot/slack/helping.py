"""Posting the rounds of "Is this helping?" to the team's channel, and their outcome when they close."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.config import Settings
from pulsebot.services.loop import helping
from pulsebot.slack.blocks.helping import helping_message
from pulsebot.slack.directory import admins_among
from pulsebot.store.db import SessionFactory, engine_of, scrub, transaction

log = logging.getLogger(__name__)


def open_rounds(client: WebClient, sessions: SessionFactory, *, now: datetime, min_group: int) -> int:
    """Ask "Is this helping?" for each shared action that started or is done; how many were asked."""
    with transaction(sessions) as session:
        opened = [
            (round_, helping.channel_of(session, action_id=round_.action_id))
            for round_ in helping.open_due_rounds(session, now=now)
        ]
    for round_, channel in opened:
        if channel is None:
            continue
        text, blocks = helping_message(round_, min_group=min_group)
        try:
            posted = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as error:
            # The round stays open without its message: nobody can answer it, and it closes withheld.
            log.warning("'Is this helping?' %s not posted: %s", round_.id, error.response.get("error"))
            continue
        with transaction(sessions) as session:
            helping.mark_posted(
                session, check_id=round_.id, channel_id=posted["channel"], message_ts=posted["ts"]
            )
    return len(opened)


def close_rounds(client: WebClient, sessions: SessionFactory, *, settings: Settings, now: datetime) -> int:
    """Close the rounds whose time is up, then show each one's outcome in place of its buttons. Who of
    their teams is a pulsebot admin by then is read first (`settings`: the workspace's)."""
    min_group = settings.min_group
    with transaction(sessions) as session:
        people = helping.due_rounds_people(session, now=now)
    admins = admins_among(client, settings, people) if people else frozenset()
    with transaction(sessions) as session:
        closed = helping.close_due_rounds(session, now=now, min_group=min_group, admins=admins)
    if not closed:
        return 0
    # The deleted answers and secrets must not live on in dead rows or SQLite's write-ahead log.
    scrub(engine_of(sessions), ["action_check_answer", "action_check"], rewrite=True)
    for round_ in closed:
        if round_.message_ts is None:
            continue
        text, blocks = helping_message(round_, min_group=min_group)
        try:
            client.chat_update(channel=round_.channel_id, ts=round_.message_ts, text=text, blocks=blocks)
        except SlackApiError as error:
            log.warning("'Is this helping?' %s not updated: %s", round_.id, error.response.get("error"))
    return len(closed)
