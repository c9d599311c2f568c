""" "Is this helping?" buttons on a shared action: checked now, saved with the next mixed batch."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Invalid, Refusal
from pulsebot.services.loop.helping import prepare_helping_answer
from pulsebot.slack.blocks.helping import helping_thanks
from pulsebot.slack.thanks import reply_quietly, submit_with_thanks
from pulsebot.store.db import transaction


def helping_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    try:
        check_part, _, answer = action.get("value", "").partition(":")
        if not check_part.isdigit() or len(check_part) > 9:
            raise Invalid("That button is not one pulsebot recognises, so nothing was recorded.")
        with transaction(deps.sessions) as session:
            pending = prepare_helping_answer(
                session,
                check_id=int(check_part),
                user_id=body["user"]["id"],
                answer=answer,
                key=deps.key,
                now=deps.clock(),
            )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return

    submit_with_thanks(
        deps.mixer, pending, tell=lambda text: reply_quietly(respond, text), thanks=helping_thanks
    )
