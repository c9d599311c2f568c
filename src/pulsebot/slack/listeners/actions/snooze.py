"""The pause button on App Home: pause the clicker's pulses for two weeks, or resume them."""

from __future__ import annotations

from datetime import UTC

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.i18n import N_
from pulsebot.services.errors import Invalid, Refusal
from pulsebot.services.survey.snooze import parse_snooze, set_snooze
from pulsebot.slack.blocks.snooze import HOME_PAUSE, HOME_RESUME, paused_text, resumed_text
from pulsebot.slack.home import publish_home
from pulsebot.slack.person_language import translator_for
from pulsebot.store.db import transaction


def snooze_clicked(ack: Ack, body: dict, action: dict, client: WebClient, context) -> None:
    ack()
    deps = context["deps"]
    user_id = body["user"]["id"]  # whoever clicks: the button pauses no one else
    asked = action.get("value", "")
    tr = translator_for(deps, user_id)  # a DM to them alone, in their own language
    try:
        if asked not in (HOME_PAUSE, HOME_RESUME):
            raise Invalid(N_("That button is not one pulsebot recognises, so nothing was changed."))
        change = parse_snooze(asked, today=deps.clock().astimezone(UTC).date())
        with transaction(deps.sessions) as session:
            changed = set_snooze(session, user_id=user_id, change=change)
    except Refusal as refusal:  # App Home has no reply of its own: a DM says it
        client.chat_postMessage(channel=user_id, text=refusal.said(tr))
        return
    said = resumed_text(changed, tr) if change.through is None else paused_text(change.through, tr)
    client.chat_postMessage(channel=user_id, text=said)
    publish_home(client, deps, user_id=user_id)
