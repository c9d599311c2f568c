"""What pulsebot says to one person alone (a refusal, a reply, a DM about their idea) is in their language:
their choice, else their Slack language, else (for a pulse) its survey's language. Said to them alone, so
it tells no one else what they chose; a post in a channel never uses it."""

from __future__ import annotations

from pulsebot.i18n import Translator, translator
from pulsebot.services.errors import Refusal
from pulsebot.services.people.languages import language_for, language_in_run
from pulsebot.store.db import transaction


def translator_for(deps, user_id: str, *, run_id: int | None = None) -> Translator:
    with transaction(deps.sessions) as session:
        if run_id is not None:
            return translator(language_in_run(session, user_id=user_id, run_id=run_id))
        return translator(language_for(session, user_id=user_id, survey_language=None))


def said_to(deps, user_id: str, refusal: Refusal, *, run_id: int | None = None) -> str:
    return refusal.said(translator_for(deps, user_id, run_id=run_id))
