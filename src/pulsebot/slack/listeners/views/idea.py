"""The idea modal opened by a bare `/idea`."""

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.idea.ideas import post_idea
from pulsebot.slack.person_language import translator_for
from pulsebot.slack.publish import publish_idea
from pulsebot.store.db import transaction


def idea_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    values = view["state"]["values"]
    text = values["text"]["value"].get("value") or ""
    category = (values["category"]["value"].get("selected_option") or {}).get("value", "other")
    stage = (values["stage"]["value"].get("selected_option") or {}).get("value")
    anonymous = bool(values["anonymous"]["value"].get("selected_options"))
    user_id = body["user"]["id"]
    try:
        with transaction(deps.sessions) as session:
            idea = post_idea(
                session,
                user_id=user_id,
                text=text,
                category=category,
                stage=stage,
                anonymous=anonymous,
                key=deps.key,
                now=deps.clock(),
                hourly_limit=deps.settings.ideas_per_hour,
            )
    except Refusal as refusal:
        # The modal stays open with the text in it, so nothing is lost.
        ack(response_action="errors", errors={"text": refusal.said(translator_for(deps, user_id))})
        return
    ack()
    tr = translator_for(deps, user_id)
    said = publish_idea(client, deps.sessions, idea_id=idea.id, channel_id=deps.settings.ideas_channel, tr=tr)
    client.chat_postMessage(channel=user_id, text=said)
