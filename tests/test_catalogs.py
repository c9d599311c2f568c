"""The message catalogs pulsebot ships: every message extracted from the code, every one translated into
every language, and each compiled .mo the same as its .po (so an install needs no compile step)."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from pulsebot.i18n import TRANSLATED, translator

SOURCE = Path(__file__).parents[1] / "src" / "pulsebot"
LOCALE = SOURCE / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    found = extract_from_dir(str(SOURCE), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def catalog(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "pulsebot.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_the_template_holds_every_message_the_code_marks():
    with (LOCALE / "pulsebot.pot").open("rb") as handle:
        template = {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }
    assert extracted() == template, "run the extract and update commands of docs/languages.md"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_compiled(language):
    po = catalog(language)
    with (LOCALE / "pulsebot.pot").open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    translated = {message.id for message in po if message.id and message.string and all(message.string)}
    assert wanted == translated
    assert not any(message.fuzzy for message in po if message.id)
    compiled = BytesIO()
    write_mo(compiled, po)
    shipped = (LOCALE / language / "LC_MESSAGES" / "pulsebot.mo").read_bytes()
    assert read_mo(BytesIO(shipped)).get("Yes") is not None
    assert shipped == compiled.getvalue(), "run the compile command of docs/languages.md"


@pytest.mark.parametrize(
    ("language", "one", "two", "five"),
    [
        ("de", "…und 1 weitere offene Umfrage", "…und 2 weitere", "…und 5 weitere offene Umfragen"),
        ("fr", "…et 1 autre sondage ouvert", "…et 2 autres", "…et 5 autres sondages ouverts"),
        ("es", "…y 1 encuesta abierta más", "…y 2 encuestas", "…y 5 encuestas abiertas más"),
    ],
)
def test_plural_rules_follow_the_language(language, one, two, five):
    tr = translator(language)
    said = {
        count: tr.ngettext(
            "…and {count} more open pulse: its message has its buttons.",
            "…and {count} more open pulses: each one's message has its buttons.",
            count,
        ).format(count=count)
        for count in (1, 2, 5)
    }
    assert said[1].startswith(one) and said[2].startswith(two) and said[5].startswith(five)


def test_a_language_without_a_catalog_speaks_english():
    assert translator("it").gettext("Yes") == "Yes"
    assert translator("it").language == "en"


PLACEHOLDER = re.compile(r"{(\w*)}")


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_its_messages_placeholders(language):
    """A translation that drops `{min_group}` or misspells `{count}` would say a wrong figure, or fail."""
    for message in catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            # A plural form may leave out the count ("die letzte Umfrage"), never add a name of its own.
            assert set(PLACEHOLDER.findall(string)) <= wanted, (message.id, string)
            if len(ids) == 1:
                assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


@pytest.mark.parametrize(
    ("language", "one", "five"),
    [("de", "1 Stimme", "5 Stimmen"), ("fr", "1 vote", "5 votes"), ("es", "1 voto", "5 votos")],
)
def test_a_digests_counts_follow_the_languages_plural_rules(language, one, five):
    tr = translator(language)
    said = [tr.ngettext("{count} vote", "{count} votes", count).format(count=count) for count in (1, 5)]
    assert said == [one, five]
