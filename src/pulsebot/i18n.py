"""Languages: which one a person is written to in, and a translator for it.

Texts go through gettext message catalogs (src/pulsebot/locale/<language>/LC_MESSAGES/pulsebot.po, compiled
to the .mo files shipped beside them; docs/languages.md says how to extract, update and compile them).
There is no global `gettext.install()`: each message is built with the `Translator` of the person (or the
channel) it is for, handed down explicitly, so two people answered at once in two languages never share
one. Dates and numbers are formatted for the language with Babel.

Which language: the person's own choice (`/pulse language de`), else their Slack locale (kept with the
workspace's directory), else the survey's `language:`, else English (`pick`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval, format_skeleton
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

DEFAULT = "en"
# Each language pulsebot speaks, named in itself (what `/pulse language` lists).
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
TRANSLATED = tuple(code for code in LANGUAGES if code != DEFAULT)
DOMAIN = "pulsebot"
# A day written out in full, as each language writes it (Babel's own skeletons shorten the weekday).
DAY_PATTERNS = {"de": "EEEE, d. MMMM", "fr": "EEEE d MMMM", "es": "EEEE, d 'de' MMMM"}
DATE_PATTERNS = {"de": "EEEE, d. MMMM y", "fr": "EEEE d MMMM y", "es": "EEEE, d 'de' MMMM 'de' y"}


def N_(message: str) -> str:
    """Marks a message for the catalogs where it is defined; it is translated where it is used."""
    return message


def language_of_locale(locale: str | None) -> str | None:
    """The language of a Slack locale (`de-DE`, `fr-CA`, `en-GB`) when pulsebot speaks it."""
    if not locale:
        return None
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in LANGUAGES else None


def pick(*, chosen: str | None, slack_locale: str | None, survey_language: str | None) -> str:
    """The person's choice beats their Slack locale, which beats the survey's language; then English."""
    for candidate in (chosen, language_of_locale(slack_locale), survey_language):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT


@dataclass(frozen=True)
class Translator:
    """One language's catalog and formats. Immutable, so one per language is shared by every thread."""

    language: str
    catalog: Translations

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.catalog.ngettext(singular, plural, count)

    def day(self, moment: datetime, timezone: str) -> str:
        """A day written out as the language does ("Tuesday 8 December", "Dienstag, 8. Dezember")."""
        local = moment.astimezone(ZoneInfo(timezone))
        if self.language == DEFAULT:  # as pulsebot always wrote it (Babel's `en` is American)
            return local.strftime("%A %-d %B")
        return format_date(local.date(), format=DAY_PATTERNS[self.language], locale=self.language)

    def day_and_time(self, moment: datetime, timezone: str) -> str:
        local = moment.astimezone(ZoneInfo(timezone))
        if self.language == DEFAULT:
            return local.strftime("%A %-d %B, %H:%M")
        return f"{self.day(moment, timezone)}, {local:%H:%M}"

    def date(self, day: date) -> str:
        """A date written out with its year ("Tuesday 8 December 2026", "Dienstag, 8. Dezember 2026")."""
        if self.language == DEFAULT:
            return f"{day:%A %-d %B %Y}"
        return format_date(day, format=DATE_PATTERNS[self.language], locale=self.language)

    def week(self, monday: date, english: str) -> str:
        """A week, Monday to Sunday, as the language writes the span ("14.–20. Juni 2027 (KW 24)");
        `english`: the span as pulsebot writes it in English."""
        if self.language == DEFAULT:
            return english
        span = format_interval(monday, monday + timedelta(days=6), "yMMMd", locale=self.language)
        return self.gettext("{span} (week {number})").format(span=span, number=monday.isocalendar().week)

    def number(self, value: float, digits: int = 1) -> str:
        return format_decimal(round(value, digits), locale=self.language)

    def fixed(self, value: float, digits: int, *, signed: bool = False) -> str:
        """A figure with exactly `digits` decimals ("3.2", "3,2", "+0.25"), the same figure in every
        language: only the decimal mark differs."""
        if self.language == DEFAULT:
            return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
        pattern = "0" + ("." + "0" * digits if digits else "")
        if signed:
            pattern = f"+{pattern};-{pattern}"
        return format_decimal(round(value, digits), format=pattern, locale=self.language)

    def percent(self, share: float) -> str:
        """A share as a whole percentage ("42%", "42 %")."""
        if self.language == DEFAULT:
            return f"{100 * share:.0f}%"
        return format_percent(
            round(share, 2), format="#,##0 %" if self.language != "es" else None, locale=self.language
        )

    def day_month_year(self, day: date) -> str:
        """A date without its weekday ("8 December 2026", "8. Dezember 2026", "8 décembre 2026")."""
        if self.language == DEFAULT:
            return f"{day.day} {day:%B %Y}"
        return format_skeleton("yMMMMd", day, locale=self.language)

    def short_day(self, day: date) -> str:
        """A day and its month, short ("14 Jun", "14. Juni", "14 juin")."""
        if self.language == DEFAULT:
            return f"{day.day} {day:%b}"
        return format_skeleton("MMMd", day, locale=self.language)


@functools.cache
def translator(language: str) -> Translator:
    """The translator of a language pulsebot speaks; English (the messages as written) for any other."""
    if language not in TRANSLATED:
        return Translator(DEFAULT, Translations())
    folder = resources.files("pulsebot").joinpath("locale")
    catalog = Translations.load(str(folder), [language], domain=DOMAIN)
    return Translator(language, catalog)


def languages_sentence() -> str:
    return ", ".join(f"`{code}` ({name})" for code, name in LANGUAGES.items())


ENGLISH = translator(DEFAULT)  # the messages as written: every builder's default
