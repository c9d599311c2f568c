"""A manager's digest: “Share with the team” posts the week to the team's channel in one click;
“Preview, add comments…” opens the preview of that post first."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.privacy.roles import Role
from pulsebot.slack import sharing
from pulsebot.slack.blocks.sharing import share_modal, share_target


def share_now_clicked(
    ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context
) -> None:
    """Claimed, then posted as the digest shows it, without comments; the manager reads how it went."""
    ack()
    deps = context["deps"]
    user_id, now = body["user"]["id"], deps.clock()
    try:
        summary = sharing.claim_as_manager(
            client, deps, target=str(action.get("value", "")), user_id=user_id, with_comments=False, now=now
        )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    note = sharing.post_for_manager(client, deps, summary, user_id=user_id, with_comments=False, now=now)
    respond(text=note, response_type="ephemeral", replace_original=False)


def share_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    user_id = body["user"]["id"]
    try:
        survey_name, week = share_target(str(action.get("value", "")))
        summary = deps.directory.with_rights(
            client,
            deps.settings,
            user_id,
            lambda role: sharing.preview(
                deps.sessions,
                deps.settings,
                survey_name=survey_name,
                week=week,
                user_id=user_id,
                is_admin=role is Role.admin,
                now=deps.clock(),
            ),
        )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=share_modal(summary))
