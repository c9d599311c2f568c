"""`/pulse …`: help and privacy for everyone, survey administration for admins (pulse_admin.py)."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.slack.blocks.forgetting import forget_me_question
from pulsebot.slack.listeners.commands import pulse_admin
from pulsebot.slack.listeners.commands.digest import digest_command
from pulsebot.slack.text import escape

HELP = (
    "*pulsebot*\n"
    "• `/pulse privacy`: what is stored about your answers, and who can see what\n"
    "• `/pulse forget-me`: delete what pulsebot keeps about you (it asks first; it cannot be undone)\n"
    "• `/pulse digest [NAME]`: your team's weekly digest, by DM (managers and admins)\n"
    "• `/idea your idea`: share an idea to make things better for customers; a bare `/idea` opens a form\n"
    "• `/idea help`: lists, votes and how ideas move from New to Done\n"
    "*Anonymous replies*\n"
    "• Managers: *Reply anonymously to the author* beside a comment in your digest, or on an idea card, "
    "writes to its author by DM through pulsebot; you never learn who they are\n"
    "• Authors: answer back, or close the conversation, from the DM; your identity is never shared\n"
    "• Each message arrives a few minutes late, at a random moment, so its timing points at no one\n"
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
    "• Managers only see figures for groups of at least {min_group} people, so no one can be picked out, "
    "and each time they do it is written in an audit log.\n"
    "• If a manager replies to your comment or idea, pulsebot relays it by DM, and your answers back, a few "
    "minutes late: the manager never learns who you are, and only you can answer or close the conversation.\n"
    "• You can change an answer, or take back a comment, until the pulse closes; after that it is part of "
    "the team's totals.\n"
    "• Answers and comments older than {retention_days} days are deleted; only the weekly totals of teams "
    "of at least {min_group} stay, and old ideas lose their text.\n"
    "• `/pulse forget-me` deletes what can be tied to you: the records of the pulses sent to you, your "
    "votes, your name on your ideas. Your answers stay, since they cannot be tied to you."
)


def pulse_command(ack: Ack, command: dict, client: WebClient, respond: Respond, context) -> None:
    deps = context["deps"]
    verb, _, rest = command.get("text", "").strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in ("", "help"):
        ack(text=HELP)
    elif verb == "privacy":
        ack(
            text=PRIVACY.format(
                min_group=deps.settings.min_group, retention_days=deps.settings.retention_days
            )
        )
    elif verb == "forget-me":
        text, blocks = forget_me_question()
        ack(text=text, blocks=blocks)
    elif verb in pulse_admin.VERBS:
        pulse_admin.handle(verb, rest, ack=ack, command=command, client=client, respond=respond, deps=deps)
    elif verb == "digest":
        digest_command(ack, command, client, deps, survey_name=rest)
    else:
        ack(text=f"I don't know `/pulse {escape(verb)}`.\n{HELP}")
