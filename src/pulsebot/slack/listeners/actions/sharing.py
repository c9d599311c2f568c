"""“Share with the team” on a manager's digest: opens the preview of the post to the team's channel."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.slack import sharing
from pulsebot.slack.blocks.sharing import share_modal, share_target


def share_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    user_id = body["user"]["id"]
    try:
        survey_name, week = share_target(str(action.get("value", "")))
        summary = sharing.preview(
            deps.sessions,
            deps.settings,
            survey_name=survey_name,
            week=week,
            user_id=user_id,
            is_admin=deps.directory.is_admin(client, deps.settings, user_id),
            now=deps.clock(),
        )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=share_modal(summary))
