"""The decline modal: a manager gives the reason the author will read; an empty one is a field error."""

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.slack.blocks.idea_status import decline_target
from pulsebot.slack.status_change import announce_status_change, change_idea_status
from pulsebot.store.models import IdeaStatus


def decline_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user_id = body["user"]["id"]
    idea_id, channel_id = decline_target(view.get("private_metadata", ""))
    reason = view["state"]["values"]["reason"]["value"].get("value") or ""
    try:
        change = change_idea_status(
            client, deps, user_id=user_id, idea_id=idea_id, status=IdeaStatus.declined, reason=reason
        )
    except Refusal as refusal:
        # The modal stays open with the reason in it, so nothing typed is lost.
        ack(response_action="errors", errors={"reason": refusal.message})
        return
    ack()
    told = announce_status_change(client, deps, change)
    if channel_id:
        client.chat_postEphemeral(channel=channel_id, user=user_id, text=told)
