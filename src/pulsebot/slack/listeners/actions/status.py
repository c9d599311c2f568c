"""The status menu on an idea card: managers move the idea along; "Decline…" asks for a reason first."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Invalid, Refusal
from pulsebot.services.idea.idea_status import check_change
from pulsebot.services.idea.ideas import idea_view
from pulsebot.slack.blocks.idea_status import decline_modal
from pulsebot.slack.status_change import announce_status_change, change_idea_status
from pulsebot.store.db import transaction
from pulsebot.store.models import IdeaStatus


def status_chosen(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    user_id = body["user"]["id"]
    try:
        idea_id, status = _chosen(action)
        if status is IdeaStatus.declined:
            # Refuse before asking for a reason that could not be used anyway.
            # Asked of Slack only as long as the click's trigger lives (slack/directory.py with_rights).
            def checked(role):
                with transaction(deps.sessions) as session:
                    check_change(session, idea_id=idea_id, status=status, role=role)
                    return idea_view(session, idea_id=idea_id)

            idea = deps.directory.with_rights(client, deps.settings, user_id, checked)
            channel_id = (body.get("channel") or {}).get("id") or body["container"].get("channel_id")
            client.views_open(
                trigger_id=body["trigger_id"], view=decline_modal(idea=idea, channel_id=channel_id)
            )
            return
        change = change_idea_status(client, deps, user_id=user_id, idea_id=idea_id, status=status)
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    respond(
        text=announce_status_change(client, deps, change), response_type="ephemeral", replace_original=False
    )


def _chosen(action: dict) -> tuple[int, IdeaStatus]:
    idea_part, _, status_part = (action.get("selected_option") or {}).get("value", "").partition(":")
    status = next((status for status in IdeaStatus if status.value == status_part), None)
    if not idea_part.isdigit() or len(idea_part) > 9 or status is None:
        raise Invalid("That menu item is not one pulsebot recognises, so nothing was changed.")
    return int(idea_part), status
