""" "Is this helping?" buttons on a shared action: checked now, saved with the next mixed batch."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.loop.helping import prepare_helping_answer
from pulsebot.slack.blocks.helping import helping_thanks
from pulsebot.slack.listeners.actions.answers import parse_ids
from pulsebot.slack.thanks import reply_quietly, submit_with_thanks
from pulsebot.store.db import transaction


def helping_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    try:
        check_part, _, answer = action.get("value", "").partition(":")
        (check_id,) = parse_ids(check_part, 1)  # the answer itself is checked against the three choices
        with transaction(deps.sessions) as session:
            pending = prepare_helping_answer(
                session,
                check_id=check_id,
                user_id=body["user"]["id"],
                answer=answer,
                key=deps.key,
                now=deps.clock(),
                is_admin=deps.directory.is_admin(client, deps.settings, body["user"]["id"]),
            )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return

    submit_with_thanks(
        deps.mixer, pending, tell=lambda text: reply_quietly(respond, text), thanks=helping_thanks
    )
