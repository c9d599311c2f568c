"""`/idea TEXT` posts an idea at once; a bare `/idea` opens the idea modal."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.ideas import post_idea
from pulsebot.slack.blocks.ideas import idea_modal
from pulsebot.slack.publish import publish_idea
from pulsebot.slack.text import quote
from pulsebot.store.db import transaction


def idea_command(ack: Ack, command: dict, client: WebClient, respond: Respond, context) -> None:
    deps = context["deps"]
    text = command.get("text", "").strip()
    if not text:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=idea_modal())
        return
    try:
        with transaction(deps.sessions) as session:
            idea = post_idea(session, user_id=command["user_id"], text=text, key=deps.key, now=deps.clock())
    except Refusal as refusal:
        # Echo the text back so nothing the person wrote is lost.
        ack(text=f"{refusal.message}\nYour idea, so you can copy it:\n{quote(text)}")
        return
    ack()
    respond(
        text=publish_idea(client, deps.sessions, idea_id=idea.id, channel_id=deps.settings.ideas_channel),
        response_type="ephemeral",
    )
