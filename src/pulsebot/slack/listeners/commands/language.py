"""`/pulse language [de | fr | es | en | auto]`: a person chooses the language of their own pulses."""

from __future__ import annotations

from slack_bolt import Ack

from pulsebot.i18n import LANGUAGES, translator
from pulsebot.services.errors import Refusal
from pulsebot.services.people.languages import (
    choose_language,
    current_language_sentence,
    language_for,
    parse_language,
)
from pulsebot.slack.person_language import said_to
from pulsebot.store.db import transaction


def language_command(ack: Ack, command: dict, deps, text: str) -> None:
    """Only ever the person who typed it, and said to them alone (a slash command's reply is ephemeral),
    in the language their pulses now follow."""
    user_id = command["user_id"]
    try:
        language = parse_language(text) if text else None
        with transaction(deps.sessions) as session:
            if text:
                choose_language(session, user_id=user_id, language=language)
            tr = translator(language_for(session, user_id=user_id, survey_language=None))
            said = current_language_sentence(session, user_id=user_id, tr=tr)
    except Refusal as refusal:
        ack(text=said_to(deps, user_id, refusal))
        return
    if not text:
        ack(text=said)
    elif language is None:
        ack(text=tr.gettext("Your pulses follow your Slack language again. {said}").format(said=said))
    else:
        ack(
            text=tr.gettext("Your pulses will be written to you in {name} from now on. {said}").format(
                name=LANGUAGES[language], said=said
            )
        )
