"""Action plans in Slack: opening the planning form, checking the owner, telling the team in its channel,
and the owners' reminders. Posting happens after Slack's request has been acknowledged; a post Slack
refuses is logged and told to the manager, and the action stays as planned."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.errors import Invalid
from pulsebot.services.loop import action_reminders, actions
from pulsebot.services.loop.actions import LABELS, ActionChange, ActionLine
from pulsebot.services.loop.focus import focus_options
from pulsebot.services.privacy.roles import Role
from pulsebot.slack.blocks.actions import action_modal, channel_post, reminder_text, status_post
from pulsebot.slack.text import escape, excerpt
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import ActionStatus

if TYPE_CHECKING:
    from pulsebot.slack.app import Deps

log = logging.getLogger(__name__)


def plan_modal(client: WebClient, deps: Deps, *, user_id: str, survey_name: str, source: str) -> dict:
    """The planning form for the team, for its managers and admins; a Refusal says why not. Asked of
    Slack only as long as the trigger lives (slack/directory.py with_rights)."""

    def checked(role: Role):
        with transaction(deps.sessions) as session:
            actions.check_may_plan(
                session, survey_name=survey_name, user_id=user_id, is_admin=role is Role.admin
            )
            return focus_options(
                session, survey_name=survey_name, now=deps.clock(), min_group=deps.settings.min_group
            )

    options = deps.directory.with_rights(client, deps.settings, user_id, checked)
    if not options.all:
        raise Invalid(
            f"“{options.title}” has no driver, rated question or comment theme to plan an action about yet."
        )
    return action_modal(options, source=source)


def owner_problem(client: WebClient, owner_id: str) -> str | None:
    """Why this person cannot own an action (not in the workspace, deactivated, a bot), or None."""
    try:
        user = client.users_info(user=owner_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "invalid_user"):
            return "That person is not in this workspace: choose someone who is."
        raise
    if user.get("deleted"):
        return "That account has been deactivated: choose someone who is still here."
    if user.get("is_bot") or user.get("id") == "USLACKBOT":
        return "A bot cannot own an action: choose a person."
    return None


def announce_new_action(client: WebClient, deps: Deps, action: ActionLine) -> str:
    """Post a visible action in the team's channel (and keep where); say to the manager what happened."""
    planned = f"Planned for *{escape(action.team_title)}*: {excerpt(action.text, 300)}"
    if not action.visible:
        return f"{planned}\nOnly the team's managers see it (it was not posted to the team)."
    text, blocks = channel_post(action)
    try:
        posted = client.chat_postMessage(channel=action.channel, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("action #%s not posted to %s: %s", action.id, action.channel, _why(error))
        return f"{planned}\n{_not_posted(action.channel, error)} The action is kept all the same."
    with transaction(deps.sessions) as session:
        actions.keep_post(session, action_id=action.id, channel_id=posted["channel"], message_ts=posted["ts"])
    return f"{planned}\nThe team can read it in <#{action.channel}>."


def announce_change(
    client: WebClient, deps: Deps, change: ActionChange, *, current: ActionLine | None = None
) -> str | None:
    """Tell the team of a visible action's new status, and update its post (to `current`, the action as it
    is now, when it has moved on since); words for the manager when Slack refused something, else None."""
    action = change.action
    if not action.visible:
        return None
    problems = []
    try:
        client.chat_postMessage(channel=action.channel, text=status_post(change))
    except SlackApiError as error:
        log.warning("action #%s change not posted to %s: %s", action.id, action.channel, _why(error))
        problems.append(_not_posted(action.channel, error))
    if problem := redraw_post(client, current or action):
        problems.append(problem)
    if not problems:
        return None
    return f"“{excerpt(action.text, 300)}” is now *{LABELS[action.status]}*. " + " ".join(problems)


def redraw_post(client: WebClient, action: ActionLine) -> str | None:
    """Draw the action's post in its team's channel again as the action is now; words for the manager
    when Slack refused, else None (also when it was never posted)."""
    if not (action.visible and action.channel_id and action.message_ts):
        return None
    text, blocks = channel_post(action)
    try:
        client.chat_update(channel=action.channel_id, ts=action.message_ts, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("action #%s post not updated: %s", action.id, _why(error))
        return f"I could not update its first post in <#{action.channel_id}> ({_why(error)})."
    return None


def change_action_status(
    client: WebClient,
    deps: Deps,
    *,
    user_id: str,
    action_id: int,
    status: ActionStatus,
    reason: str | None = None,
    before_ack: bool,
) -> ActionChange:
    """Check the person may move the action, and move it; a Refusal says why not. Before a request's ack
    (`before_ack`) Slack is asked only as long as that can wait; after it, Slack's 429s are waited out.
    Either way, when Slack cannot say, the person reads that Slack is busy rather than a refusal."""

    def change(role: Role) -> ActionChange:
        with transaction(deps.sessions) as session:
            return actions.change_status(
                session,
                action_id=action_id,
                status=status,
                reason=reason,
                actor=user_id,
                now=deps.clock(),
                is_admin=role is Role.admin,
            )

    if before_ack:
        return deps.directory.with_rights(client, deps.settings, user_id, change)
    return deps.directory.with_rights_after_ack(client, deps.settings, user_id, change)


def remind_action_owners(client: WebClient, sessions: SessionFactory, *, now: datetime) -> int:
    """DM the owners whose action is due in three days or today; each reminder once. The number sent."""
    with transaction(sessions) as session:
        due = action_reminders.due_reminders(session, now=now)
    sent = 0
    for reminder in due:
        # The claim is committed before the DM: a second scheduler finds it taken and sends nothing.
        with transaction(sessions) as session:
            if not action_reminders.claim_reminder(session, action_id=reminder.action_id, kind=reminder.kind):
                continue
        try:
            client.chat_postMessage(channel=reminder.owner_id, text=reminder_text(reminder))
        except SlackApiError as error:
            log.warning("action #%s reminder not sent: %s", reminder.action_id, _why(error))
            with transaction(sessions) as session:
                action_reminders.release_reminder(session, action_id=reminder.action_id, kind=reminder.kind)
            continue
        sent += 1
    return sent


def _not_posted(channel: str, error: SlackApiError) -> str:
    why = _why(error)
    if why == "not_in_channel":
        return (
            f"I could not post it in <#{channel}>: pulsebot is not a member of that channel. "
            "Invite it there (`/invite @pulsebot`) so the team hears of the next change."
        )
    if why in ("channel_not_found", "is_archived"):
        return f"I could not post it in the team's channel: it is archived or gone ({why})."
    return f"I could not post it in <#{channel}> (Slack said {why})."


def _why(error: SlackApiError) -> str:
    return str(error.response.get("error", "unknown error"))
