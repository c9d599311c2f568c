"""Changing an idea's status from Slack, and everything that follows: the card, the author's DM and,
for a shipped idea, the "you said, we did" note. Done after Slack's request has been acknowledged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.idea import idea_status
from pulsebot.services.idea.idea_status import LABELS, StatusChange
from pulsebot.slack.blocks.idea_status import author_notice, shipped_note
from pulsebot.slack.directory import find_idea_author
from pulsebot.slack.publish import refresh_idea_card
from pulsebot.store.db import transaction
from pulsebot.store.models import IdeaStatus

if TYPE_CHECKING:
    from pulsebot.slack.app import Deps


def change_idea_status(
    client: WebClient,
    deps: Deps,
    *,
    user_id: str,
    idea_id: int,
    status: IdeaStatus,
    reason: str | None = None,
) -> StatusChange:
    """Check the person's role and make the change; a Refusal says why not."""
    role = deps.directory.role(client, deps.settings, user_id)
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
    try:
        author = change.idea.author_id or find_idea_author(
            client, deps.sessions, deps.directory, key=deps.key, idea_id=change.idea.id
        )
        if author is None:
            return "I could not find its author in the workspace (they may have left), so no one was told."
        client.chat_postMessage(channel=author, text=author_notice(change))
    except SlackApiError as error:
        return f"I could not tell its author ({_reason(error)})."
    return "Its author was told by DM."


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
