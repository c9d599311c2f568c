"""The buttons of an onboarding pulse (anonymous, through the mixing window) and of an exit survey
(confidential to HR, not anonymous: stored at once with the person's name)."""

from datetime import UTC

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.onboarding.exits import record_exit_answer
from pulsebot.services.onboarding.onboarding import prepare_onboarding_answer
from pulsebot.slack.blocks.onboarding import exit_thanks, onboarding_thanks
from pulsebot.slack.listeners.actions.answers import parse_ids
from pulsebot.slack.thanks import reply_quietly, submit_with_thanks
from pulsebot.store.db import transaction


def _parts(value: str) -> tuple[int, str, str]:
    """`owner:question:answer`, the owner being the pulse's or the exit survey's id."""
    owner, _, rest = value.partition(":")
    (owner_id,) = parse_ids(owner, 1)
    question, _, answer = rest.partition(":")
    return owner_id, question, answer


def onboarding_clicked(ack: Ack, body: dict, action: dict, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    try:
        pulse_id, question, answer = _parts(action.get("value", ""))
        with transaction(deps.sessions) as session:
            pending = prepare_onboarding_answer(
                session,
                pulse_id=pulse_id,
                user_id=body["user"]["id"],
                question_key=question,
                value=answer,
                key=deps.key,
                today=deps.clock().astimezone(UTC).date(),
            )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    submit_with_thanks(
        deps.mixer, pending, tell=lambda text: reply_quietly(respond, text), thanks=onboarding_thanks
    )


def exit_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    try:
        exit_id, question, answer = _parts(action.get("value", ""))
        with transaction(deps.sessions) as session:
            recorded = record_exit_answer(
                session,
                exit_id=exit_id,
                user_id=body["user"]["id"],
                question_key=question,
                value=answer,
                now=deps.clock(),
            )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    reply_quietly(respond, exit_thanks(recorded))
