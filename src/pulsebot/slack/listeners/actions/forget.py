"""The buttons under `/pulse forget-me`: forget the person who clicked, or leave everything as it is."""

import logging

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.privacy import audit
from pulsebot.services.privacy.forgetting import forget_person, scrub_forgotten
from pulsebot.slack.blocks.forgetting import CANCELLED, forgotten_text
from pulsebot.slack.publish import refresh_idea_card
from pulsebot.store.db import transaction

log = logging.getLogger(__name__)


def forget_me_clicked(ack: Ack, body: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    with transaction(deps.sessions) as session:
        # Whoever clicks is the one forgotten, so no one can forget someone else through this button.
        forgotten = forget_person(
            session, user_id=body["user"]["id"], key=deps.key, actor=audit.FORGET_ME, now=deps.clock()
        )
    scrub_forgotten(deps.sessions)
    respond(text=forgotten_text(forgotten), response_type="ephemeral", replace_original=True)
    # Only the signed cards, which still show the name: the anonymous ones read the same as before, and
    # redrawing them would show the channel which were the person's.
    for idea_id in forgotten.signed_ideas:
        try:
            refresh_idea_card(client, deps.sessions, idea_id=idea_id)
        except SlackApiError as error:  # say, a card deleted from the channel: the forgetting stands
            log.warning("idea card %d not redrawn: %s", idea_id, error.response.get("error"))


def forget_me_cancelled(ack: Ack, respond: Respond) -> None:
    ack()
    respond(text=CANCELLED, response_type="ephemeral", replace_original=True)
