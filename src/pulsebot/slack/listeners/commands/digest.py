"""`/pulse digest [SURVEY]`: a team's weekly digest by DM, for its managers and for admins."""

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.services.digest.digests import digest_scopes_for
from pulsebot.services.errors import Refusal
from pulsebot.services.results.analytics import ORG
from pulsebot.slack.digest import send_requested_digests
from pulsebot.slack.text import escape
from pulsebot.store.db import transaction


def digest_command(ack: Ack, command: dict, client: WebClient, deps, survey_name: str) -> None:
    user_id = command["user_id"]
    survey_name = escape(survey_name)  # echoed in refusals; a real survey name has no `<`, `>` or `&`
    try:
        with transaction(deps.sessions) as session:
            scopes = digest_scopes_for(
                session,
                user_id=user_id,
                is_admin=deps.directory.is_admin(client, deps.settings, user_id),
                survey_name=survey_name or None,
            )
    except Refusal as refusal:
        ack(text=refusal.message)
        return
    names = ", ".join("the whole organisation" if scope == ORG else f"“{scope}”" for scope in scopes)
    ack(text=f"Sending the digest of {names} to you in a DM…")
    send_requested_digests(
        client, deps.sessions, deps.settings, user_id=user_id, scopes=scopes, now=deps.clock()
    )
