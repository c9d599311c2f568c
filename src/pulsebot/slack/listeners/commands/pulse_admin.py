"""`/pulse list|new|edit|pause|resume|send`: survey administration, for PULSEBOT_ADMINS only."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.errors import Refusal
from pulsebot.services.pulse.outbox import run_outcome
from pulsebot.services.survey.surveys import list_surveys, set_paused, survey_spec, survey_summary
from pulsebot.slack.blocks.pulses import sending_phrase
from pulsebot.slack.blocks.surveys import next_open_phrase, survey_form, survey_list
from pulsebot.slack.directory import RightsUnknown
from pulsebot.slack.publish import open_run
from pulsebot.slack.text import escape
from pulsebot.store.db import transaction
from pulsebot.store.models import DeliveryMode

# What a non-admin is told they cannot do.
VERBS = {
    "list": "list the surveys",
    "new": "create a survey",
    "edit": "change a survey",
    "pause": "pause a survey",
    "resume": "resume a survey",
    "send": "send a pulse",
}
NEEDS_NAME = {"edit", "pause", "resume", "send"}


def handle(
    verb: str, name: str, *, ack: Ack, command: dict, client: WebClient, respond: Respond, deps
) -> None:
    try:
        # Before the ack, and for `new` and `edit` before the trigger runs out: Slack is asked only as long
        # as that can wait, and "Slack is busy" is said rather than a refusal it might have lifted.
        admin = deps.directory.admin_before_ack(client, deps.settings, command["user_id"])
    except RightsUnknown as unknown:
        ack(text=unknown.message)
        return
    if not admin:
        ack(text=f"Only pulsebot admins can {VERBS[verb]}. Ask one of them (PULSEBOT_ADMINS).")
        return
    name = escape(name)  # echoed back in replies; a real survey name has no `<`, `>` or `&` anyway
    if verb in NEEDS_NAME and not name:
        ack(text=f"Which survey? Try `/pulse {verb} team-pulse` (`/pulse list` shows them all).")
        return
    try:
        if verb == "list":
            with transaction(deps.sessions) as session:
                ack(text=survey_list(list_surveys(session, now=deps.clock())))
        elif verb == "new":
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=survey_form())
        elif verb == "edit":
            with transaction(deps.sessions) as session:
                spec = survey_spec(session, name=name)
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=survey_form(spec))
        elif verb in ("pause", "resume"):
            ack(text=_pause_or_resume(deps, name, paused=verb == "pause"))
        else:
            _send(deps, name, ack=ack, client=client, respond=respond)
    except Refusal as refusal:
        ack(text=refusal.message)


def _pause_or_resume(deps, name: str, *, paused: bool) -> str:
    now = deps.clock()
    with transaction(deps.sessions) as session:
        changed = set_paused(session, name=name, paused=paused, now=now)
        summary = survey_summary(session, name=name, now=now)
    if paused:
        if not changed:
            return f"“{name}” is already paused; `/pulse resume {name}` restarts it."
        return (
            f"Paused “{name}”: no run opens on its schedule until `/pulse resume {name}`. A run already "
            f"open stays open until it closes, and `/pulse send {name}` still sends one by hand."
        )
    if not changed:
        return f"“{name}” is not paused: {next_open_phrase(summary)}."
    return f"Resumed “{name}”: {next_open_phrase(summary)}."


def _send(deps, name: str, *, ack: Ack, client: WebClient, respond: Respond) -> None:
    ack(text=f"Sending “{name}” now…")
    try:
        # Reading the audience can take a while in a big channel, hence after the ack; the posting
        # itself is the outbox sender's, so a fan-out of thousands never holds up this request.
        run = open_run(client, deps.sessions, settings=deps.settings, survey_name=name, now=deps.clock())
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral")
        return
    except SlackApiError as error:
        refused(respond, name, error.response.get("error", "unknown error"))
        return
    if run.delivery is DeliveryMode.dm:
        deps.sender.wake()
    else:
        # One message: posted here (through the outbox all the same), so the admin hears how it went.
        deps.sender.outboxes.for_team(deps.team_id).drain(run_id=run.run_id)
        with transaction(deps.sessions) as session:
            outcome = run_outcome(session, run_id=run.run_id)
        if outcome.failed:
            refused(respond, name, next(iter(outcome.errors)))
            return
    respond(text=sending_phrase(run, deps.settings.send_rate), response_type="ephemeral")


def refused(respond: Respond, name: str, reason: str) -> None:
    respond(
        text=f"Slack refused while sending “{name}” ({reason}). Is pulsebot invited to its channel?",
        response_type="ephemeral",
    )
