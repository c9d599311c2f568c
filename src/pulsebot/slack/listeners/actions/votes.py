"""The 👍 button on an idea card: vote, or take the vote back."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.i18n import N_
from pulsebot.services.errors import Invalid, Refusal
from pulsebot.services.idea.ideas import toggle_vote
from pulsebot.slack.person_language import said_to
from pulsebot.slack.publish import refresh_idea_card
from pulsebot.store.db import transaction


def vote_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    value = action.get("value", "")
    try:
        if not value.isdigit() or len(value) > 9:
            raise Invalid(N_("That button is not one pulsebot recognises, so nothing was recorded."))
        with transaction(deps.sessions) as session:
            toggle_vote(session, idea_id=int(value), user_id=body["user"]["id"], key=deps.key)
    except Refusal as refusal:
        said = said_to(deps, body["user"]["id"], refusal)  # to the voter alone, in their language
        respond(text=said, response_type="ephemeral", replace_original=False)
        return
    refresh_idea_card(client, deps.sessions, idea_id=int(value))
