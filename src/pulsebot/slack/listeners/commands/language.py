"""`/pulse language [de | fr | es | en | auto]`: a person chooses the language of their own pulses."""

from __future__ import annotations

from slack_bolt import Ack

from pulsebot.i18n import LANGUAGES
from pulsebot.services.errors import Refusal
from pulsebot.services.people.languages import choose_language, current_language_sentence, parse_language
from pulsebot.store.db import transaction


def language_command(ack: Ack, command: dict, deps, text: str) -> None:
    """Only ever the person who typed it, and said to them alone (a slash command's reply is ephemeral)."""
    user_id = command["user_id"]
    try:
        language = parse_language(text) if text else None
        with transaction(deps.sessions) as session:
            if text:
                choose_language(session, user_id=user_id, language=language)
            said = current_language_sentence(session, user_id=user_id)
    except Refusal as refusal:
        ack(text=refusal.message)
        return
    if not text:
        ack(text=said)
    elif language is None:
        ack(text=f"Your pulses follow your Slack language again. {said}")
    else:
        ack(text=f"Your pulses will be written to you in {LANGUAGES[language]} from now on. {said}")
