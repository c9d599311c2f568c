"""Which language a person is written to in: their own choice (`/pulse language de`), else their Slack
locale (kept with the directory), else the survey's `language:`, else English (pulsebot/i18n.py `pick`).

A language is a preference, never a figure: it is read only to write to its person, shown to no one else,
and answers carry none (they are pooled by question, whatever language they were given in). The choice
goes when its person is forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import Session, select

from pulsebot.i18n import DEFAULT, ENGLISH, LANGUAGES, N_, Translator, languages_sentence, pick
from pulsebot.services.errors import Invalid
from pulsebot.store.among import among
from pulsebot.store.models import DirectoryPerson, PersonLanguage, PulseRun, Survey
from pulsebot.store.scoping import SINGLE_WORKSPACE, TEAM
from pulsebot.store.upsert import upsert


def parse_language(text: str) -> str | None:
    """`de`, `fr`, `es`, `en`, or `auto` (None: back to Slack's locale); anything else is refused."""
    word = text.strip().lower()
    if word in ("auto", "off", "slack"):
        return None
    if word not in LANGUAGES:
        raise Invalid(
            N_(
                "pulsebot does not speak `{word}`. Choose one of {choices}, "
                "or `auto` to follow your Slack language."
            ),
            word=word[:20],
            choices=languages_sentence(),
        )
    return word


def chosen_language(session: Session, *, user_id: str) -> str | None:
    return session.exec(select(PersonLanguage.language).where(PersonLanguage.user_id == user_id)).first()


def choose_language(session: Session, *, user_id: str, language: str | None) -> None:
    """Keep someone's choice (None: forget it, and follow their Slack locale again)."""
    if language is None:
        forget_language(session, user_id=user_id)
        return
    team_id = session.info.get(TEAM, SINGLE_WORKSPACE)
    upsert(
        session,
        PersonLanguage.__table__,
        [{"team_id": team_id, "user_id": user_id, "language": language}],
        key=("team_id", "user_id"),
        update=("language",),
    )


def forget_language(session: Session, *, user_id: str) -> int:
    return session.exec(
        delete(PersonLanguage)
        .where(PersonLanguage.user_id == user_id)
        .execution_options(synchronize_session=False)
    ).rowcount


def slack_locale(session: Session, *, user_id: str) -> str | None:
    return session.exec(select(DirectoryPerson.locale).where(DirectoryPerson.user_id == user_id)).first()


def language_for(session: Session, *, user_id: str, survey_language: str | None) -> str:
    """The language to write to `user_id` in, for a survey written in `survey_language`."""
    return pick(
        chosen=chosen_language(session, user_id=user_id),
        slack_locale=slack_locale(session, user_id=user_id),
        survey_language=survey_language,
    )


def languages_for(session: Session, *, people: Iterable[str], survey_language: str | None) -> dict[str, str]:
    """`language_for` of many people at once, in two statements whatever their number (closing a run
    redraws each DM in its person's language)."""
    people = list(dict.fromkeys(people))
    chosen = dict(
        session.exec(
            select(PersonLanguage.user_id, PersonLanguage.language).where(
                among(PersonLanguage.user_id, people)
            )
        ).all()
    )
    locales = dict(
        session.exec(
            select(DirectoryPerson.user_id, DirectoryPerson.locale).where(
                among(DirectoryPerson.user_id, people)
            )
        ).all()
    )
    return {
        person: pick(
            chosen=chosen.get(person), slack_locale=locales.get(person), survey_language=survey_language
        )
        for person in people
    }


def language_in_run(session: Session, *, user_id: str, run_id: int) -> str:
    """The language to write to `user_id` in about a run (its thanks, its form, its reminder)."""
    survey_language = session.exec(
        select(Survey.language).join(PulseRun, PulseRun.survey_id == Survey.id).where(PulseRun.id == run_id)
    ).first()
    return language_for(session, user_id=user_id, survey_language=survey_language)


def current_language_sentence(session: Session, *, user_id: str, tr: Translator = ENGLISH) -> str:
    """What `/pulse language` alone says: the language now, why, and the choices (in `tr`'s language)."""
    _ = tr.gettext
    chosen = chosen_language(session, user_id=user_id)
    if chosen is not None:
        why = _("you chose {name} (`{code}`)").format(name=LANGUAGES[chosen], code=chosen)
    else:
        locale = slack_locale(session, user_id=user_id)
        found = pick(chosen=None, slack_locale=locale, survey_language=None)
        why = (
            _("your Slack language is {name} (`{code}`)").format(name=LANGUAGES[found], code=found)
            if locale and (found != DEFAULT or locale.lower().startswith(DEFAULT))
            else _("you chose none, so each survey's own language is used (English unless it says otherwise)")
        )
    return _(
        "Your pulses are written to you as {why}. Choose with `/pulse language de` "
        "(one of {choices}), or `/pulse language auto` to follow Slack."
    ).format(why=why, choices=languages_sentence())
