"""Changing an idea's status from Slack, and everything that follows: the card, the author's DM and,
for a shipped idea, the "you said, we did" note. Done after Slack's request has been acknowledged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.idea import idea_status
from pulsebot.services.idea.idea_status import LABELS, StatusChange
from pulsebot.slack.blocks.idea_status import author_notice, shipped_note
from pulsebot.slack.directory import find_idea_author
from pulsebot.slack.person_language import translator_for
from pulsebot.slack.publish import refresh_idea_card
from pulsebot.store.db import transaction
from pulsebot.store.models import IdeaStatus

if TYPE_CHECKING:
    from pulsebot.slack.app import Deps

log = logging.getLogger(__name__)

# The same words whether the author was found and told or not: "they may have left" would tell the manager
# that the author is among those who left, were deactivated or asked to be forgotten.
ANONYMOUS_AUTHOR_TOLD = "If its author is still in the workspace, they were told by DM."


def change_idea_status(
    client: WebClient,
    deps: Deps,
    *,
    user_id: str,
    idea_id: int,
    status: IdeaStatus,
    reason: str | None = None,
) -> StatusChange:
    """Check the person's role (asking Slack only as long as an ack can wait) and make the change; a
    Refusal says why not."""

    def change(role):
        with transaction(deps.sessions) as session:
            return idea_status.change_status(
                session,
                idea_id=idea_id,
                status=status,
                user_id=user_id,
                role=role,
                reason=reason,
                now=deps.clock(),
            )

    return deps.directory.with_rights(client, deps.settings, user_id, change)


def announce_status_change(client: WebClient, deps: Deps, change: StatusChange) -> str:
    """Update the card, tell the author, post a shipped idea; return what to tell the person who moved it."""
    idea = change.idea
    told = [f"#{idea.id} is now *{LABELS[idea.status]}*."]
    try:
        refresh_idea_card(client, deps.sessions, idea_id=idea.id)
    except SlackApiError as error:
        told.append(f"I could not update its card ({_reason(error)}).")
    told.append(_tell_author(client, deps, change))
    if change.shipped:
        told.append(_post_shipped(client, deps, change))
    return " ".join(filter(None, told))


def _tell_author(client: WebClient, deps: Deps, change: StatusChange) -> str:
    if change.idea.anonymous:
        _tell_anonymous_author(client, deps, change)
        return ANONYMOUS_AUTHOR_TOLD
    try:
        tr = translator_for(deps, change.idea.author_id)  # a DM to the author alone, in their language
        client.chat_postMessage(channel=change.idea.author_id, text=author_notice(change, tr))
    except SlackApiError as error:
        return f"I could not tell its author ({_reason(error)})."
    return "Its author was told by DM."


def _tell_anonymous_author(client: WebClient, deps: Deps, change: StatusChange) -> None:
    """DM the author if they are among the workspace's people. An author who is not (they left, their
    account was deactivated, they asked to be forgotten) is not logged either: a line saying so would
    tell whoever reads the logs whose idea it was not, next to the idea's number."""
    try:
        author = find_idea_author(client, deps.sessions, deps.directory, key=deps.key, idea_id=change.idea.id)
        if author is not None:
            tr = translator_for(deps, author)  # what the manager is told stays the same either way
            client.chat_postMessage(channel=author, text=author_notice(change, tr))
    except SlackApiError as error:
        log.warning("a status change could not be told to an anonymous idea's author: %s", _reason(error))


def _post_shipped(client: WebClient, deps: Deps, change: StatusChange) -> str:
    channel = deps.settings.shipped_channel or deps.settings.ideas_channel
    if channel is None:
        return ""
    try:
        client.chat_postMessage(channel=channel, text=shipped_note(change.idea))
    except SlackApiError as error:
        return f"I could not announce it in <#{channel}> ({_reason(error)})."
    return f"Announced in <#{channel}>."


def _reason(error: SlackApiError) -> str:
    return str(error.response.get("error", "unknown error"))
