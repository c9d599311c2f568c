"""A manager's digest in their language: the words around the figures, the drivers, the eNPS wording and
the reasons a figure is hidden, with the very figures an English-speaking manager of the same team gets
(only the decimal mark differs); a member's refusals and `/pulse` replies, and an idea author's status
notices, in their language; and a post every member sees stays in no one's language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from pulsebot.charts import ChartWeek, trend_figure
from pulsebot.i18n import translator
from pulsebot.services.people.languages import choose_language
from pulsebot.slack.digest import drop_alerts_for_run, send_digests
from pulsebot.slack.status_change import ANONYMOUS_AUTHOR_TOLD
from pulsebot.store.db import transaction
from tests.conftest import IDEAS_CHANNEL, MANAGER, PULSE_CHANNEL, TEAM
from tests.idea_steps import post_idea, reply_to
from tests.loop.share_steps import (
    SURVEY,
    block_texts,
    fields_of,
    last_week,
    submit_share,
    team_with_weeks,
)
from tests.pulse_steps import click_answer
from tests.slack.test_digest import BERLIN, DIGEST_MONDAY, NEW_YORK, three_weeks

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
    assert "(Promotoren: 3, Passive: 2, Kritiker: 1)" in text
    assert "Mit dem Team teilen" in text and "Maßnahme planen" in text  # its buttons
    assert german["text"].startswith("Weekly team pulse, Woche vom ")
    for english_word in ("Mood", "Answered", "answered", "of 5", "Figures are shown", "promoters"):
        assert english_word not in text, english_word
    assert "3.3 of 5 (answers 1 to 5:" in block_texts(english["blocks"])

    german_chart, english_chart = (
        call["files"][0]["title"]
        for call in fake_slack.calls_to("files.completeUploadExternal")
        if call["channel_id"] in ("D" + MANAGER[1:], "D" + ENGLISH_MANAGER[1:], MANAGER, ENGLISH_MANAGER)
    )
    assert german_chart.startswith("Weekly team pulse: Verlauf bis zur Woche vom ")
    assert english_chart.startswith("Weekly team pulse: trend to the week of ")

    seen = figures_in(german["blocks"])
    assert seen == figures_in(english["blocks"])
    assert {"3.3", "6", "100", "5"} <= set(seen) and len(seen) > 20


def test_the_trend_chart_is_drawn_in_its_readers_language():
    week = ChartWeek(week=date(2027, 6, 7), hidden=False, mood=3.25, enps=33, sentiment=0.42, answered=100)
    hidden = ChartWeek(week=date(2027, 5, 31), hidden=True)
    figure = trend_figure([hidden, week], title="Team", min_group=5, marked=week.week, tr=translator("de"))
    axes = figure.axes
    assert [ax.get_ylabel() for ax in axes] == [
        "Stimmung (1–5)",
        "eNPS",
        "Tonalität der Kommentare",
        "Geantwortet (%)",
    ]
    drawn = [text.get_text() for ax in axes for text in ax.texts]
    assert "verborgen" in drawn and "3,2" in drawn and "+0,42" in drawn and "100 %" in drawn
    assert [label.get_text() for label in axes[-1].get_xticklabels()] == ["31. Mai", "7. Juni"]
    assert figure.get_supxlabel().startswith("Hervorgehoben: die Woche vom 7. Juni.")


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


def test_an_ideas_author_hears_of_its_status_in_their_language_and_the_channel_does_not(
    slack, fake_slack, sessions
):
    """The DM goes to the author alone; what the manager is told and the "shipped" post in the ideas
    channel are the same words whatever the author's language, so neither says who wrote an anonymous
    idea by the language it is in."""
    author = TEAM[0]
    slack.command("/pulse", "language es", user=author)
    post_idea(slack, fake_slack, "Callback instead of queueing", user=author, anonymous=True)
    (card,) = fake_slack.posts_to(IDEAS_CHANNEL)
    (posted,) = fake_slack.posts_to(author)
    assert posted["text"] == f"¡Gracias! Tu idea #1 está publicada en <#{IDEAS_CHANNEL}>."
    assert "*New idea* from a colleague (anonymous)" in str(card["blocks"])
    for spanish in ("Nueva", "Votar", "anónim", "compañer"):
        assert spanish not in str(card), spanish  # one card for the whole channel, in no one's language
    fake_slack.reset_calls()

    told = reply_to(fake_slack, lambda: slack.command("/idea", "status 1 planned Next quarter", user=MANAGER))

    (notice,) = fake_slack.posts_to(author)
    assert notice["text"].startswith(f"Tu idea anónima #1 pasó a *Planificada* por <@{MANAGER}>.")
    assert "*Nota del equipo:* Next quarter" in notice["text"]
    assert "solo tú recibiste este mensaje" in notice["text"]
    assert told == f"#1 is now *Planned*. {ANONYMOUS_AUTHOR_TOLD}"

    fake_slack.reset_calls()
    reply_to(fake_slack, lambda: slack.command("/idea", "status 1 done", user=MANAGER))
    (shipped,) = fake_slack.posts_to(IDEAS_CHANNEL)
    assert shipped["text"].startswith(
        ":rocket: *Shipped:* Callback instead of queueing — suggested by a colleague"
    )
    (notice,) = fake_slack.posts_to(author)
    assert "Ya está hecha. Gracias por proponerla (0 votos)." in notice["text"]


def test_each_manager_reads_a_drop_alert_in_their_own_language(sessions, client, fake_slack, settings):
    """One team, two managers: the alert is one DM each, so neither reads the other's language."""
    *_, last_run = three_weeks(sessions)
    with transaction(sessions) as session:
        choose_language(session, user_id=BERLIN, language="de")

    alerted = drop_alerts_for_run(client, sessions, settings, run_id=last_run, now=DIGEST_MONDAY)

    assert sorted(alerted) == [BERLIN, NEW_YORK]
    (german,) = fake_slack.posts_to(BERLIN)
    (english,) = fake_slack.posts_to(NEW_YORK)
    assert german["text"].startswith("Hinweis zu Weekly team pulse: In der Woche vom 16. März gilt: ")
    assert "die Stimmung sank um 0,7 auf 3,3 von 5" in german["text"]
    assert "Deine Wochenübersicht bringt die Details" in str(german["blocks"])
    assert "mood fell 0.7 to 3.3 of 5" in english["text"] and "Stimmung" not in str(english)
