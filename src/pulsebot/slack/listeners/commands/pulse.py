"""`/pulse …`: help and privacy for everyone, survey administration for admins (pulse_admin.py)."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.slack.blocks.forgetting import forget_me_question
from pulsebot.slack.listeners.commands import pulse_admin
from pulsebot.slack.listeners.commands.action import action_command
from pulsebot.slack.listeners.commands.digest import digest_command
from pulsebot.slack.listeners.commands.language import language_command
from pulsebot.slack.listeners.commands.snooze import snooze_command
from pulsebot.slack.text import escape

HELP = (
    "*pulsebot*\n"
    "• `/pulse privacy`: what is stored about your answers, and who can see what\n"
    "• `/pulse forget-me`: delete what pulsebot keeps about you (it asks first; it cannot be undone)\n"
    "• `/pulse snooze 2w` (or `1w`, `3d`, `until 2027-01-15`, `off`): pause your own pulses while you "
    "are away; nobody else is told\n"
    "• `/pulse language de` (or `fr`, `es`, `en`, `auto`): the language your pulses are written to you in\n"
    "• `/pulse digest [NAME]`: your team's weekly digest, by DM (managers and admins)\n"
    "• `/pulse action [NAME]`: plan what your team will do about its results: an owner, a due date, "
    "and whether the team sees it (managers and admins)\n"
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

# Who can learn what: the README's threat model (Privacy), shorter. Each row: who, then what they can and
# cannot learn. A test holds the two to the same rows.
THREAT_MODEL = (
    (
        "A colleague in the channel",
        "sees the pulse and the idea cards (a signed idea shows its author), the results and actions a "
        'manager shares with the team, and the counts of a closed "Is this helping?" of at least '
        "{min_group} answers.",
        'Never whether or what you answered (to a pulse or to "Is this helping?"), who posted an '
        "anonymous idea, or who voted.",
    ),
    (
        "Your manager",
        "sees your team's figures once a run has closed, only for groups of at least {min_group} people, "
        "and a few unsigned comments; can reply to a comment or an anonymous idea through pulsebot. "
        "Managers are not asked in their own team's pulse unless a survey says so.",
        "Never who answered what, whether you answered, or who wrote a comment or an anonymous idea.",
    ),
    (
        "An admin",
        "sees the same for every team and the whole organisation, and the audit log of who looked at what.",
        "Never who answered what. (A Slack workspace owner with message exports could read pulsebot's DMs "
        "to you, such as a status update on your anonymous idea.)",
    ),
    (
        "Someone reading the database without the key",
        "sees who was asked, the ideas, and answers and comments under one-way codes: no name, no time of "
        "the click, and no order (answers are written in shuffled batches, a few seconds apart). Where "
        "people's HR attributes are loaded, an answer also carries its cell: a group of at least "
        "{min_group} of the people asked, by department, location, tenure, level or reporting line.",
        "Never whose answer or comment is whose, whether you answered, or which anonymous ideas share an "
        "author.",
    ),
    (
        "The operator, holding the database and the key",
        "could, until {reply_window_days} days after a run closes, recompute "
        "your code and find your answers and comments in that run; and can find who posted an anonymous "
        "idea (that is how its status updates reach you).",
        "After that time the run's key material is destroyed: nobody, the operator included, can tell "
        "whose answers they were, and replies to its comments end.",
    ),
)

PRIVACY = (
    "*Who can learn what*\n"
    + "".join(f"• *{who}* {can} {cannot}\n" for who, can, cannot in THREAT_MODEL)
    + "*What else to know*\n"
    "• Your answers and comments are stored with a one-way code made from you and that pulse, never with "
    "your name or Slack id. Figures appear only after a run has closed; there is no live count.\n"
    "• Reminders (at most two, by DM) go only to people who have not answered; pulsebot keeps no mark "
    "of who answered.\n"
    "• `/pulse snooze` keeps only your Slack id and the last day of your pause, shown to no one but you; "
    "it is deleted once the pause has ended. Your team's figures count only the people a pulse asked.\n"
    "• For pulses sent at your local time, pulsebot reads the time zone in your Slack profile.\n"
    "• Your pulses are written in the language you chose with `/pulse language`, else your Slack language; "
    "only you see it, and no figure or view is ever split by language.\n"
    "• Every time a manager or admin looks at results, or shares them with the team, it is written in an "
    "audit log.\n"
    '• "Is this helping?" on an action is answered like a pulse: stored without your name, and once '
    "the question closes only its counts stay (none below {min_group} answers).\n"
    "• If a manager replies to your comment or idea, pulsebot relays it by DM, and your answers back, a few "
    "minutes late: the manager never learns who you are, and only you can answer or close the conversation.\n"
    "• You can change an answer, or take back a comment, until the pulse closes; after that it is part of "
    "the team's totals.\n"
    "• Answers and comments older than {retention_days} days are deleted; only the weekly totals of teams "
    "of at least {min_group} stay, and old ideas lose their text. pulsebot's logs never hold what you wrote "
    "next to your Slack id.\n"
    "• Where results are shown by department, site, tenure, level or reporting line, pulsebot keeps those "
    "facts about you, from an HR export or your Slack profile's fields, apart from your answers; no one sees "
    "them in Slack, and results by them cover groups of at least {min_group} only.\n"
    "• A new joiner's onboarding pulses (day 30, 60 and 90) are pooled with everyone who started in the same "
    "quarter, shown only for the whole quarter once it is over, and only from {min_group} answers. An exit "
    "survey on your last day is *not* anonymous: it is kept with your name, for HR only, and says so.\n"
    "• `/pulse forget-me` deletes the records of the pulses sent to you, your votes and those facts, your "
    "exit survey, and unlinks your ideas from you. Your answers stay in the team's totals; until each "
    "run's key material is destroyed, the operator holding the key could still find them."
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
                min_group=deps.settings.min_group,
                retention_days=deps.settings.retention_days,
                reply_window_days=deps.settings.reply_window_days,
            )
        )
    elif verb == "snooze":
        snooze_command(ack, command, deps, rest)
    elif verb == "language":
        language_command(ack, command, deps, rest)
    elif verb == "forget-me":
        text, blocks = forget_me_question(reply_window_days=deps.settings.reply_window_days)
        ack(text=text, blocks=blocks)
    elif verb in pulse_admin.VERBS:
        pulse_admin.handle(verb, rest, ack=ack, command=command, client=client, respond=respond, deps=deps)
    elif verb == "digest":
        digest_command(ack, command, client, respond, deps, survey_name=rest)
    elif verb == "action":
        action_command(ack, command, client, deps, survey_name=rest)
    else:
        ack(text=f"I don't know `/pulse {escape(verb)}`.\n{HELP}")
