"""`/idea TEXT` posts an idea at once; a bare `/idea` opens the idea modal; `/idea help|list|top|mine|status`.

A word like `list` only means a command when the rest fits that command (`/idea list planned`,
`/idea status 12 done`), so an idea such as "status page for outages" is still posted as an idea.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.idea import idea_lists
from pulsebot.services.idea.idea_status import STATUS_WORDS, parse_status
from pulsebot.services.idea.ideas import post_idea
from pulsebot.slack.blocks.idea_lists import EMPTY_MINE, EMPTY_TOP, HELP, idea_list_text
from pulsebot.slack.blocks.ideas import idea_modal
from pulsebot.slack.person_language import translator_for
from pulsebot.slack.publish import publish_idea
from pulsebot.slack.status_change import announce_status_change, change_idea_status
from pulsebot.slack.text import echo, escape
from pulsebot.store.db import transaction

# `12`, `#12 planned`, `12 under review`, `12 declined Not this year` (the reason may span lines).
STATUS_ARGS = re.compile(
    r"#?(\d{1,9})(?:\s+(under[\s_-]+review|\S+)(?:\s+(.*))?)?", re.DOTALL | re.IGNORECASE
)
STARTS_WITH_LIST = "To post an idea that starts with “list”, type `/idea` alone for the form."
STATUS_USAGE = (
    f"Try `/idea status 12 planned`. Statuses: {', '.join(STATUS_WORDS)}; "
    "`declined` needs a reason after it: `/idea status 12 declined Not this year`."
)


def idea_command(ack: Ack, command: dict, client: WebClient, respond: Respond, context) -> None:
    deps = context["deps"]
    text = command.get("text", "").strip()
    verb, rest = [*re.split(r"\s+", text, maxsplit=1), ""][:2]
    verb = verb.lower()
    status_args = STATUS_ARGS.fullmatch(rest) if verb == "status" else None
    if not text:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=idea_modal())
    elif verb == "help" and not rest:
        ack(text=HELP)
    elif verb == "top" and not rest:
        with transaction(deps.sessions) as session:
            top = idea_lists.top_ideas(session)
        ack(text=idea_list_text(top, empty=EMPTY_TOP))
    elif verb == "mine" and not rest:
        with transaction(deps.sessions) as session:
            mine = idea_lists.my_ideas(session, user_id=command["user_id"], key=deps.key)
        ack(text=idea_list_text(mine, empty=EMPTY_MINE))
    elif verb == "list" and (len(rest.split()) <= 1 or parse_status(rest)):
        list_ideas(ack, deps, rest)
    elif verb == "status" and not rest:
        ack(text=f"Which idea, and to which status? {STATUS_USAGE}")
    elif status_args is not None:
        change_status(ack, client, respond, deps, user_id=command["user_id"], args=status_args)
    else:
        post(ack, client, respond, deps, user_id=command["user_id"], text=text)


def post(ack: Ack, client: WebClient, respond: Respond, deps, *, user_id: str, text: str) -> None:
    try:
        with transaction(deps.sessions) as session:
            idea = post_idea(
                session,
                user_id=user_id,
                text=text,
                key=deps.key,
                now=deps.clock(),
                hourly_limit=deps.settings.ideas_per_hour,
            )
    except Refusal as refusal:
        # Echo the text back so nothing the person wrote is lost; said in their language, to them alone.
        tr = translator_for(deps, user_id)
        copy = tr.gettext("Your idea, so you can copy it:")
        ack(text=f"{refusal.said(tr)}\n{copy}\n{echo(text)}")
        return
    ack()
    tr = translator_for(deps, user_id)
    said = publish_idea(client, deps.sessions, idea_id=idea.id, channel_id=deps.settings.ideas_channel, tr=tr)
    respond(text=said, response_type="ephemeral")


def list_ideas(ack: Ack, deps, words: str) -> None:
    try:
        only = idea_lists.parse_filter(words)
    except Refusal as refusal:
        ack(text=f"{refusal.message}\n{STARTS_WITH_LIST}")
        return
    with transaction(deps.sessions) as session:
        listing = idea_lists.list_ideas(session, only=only)
    ack(text=idea_list_text(listing))


def change_status(
    ack: Ack, client: WebClient, respond: Respond, deps, *, user_id: str, args: re.Match
) -> None:
    idea_id, word, reason = int(args[1]), args[2], (args[3] or "").strip() or None
    status = parse_status(word) if word else None
    if status is None:
        what = f"“{escape(word)}” is not a status." if word else f"To which status should #{idea_id} go?"
        ack(text=f"{what} {STATUS_USAGE}")
        return
    ack()  # checking the role may ask Slack, and the change is announced in several places
    try:
        change = change_idea_status(
            client, deps, user_id=user_id, idea_id=idea_id, status=status, reason=reason
        )
    except Refusal as refusal:
        copy = f"\nYour reason, so you can copy it:\n{echo(reason)}" if reason else ""
        respond(text=refusal.message + copy, response_type="ephemeral")
        return
    respond(text=announce_status_change(client, deps, change), response_type="ephemeral")
