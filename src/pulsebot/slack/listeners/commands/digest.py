"""`/pulse digest [SURVEY]`: a team's weekly digest by DM, for its managers and for admins."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.digest.digests import digest_scopes_for
from pulsebot.services.errors import NotAllowed, Refusal
from pulsebot.services.results.analytics import ORG
from pulsebot.slack.digest import send_requested_digests
from pulsebot.slack.directory import RightsUnknown
from pulsebot.slack.text import escape
from pulsebot.store.db import transaction

# Said at once when whether the person runs the Slack workspace decides what they may see, and Slack is
# too slow or throttled to say so before the command must be answered.
ASKING_SLACK = "Slack is slow to confirm your rights right now: I will tell you here in a moment."


def digest_command(
    ack: Ack, command: dict, client: WebClient, respond: Respond, deps, survey_name: str
) -> None:
    user_id = command["user_id"]
    survey_name = escape(survey_name)  # echoed in refusals; a real survey name has no `<`, `>` or `&`

    def scopes_for(is_admin: bool) -> list[str]:
        with transaction(deps.sessions) as session:
            return digest_scopes_for(
                session, user_id=user_id, is_admin=is_admin, survey_name=survey_name or None
            )

    try:
        scopes = _scopes_before_ack(client, deps, user_id, scopes_for, named=bool(survey_name))
    except RightsUnknown:
        # Asked again after the ack, waiting out Slack's 429s, and the answer given in place.
        ack(text=ASKING_SLACK)
        try:
            scopes = scopes_for(deps.directory.is_admin(client, deps.settings, user_id, strict=True))
        except Refusal as refusal:
            respond(text=refusal.message, response_type="ephemeral")
            return
        respond(text=_sending(scopes), response_type="ephemeral")
    except Refusal as refusal:
        ack(text=refusal.message)
        return
    else:
        ack(text=_sending(scopes))
    send_requested_digests(
        client, deps.sessions, deps.settings, user_id=user_id, scopes=scopes, now=deps.clock()
    )


def _scopes_before_ack(client: WebClient, deps, user_id: str, scopes_for, *, named: bool) -> list[str]:
    """The digests the person may have, from what pulsebot holds and what Slack says in time; RightsUnknown
    when whether they run the Slack workspace would change the answer and Slack cannot say in time."""
    try:
        return scopes_for(deps.directory.admin_before_ack(client, deps.settings, user_id))
    except RightsUnknown:
        if not named:  # the organisation's digest, and every team's, hang on it
            raise
        try:  # a team they manage is theirs whatever Slack would say
            return scopes_for(False)
        except NotAllowed:
            raise RightsUnknown() from None


def _sending(scopes: list[str]) -> str:
    names = ", ".join("the whole organisation" if scope == ORG else f"“{scope}”" for scope in scopes)
    return f"Sending the digest of {names} to you in a DM…"
