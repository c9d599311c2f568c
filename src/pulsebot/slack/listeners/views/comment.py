"""The comment modal of a pulse: a free-text answer, checked and stored anonymously."""

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.services.errors import Closed, NotAllowed, NotFound, Refusal
from pulsebot.services.pulses import closing_phrase, record_comment
from pulsebot.slack.blocks import notice_view
from pulsebot.slack.blocks.pulses import answer_thanks
from pulsebot.slack.listeners.actions.answers import parse_ids
from pulsebot.store.db import transaction


def comment_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    comment = view["state"]["values"]["comment"]["text"].get("value") or ""
    try:
        run_id, question_id = parse_ids(view.get("private_metadata", ""), 2)
        with transaction(deps.sessions) as session:
            receipt = record_comment(
                session,
                run_id=run_id,
                question_id=question_id,
                user_id=body["user"]["id"],
                comment=comment,
                key=deps.key,
                now=deps.clock(),
            )
    except (Closed, NotAllowed, NotFound) as refusal:
        # Not something the person can fix by editing: say why in place of the form.
        ack(response_action="update", view=notice_view(refusal.message, title="Not recorded"))
        return
    except Refusal as refusal:
        ack(response_action="errors", errors={"comment": refusal.message})
        return
    ack()
    client.chat_postMessage(
        channel=body["user"]["id"],
        text=answer_thanks(
            replaced=receipt.replaced,
            prompt=receipt.question_prompt,
            label=receipt.value_label,
            closes_on=closing_phrase(receipt),
            removed=receipt.removed,
        ),
    )
    deps.live_counts.changed(run_id, team_id=deps.team_id)
