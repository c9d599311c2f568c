"""`/pulse snooze 2w | 1w | 3d | until YYYY-MM-DD | off`: a person pauses or resumes their own pulses."""

from __future__ import annotations

from datetime import UTC

from slack_bolt import Ack

from pulsebot.services.errors import Refusal
from pulsebot.services.survey.snooze import parse_snooze, set_snooze, snoozed_through
from pulsebot.slack.blocks.snooze import paused_text, resumed_text, status_text
from pulsebot.slack.person_language import translator_for
from pulsebot.slack.text import escape
from pulsebot.store.db import transaction


def snooze_command(ack: Ack, command: dict, deps, text: str) -> None:
    """Only ever the person who typed it: no one can pause, resume or look up someone else's pulses."""
    user_id = command["user_id"]
    today = deps.clock().astimezone(UTC).date()
    tr = translator_for(deps, user_id)  # said to them alone, in their own language
    if not text:
        with transaction(deps.sessions) as session:
            ack(text=status_text(snoozed_through(session, user_id=user_id, today=today), tr))
        return
    try:
        change = parse_snooze(escape(text), today=today)
        with transaction(deps.sessions) as session:
            changed = set_snooze(session, user_id=user_id, change=change)
    except Refusal as refusal:
        ack(text=refusal.said(tr))
        return
    ack(text=resumed_text(changed, tr) if change.through is None else paused_text(change.through, tr))
