"""Delivering anonymous replies once their delay is over: the scheduler's `reply-relay` sweep.

The author of a comment or an idea is looked up afresh for each message (their token recomputed over
the run's audience or the workspace's people) and is never written down. A message that can never
arrive (the author has left, Slack refuses the DM for good) is marked so, and no one is told: telling
the manager that "the author has left" would help them guess who it was.

Each message goes out once (slack/posted.py): it carries its conversation and number in its metadata,
and after a lapsed claim or a lost answer the next sweep looks for it in the DM, around the moment the
earlier attempt began, before sending it again; a look Slack throttles waits for a later sweep.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from http.client import HTTPException

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.reply import relay
from pulsebot.services.reply.relay import DueRelay
from pulsebot.slack.blocks.replies import closed_message, to_author_message, to_manager_message
from pulsebot.slack.directory import WorkspaceDirectory, find_idea_author
from pulsebot.slack.posted import Attempt, LookLater, already_posted, may_have_posted, posting_client
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import ConversationSubject

log = logging.getLogger(__name__)

MARKER = "pulsebot_reply"  # each relayed message's metadata: {"conversation": …, "seq": …}

# Slack's answers that mean a DM will never get through; anything else is tried again after the claim.
FOR_GOOD = frozenset(
    {"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot", "channel_not_found"}
)


def relay_due(
    client: WebClient,
    sessions: SessionFactory,
    *,
    key: bytes,
    directory: WorkspaceDirectory,
    now: datetime,
    claim_for: timedelta,
) -> int:
    """Post every relayed message whose delay is over; returns how many went out."""
    with transaction(sessions) as session:
        due = relay.claim_due(session, now=now, claim_for=claim_for)
    poster = posting_client(client)
    sent = 0
    for message in due:
        recipient = (
            _author(client, sessions, key=key, directory=directory, message=message)
            if message.to_author
            else message.manager_user_id
        )
        if recipient is None:
            _undeliverable(sessions, message, "author not found")
            continue
        text, blocks = _message_for(message)
        try:
            found = message.retry and _found_in_slack(client, message, recipient, claim_for)
        except (LookLater, OSError, HTTPException) as error:  # nothing posted: looked for again later
            seconds = error.seconds if isinstance(error, LookLater) else claim_for.total_seconds()
            log.info("reply %s/%d: not looked for yet (%s)", message.conversation_id, message.seq, error)
            _retry_later(sessions, message, at=now + timedelta(seconds=seconds), looked_only=True)
            continue
        try:
            if not found:
                with transaction(sessions) as session:
                    relay.note_attempt(
                        session, conversation_id=message.conversation_id, seq=message.seq, now=now
                    )
                poster.chat_postMessage(
                    channel=recipient,
                    text=text,
                    blocks=blocks,
                    unfurl_links=False,
                    metadata={"event_type": MARKER, "event_payload": message.marker},
                )
        except SlackApiError as error:
            reason = str(error.response.get("error", "unknown error"))
            if reason in FOR_GOOD:
                _undeliverable(sessions, message, reason)
                continue
            # Its claim lapses and a later sweep tries again, looking for it first only if Slack may have
            # taken it.
            log.warning("reply %s/%d not relayed yet: %s", message.conversation_id, message.seq, reason)
            if not may_have_posted(error):
                _retry_later(sessions, message, at=now + claim_for, looked_only=False)
            continue
        except (OSError, HTTPException) as error:  # it may or may not be in Slack: the retry looks first
            log.warning("reply %s/%d: no answer from Slack (%s)", message.conversation_id, message.seq, error)
            continue
        with transaction(sessions) as session:
            relay.mark_delivered(session, conversation_id=message.conversation_id, seq=message.seq, now=now)
        sent += 1
    return sent


def _found_in_slack(client: WebClient, message: DueRelay, recipient: str, claim_for: timedelta) -> bool:
    found = already_posted(
        client,
        to=recipient,
        is_dm=True,
        attempt=Attempt(began=message.attempted_before or message.deliver_at, lasts=claim_for),
        event_type=MARKER,
        payload=message.marker,
    )
    if found is not None:
        log.info("reply %s/%d was in Slack already: not sent again", message.conversation_id, message.seq)
    return found is not None


def _message_for(message: DueRelay) -> tuple[str, list[dict]]:
    if message.closing:
        return closed_message(message)
    return (to_author_message if message.to_author else to_manager_message)(message)


def _author(
    client: WebClient,
    sessions: SessionFactory,
    *,
    key: bytes,
    directory: WorkspaceDirectory,
    message: DueRelay,
) -> str | None:
    if message.subject.kind is ConversationSubject.comment:
        with transaction(sessions) as session:
            return relay.comment_author(session, key=key, conversation_id=message.conversation_id)
    return find_idea_author(client, sessions, directory, key=key, idea_id=message.subject.idea_id)


def _retry_later(sessions: SessionFactory, message: DueRelay, *, at: datetime, looked_only: bool) -> None:
    """For a later sweep: `looked_only`, this one could not look for the earlier attempt's message yet
    (which is looked for still); otherwise Slack said it did not post this one (nothing to look for)."""
    with transaction(sessions) as session:
        relay.retry_later(
            session,
            conversation_id=message.conversation_id,
            seq=message.seq,
            at=at,
            attempted_at=message.attempted_before if looked_only else None,
        )


def _undeliverable(sessions: SessionFactory, message: DueRelay, reason: str) -> None:
    log.warning("reply %s/%d cannot be relayed: %s", message.conversation_id, message.seq, reason)
    with transaction(sessions) as session:
        relay.mark_undeliverable(
            session, conversation_id=message.conversation_id, seq=message.seq, error=reason
        )
