"""`/pulse …`: help and privacy for everyone, survey administration for admins."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.slack.listeners.commands.digest import digest_command
from pulsebot.slack.publish import send_pulse

HELP = (
    "*pulsebot*\n"
    "• `/pulse privacy`: what is stored about your answers, and who can see what\n"
    "• `/pulse send NAME`: send a survey's pulse now (admins)\n"
    "• `/pulse digest [NAME]`: your team's weekly digest, by DM (managers and admins)\n"
    "• `/idea your idea`: share an idea to make things better for customers; a bare `/idea` opens a form"
)

PRIVACY = (
    "*Your answers are anonymous by construction.*\n"
    "• An answer is stored with a one-way code made from you and that pulse, "
    "never with your name or Slack id, "
    "and without the time you clicked.\n"
    "• pulsebot separately notes *whether* you answered (to remind only those who have not), never *what*.\n"
    "• Managers only see figures for groups of at least {min_group} people, so no one can be picked out.\n"
    "• You can change an answer until the pulse closes; after that it is part of the team's totals."
)


def pulse_command(ack: Ack, command: dict, client: WebClient, respond: Respond, context) -> None:
    deps = context["deps"]
    verb, _, rest = command.get("text", "").strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in ("", "help"):
        ack(text=HELP)
    elif verb == "privacy":
        ack(text=PRIVACY.format(min_group=deps.settings.min_group))
    elif verb == "send":
        if command["user_id"] not in deps.settings.admins:
            ack(text="Only pulsebot admins can send a pulse. Ask one of them if this one should go out now.")
        elif not rest:
            ack(text="Which survey? Try `/pulse send team-pulse`.")
        else:
            ack(text=f"Sending “{rest}” now…")
            try:
                run = send_pulse(client, deps.sessions, survey_name=rest, now=deps.clock())
            except Refusal as refusal:
                respond(text=refusal.message, response_type="ephemeral")
                return
            respond(
                text=f"Sent “{run.title}” to {run.audience} people in <#{run.channel_id}>.",
                response_type="ephemeral",
            )
    elif verb == "digest":
        digest_command(ack, command, client, deps, survey_name=rest)
    else:
        ack(text=f"I don't know `/pulse {verb}`.\n{HELP}")
