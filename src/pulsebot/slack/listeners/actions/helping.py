""" "Is this helping?" buttons on a shared action: checked now, saved with the next mixed batch."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Invalid, Refusal
from pulsebot.services.loop.helping import HelpingReceipt, prepare_helping_answer
from pulsebot.slack.blocks.helping import NOT_SAVED, helping_thanks
from pulsebot.slack.thanks import reply_quietly
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

    def saved(receipt: HelpingReceipt | None) -> None:
        reply_quietly(respond, helping_thanks(receipt))

    deps.mixer.submit(pending, saved=saved, failed=lambda: reply_quietly(respond, NOT_SAVED))
