"""`/pulse …`: help and privacy for everyone, survey administration for admins (pulse_admin.py)."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.slack.listeners.commands import pulse_admin
from pulsebot.slack.listeners.commands.digest import digest_command

HELP = (
    "*pulsebot*\n"
    "• `/pulse privacy`: what is stored about your answers, and who can see what\n"
    "• `/pulse digest [NAME]`: your team's weekly digest, by DM (managers and admins)\n"
    "• `/idea your idea`: share an idea to make things better for customers; a bare `/idea` opens a form\n"
    "• `/idea help`: lists, votes and how ideas move from New to Done\n"
    "*For admins*\n"
    "• `/pulse list`: the surveys, their schedules and when each runs next\n"
    "• `/pulse new` / `/pulse edit NAME`: create or change a survey in a form\n"
    "• `/pulse pause NAME` / `/pulse resume NAME`: stop or restart a survey's schedule\n"
    "• `/pulse send NAME`: send a survey's pulse now"
)

PRIVACY = (
    "*Your answers are anonymous by construction.*\n"
    "• An answer or comment is stored with a one-way code made from you and that pulse, "
    "never with your name or Slack id, "
    "and without the time you clicked.\n"
    "• pulsebot separately notes *whether* you answered, never *what*: that is how it sends at most two "
    "reminders, by DM, only to people who have not answered yet.\n"
    "• For pulses sent at your local time, pulsebot reads the time zone in your Slack profile.\n"
    "• Managers only see figures for groups of at least {min_group} people, so no one can be picked out.\n"
    "• You can change an answer, or take back a comment, until the pulse closes; after that it is part of "
    "the team's totals."
)


def pulse_command(ack: Ack, command: dict, client: WebClient, respond: Respond, context) -> None:
    deps = context["deps"]
    verb, _, rest = command.get("text", "").strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in ("", "help"):
        ack(text=HELP)
    elif verb == "privacy":
        ack(text=PRIVACY.format(min_group=deps.settings.min_group))
    elif verb in pulse_admin.VERBS:
        pulse_admin.handle(verb, rest, ack=ack, command=command, client=client, respond=respond, deps=deps)
    elif verb == "digest":
        digest_command(ack, command, client, deps, survey_name=rest)
    else:
        ack(text=f"I don't know `/pulse {verb}`.\n{HELP}")
