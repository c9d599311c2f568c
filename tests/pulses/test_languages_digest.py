"""A manager's digest in their language: the words around the figures, the drivers, the eNPS wording and
the reasons a figure is hidden, with the very figures an English-speaking manager of the same team gets
(only the decimal mark differs); a member's refusals and `/pulse` replies in their language; and a post
every member sees stays in no one's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from pulsebot.slack.digest import send_digests
from tests.conftest import MANAGER, PULSE_CHANNEL, TEAM
from tests.loop.share_steps import (
    SURVEY,
    block_texts,
    fields_of,
    last_week,
    submit_share,
    team_with_weeks,
)
from tests.pulse_steps import click_answer

pytestmark = pytest.mark.clock

ENGLISH_MANAGER = "U0MANAGER2"
FIGURE = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def figures_in(blocks: list[dict]) -> list[str]:
    """Every number a reader sees after the title and the week (a date is written differently in each
    language), in order, with a decimal comma read as a point."""
    return [number.replace(",", ".") for number in FIGURE.findall(block_texts(blocks[2:]))]


def test_a_german_managers_digest_is_in_german_with_the_figures_of_an_english_one(
    slack, sessions, fake_slack, settings, client
):
    now = datetime.now(UTC)
    team_with_weeks(sessions, through=last_week(now), managers=(MANAGER, ENGLISH_MANAGER))
    slack.command("/pulse", "language de", user=MANAGER)

    send_digests(client, sessions, settings, now=now, survey_name=SURVEY)

    (german,) = fake_slack.posts_to(MANAGER)
    (english,) = fake_slack.posts_to(ENGLISH_MANAGER)
    fields = fields_of(german["blocks"])
    assert set(fields) == {"Stimmung (1–5)", "eNPS", "Geantwortet", "Kommentare"}
    assert fields["Geantwortet"].startswith("100 % (6 von 6)")
    text = block_texts(german["blocks"])
    assert "3,3 von 5 (Antworten 1 bis 5:" in text
    assert "Zahlen werden nur für Gruppen ab 5 Personen gezeigt" in text
    assert "Promotoren" in text and "Kritiker" in text
    assert german["text"].startswith("Weekly team pulse, Woche vom ")
    for english_word in ("Mood", "Answered", "answered", "of 5", "Figures are shown", "promoters"):
        assert english_word not in text, english_word
    assert "3.3 of 5 (answers 1 to 5:" in block_texts(english["blocks"])

    seen = figures_in(german["blocks"])
    assert seen == figures_in(english["blocks"])
    assert {"3.3", "6", "100", "5"} <= set(seen) and len(seen) > 20


def test_a_post_to_the_team_is_never_in_the_language_of_the_manager_who_shares_it(
    slack, sessions, fake_slack, settings, client
):
    """The channel's post is one message for every member: written in one manager's language, it would
    tell the whole team which language that manager chose."""
    now = datetime.now(UTC)
    week = team_with_weeks(sessions, through=last_week(now))
    slack.command("/pulse", "language fr", user=MANAGER)
    send_digests(client, sessions, settings, now=now, survey_name=SURVEY)
    (digest,) = fake_slack.posts_to(MANAGER)
    assert "Humeur (1–5)" in fields_of(digest["blocks"])

    submit_share(slack, week=week)

    fake_slack.wait_for("chat.postMessage", 3)
    (post,) = fake_slack.posts_to(PULSE_CHANNEL)
    text = block_texts(post["blocks"])
    assert "Mood (1–5)" in fields_of(post["blocks"]) and "3.3 of 5" in text
    for french in ("Humeur", "sur 5", "réponses", "masqué", "Les chiffres"):
        assert french not in text and french not in post["text"], french


def test_a_french_members_refusals_and_replies_are_in_french_and_no_one_elses(
    slack, fake_slack, sessions, sent_pulse
):
    alice, bob = TEAM[0], TEAM[1]
    chose = slack.command("/pulse", "language fr", user=alice).text
    assert chose.startswith("Vos sondages vous seront écrits en Français désormais.")

    with freeze_time(sent_pulse.closes_at + timedelta(minutes=1), tick=True):
        click_answer(slack, sent_pulse, alice, 3)
        click_answer(slack, sent_pulse, bob, 3)
        refusals = {call["text"] for call in fake_slack.wait_for("response_url", 2)}

    french = {text for text in refusals if text.startswith("Ce sondage a fermé le ")}
    english = {text for text in refusals if text.startswith("This pulse closed on ")}
    assert len(french) == len(english) == 1  # each to the one who clicked, Bob's in English as before
    days = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
    assert any(f"le {day} " in next(iter(french)) for day in days), french

    assert slack.command("/pulse", "snooze 0d", user=alice).text.startswith(
        "Mettez en pause au moins un jour"
    )
    assert slack.command("/pulse", "snooze 0d", user=bob).text.startswith("Pause for at least one day")
    assert slack.command("/pulse", "snooze", user=alice).text.startswith("Vos sondages ne sont pas en pause.")
    refused = slack.command("/pulse", "language xx", user=alice).text
    assert refused.startswith("pulsebot ne parle pas `xx`. Choisissez parmi `en` (English)")
