"""Languages: each person's pulse in their language (their choice, then their Slack locale, then the
survey's language, then English), one team and one figure whatever language they answered in, and no
view that says who speaks what."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect
from sqlmodel import select

from pulsebot.services.people.languages import language_for
from pulsebot.services.pulse import answers
from pulsebot.services.survey.library import engagement_library
from pulsebot.services.survey.survey_file import SurveyFileError, parse_surveys
from pulsebot.slack.blocks.pulses import IN_MY_LANGUAGE_ACTION
from pulsebot.slack.digest import send_digests
from pulsebot.slack.publish import send_pulse
from pulsebot.slack.workspace_people import read_directory
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer, PersonLanguage, Survey
from tests.attack_steps import apply_yaml, close_run, forget_me
from tests.conftest import ANON_KEY, MANAGER, PINNED_NOW, PULSE_CHANNEL, TEAM
from tests.home_steps import open_home
from tests.listeners.views.test_survey_form import open_form, submit

pytestmark = pytest.mark.clock

NOW = PINNED_NOW  # a Wednesday
ALICE, BOB, CAROL, DAVE, ERIN = TEAM
KEY = ANON_KEY.encode()
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
delivery: dm
timezone: Europe/Berlin
managers: [{MANAGER}]
language: es
library: [workload]
questions_per_pulse: 1
enps: off
"""


def with_locales(fake_slack, client, sessions, locales: dict[str, str | None]) -> None:
    """The team in Slack with these locales, read into the directory as the daily read does."""
    for person, locale in locales.items():
        fake_slack.add_user(person)
        if locale:
            fake_slack.users[person]["locale"] = locale
    assert read_directory(client, sessions, now=NOW)


def asked(run):
    """The library item the run asks (the rotation picks it), and its German, French and Spanish."""
    (item,) = (i for i in engagement_library().driver("workload").items if i.text == run.questions[0].prompt)
    return item, item.text_in("de"), item.text_in("fr"), item.text_in("es")


def dm_of(fake_slack, person: str) -> dict:
    (post,) = fake_slack.posts_to(person)
    return post


def headings(post: dict) -> list[str]:
    return [block["text"]["text"] for block in post["blocks"] if block["type"] == "section"]


def buttons(post: dict) -> list[str]:
    return [
        element["text"]["text"]
        for block in post["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def answer_all(slack, sessions, run, answers: dict[str, int]) -> list[str]:
    """Each person clicks their answer in their DM; what each was told, in order."""
    question = run.questions[0]
    for person, value in answers.items():
        slack.click(
            action_id=f"pulse_answer_{question.id}_{value}",
            value=f"{run.run_id}:{question.id}:{value}",
            user=person,
            channel="D" + person[1:],
        )
    deadline = time.monotonic() + 20
    while True:
        with transaction(sessions) as session:
            if session.exec(select(func.count()).select_from(Answer)).one() == len(answers):
                return
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_each_person_gets_the_pulse_in_their_language_and_the_team_is_one_figure(
    settings, slack, fake_slack, sessions, client
):
    with_locales(
        fake_slack,
        client,
        sessions,
        {ALICE: "de-DE", BOB: "fr-FR", CAROL: "de-DE", DAVE: "ja-JP", ERIN: None},
    )
    assert slack.command("/pulse", "language en", user=CAROL).text.startswith(
        "Your pulses will be written to you in English"
    )
    apply_yaml(sessions, SURVEY, now=NOW)

    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)

    item, german, french, spanish = asked(run)
    assert len({item.text, german, french, spanish}) == 4
    # Alice's and Bob's Slack locales; Carol's own choice beats hers; Dave's locale (Japanese) is not one
    # pulsebot speaks and Erin has none, so the survey's Spanish.
    assert f"*1. {german}*" in headings(dm_of(fake_slack, ALICE))
    assert "Kommentar hinzufügen" in str(dm_of(fake_slack, ALICE)["blocks"])  # the comment button
    assert f"*1. {french}*" in headings(dm_of(fake_slack, BOB))
    assert f"*1. {item.text}*" in headings(dm_of(fake_slack, CAROL))
    assert f"*1. {spanish}*" in headings(dm_of(fake_slack, DAVE))
    assert f"*1. {spanish}*" in headings(dm_of(fake_slack, ERIN))
    assert "Offen bis" in headings(dm_of(fake_slack, ALICE))[0]
    fake_slack.reset_calls()

    answer_all(slack, sessions, run, {ALICE: 2, BOB: 3, CAROL: 3, DAVE: 4, ERIN: 3})

    thanks = [call["text"] for call in fake_slack.wait_for("response_url", 5)]
    assert any(text.startswith(f"Danke, *2* für „{german}“ ist gespeichert.") for text in thanks)
    assert any(text.startswith(f"Merci, *3* est enregistré pour « {french} ».") for text in thanks)
    assert any(text.startswith(f"Thanks, recorded *3* for “{item.text}”.") for text in thanks)
    assert any("sábado, 19 de junio" in text for text in thanks)

    close_run(client, sessions, run, settings=settings)
    fake_slack.reset_calls()
    send_digests(client, sessions, settings, now=NOW + timedelta(days=5), survey_name="team-pulse")
    (digest,) = fake_slack.posts_to(MANAGER)

    # One team, one figure: (2 + 3 + 3 + 4 + 3) / 5, under the English item, whatever each answered in.
    text = str(digest["blocks"])
    assert f"{item.text} — 3.0 of 5 (answers 1 to 5: 0 · 1 · 3 · 1 · 0)" in text
    assert "100% (5 of 5)" in text
    for translated in (german, french, spanish):
        assert translated not in text


def test_a_channel_post_is_in_the_surveys_language_and_in_my_language_shows_the_readers(
    settings, slack, fake_slack, sessions, client
):
    with_locales(fake_slack, client, sessions, {ALICE: "de-AT", BOB: None})
    apply_yaml(
        sessions,
        SURVEY.replace("delivery: dm", "delivery: channel").replace("language: es", "language: fr"),
        now=NOW,
    )
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    _, german, french, _ = asked(run)

    (post,) = fake_slack.posts_to(PULSE_CHANNEL)
    assert f"*1. {french}*" in headings(post)
    assert buttons(post)[-1] == "Dans ma langue"
    assert post["blocks"][-1]["elements"][0]["action_id"] == IN_MY_LANGUAGE_ACTION
    fake_slack.reset_calls()

    slack.click(action_id=IN_MY_LANGUAGE_ACTION, value=str(run.run_id), user=ALICE, channel=PULSE_CHANNEL)

    (shown,) = fake_slack.wait_for("response_url")
    assert shown["response_type"] == "ephemeral"
    assert f"*1. {german}*" in headings(shown)
    assert "In meiner Sprache" not in buttons(shown)  # the copy is already in their language
    assert buttons(shown)[:5] == ["1", "2", "3", "4", "5"]  # its buttons answer the same run


def test_an_outdated_or_unreviewed_translation_falls_back_to_english():
    library = engagement_library()
    item = library.item("growth.stuck")
    assert item.text_in("de") == "Ich fühle mich in meiner Rolle festgefahren."
    # The English was reworded since (version 2): the translation of version 1 no longer says the same.
    assert item.text_in("de", version=2) == item.text
    # A language the item has no translation into.
    assert item.text_in("it") == item.text

    from pulsebot.services.survey.library import parse_library

    data = {
        "library": "engagement",
        "version": 1,
        "drivers": [
            {
                "id": "growth",
                "name": "Growth",
                "items": [
                    {"id": "growth.a", "version": 2, "text": "A, reworded."},
                    {"id": "growth.b", "version": 1, "text": "B."},
                    {"id": "growth.c", "version": 1, "text": "C."},
                ],
            }
        ],
        "enps": {"id": "enps", "version": 1, "text": "Recommend?"},
    }
    parsed = parse_library(
        data,
        translations={
            "growth.a": {"fr": {"version": 1, "reviewed": True, "text": "A, ancien."}},
            "growth.b": {"fr": {"version": 1, "reviewed": False, "text": "B, pas relu."}},
            "growth.c": {"fr": {"version": 1, "reviewed": True, "text": "C, relu."}},
        },
    )
    assert [parsed.item(f"growth.{x}").text_in("fr") for x in "abc"] == ["A, reworded.", "B.", "C, relu."]


def test_the_library_ships_every_item_in_every_language_reviewed_and_current():
    library = engagement_library()
    items = [item for driver in library.drivers for item in driver.items] + [library.enps]
    for item in items:
        for language in ("de", "fr", "es"):
            assert item.text_in(language) != item.text, f"{item.id} has no current {language} translation"


def test_pulse_language_says_the_choices_and_refuses_what_it_does_not_speak(slack, fake_slack, sessions):
    told = slack.command("/pulse", "language", user=ALICE).text
    assert "`de` (Deutsch), `fr` (Français), `es` (Español)" in told

    refused = slack.command("/pulse", "language xx", user=ALICE).text
    assert refused.startswith("pulsebot does not speak `xx`. Choose one of `en` (English), `de` (Deutsch)")

    # Said in the language just chosen, and back in English once the choice is forgotten.
    assert slack.command("/pulse", "language FR", user=ALICE).text.startswith(
        "Vos sondages vous seront écrits en Français"
    )
    assert "vous avez choisi Français (`fr`)" in slack.command("/pulse", "language", user=ALICE).text
    assert slack.command("/pulse", "language auto", user=ALICE).text.startswith(
        "Your pulses follow your Slack language again."
    )


def test_a_language_is_kept_nowhere_an_answer_is(engine):
    """An answer row holds no language: a team's one French speaker would be found by it."""
    columns = {column["name"] for column in inspect(engine).get_columns("answer")}
    assert not {"language", "locale"} & columns


def test_app_home_shows_a_persons_pulses_in_their_language(settings, slack, fake_slack, sessions, client):
    with_locales(fake_slack, client, sessions, {ALICE: "de-CH", BOB: None})
    apply_yaml(sessions, SURVEY.replace("language: es\n", ""), now=NOW)
    send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)

    german = open_home(slack, fake_slack, ALICE)
    english = open_home(slack, fake_slack, BOB)

    assert "Deine Umfragen" in german and "*Weekly team pulse*: wartet auf deine Antwort; endet" in german
    assert "2 Wochen pausieren" in german
    assert "Your pulses" in english and "waiting for your answer" in english


def test_forget_me_forgets_the_language_someone_chose(slack, fake_slack, sessions):
    slack.command("/pulse", "language fr", user=ALICE)
    with transaction(sessions) as session:
        assert session.exec(select(PersonLanguage.language)).all() == ["fr"]

    forget_me(slack, fake_slack, ALICE)

    with transaction(sessions) as session:
        assert session.exec(select(PersonLanguage)).all() == []


def test_editing_a_survey_in_the_form_keeps_its_language(slack, fake_slack, sessions):
    apply_yaml(sessions, SURVEY, now=NOW)
    view = open_form(slack, fake_slack, "edit team-pulse")
    fake_slack.reset_calls()

    submit(slack, view, title="Our weekly pulse")
    fake_slack.wait_for("chat.postMessage")

    with transaction(sessions) as session:
        survey = session.exec(select(Survey)).one()
        assert (survey.title, survey.language) == ("Our weekly pulse", "es")


def test_a_survey_file_names_a_language_pulsebot_speaks():
    with pytest.raises(SurveyFileError) as raised:
        parse_surveys(SURVEY.replace("language: es", "language: it"), source="team.yml")

    assert raised.value.problems == [
        "team.yml:7: language: pulsebot does not speak 'it': use one of en, de, fr, es"
    ]


RETRO = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
timezone: Europe/Berlin
managers: [{MANAGER}]
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
  - key: better
    kind: text
    prompt: What one thing would make next week better?
"""
COMMENTS = {
    ALICE: "Trop de réunions cette semaine, et le planning est injuste.",
    BOB: "Zu viele Meetings und die Planung ist nicht fair.",
    CAROL: "The new deploy tool is great, it saves me a lot of time.",
}


def test_a_comment_in_another_language_gets_no_sentiment_and_the_digest_says_so(
    settings, sessions, client, fake_slack
):
    apply_yaml(sessions, RETRO, now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    workload, better = run.questions
    with transaction(sessions) as session:
        for person in TEAM:
            answers.record_answer(
                session, run_id=run.run_id, question_id=workload.id, user_id=person, value=3, key=KEY, now=NOW
            )
        for person, comment in COMMENTS.items():
            answers.record_comment(
                session,
                run_id=run.run_id,
                question_id=better.id,
                user_id=person,
                comment=comment,
                key=KEY,
                now=NOW,
            )
    with transaction(sessions) as session:
        scored = {row.comment: row.sentiment for row in session.exec(select(Answer)) if row.comment}
    assert scored[COMMENTS[ALICE]] is None and scored[COMMENTS[BOB]] is None
    assert scored[COMMENTS[CAROL]] > 0  # English: scored as before

    close_run(client, sessions, run, settings=settings)
    fake_slack.reset_calls()
    send_digests(client, sessions, settings, now=NOW + timedelta(days=5), survey_name="team-pulse")
    (digest,) = fake_slack.posts_to(MANAGER)

    text = str(digest["blocks"])
    assert "sentiment is not computed for comments in other languages" in text
    # Not how many: a count of the comments in other languages would point at whoever writes in one.
    assert "2 comments in other" not in text and "1 comment in" not in text


def test_the_directory_keeps_each_persons_slack_locale_read_and_changed(slack, fake_slack, sessions, client):
    with_locales(fake_slack, client, sessions, {ALICE: "fr-FR", BOB: None})
    assert fake_slack.calls_to("users.list")[0]["include_locale"] in (True, "true", "1")

    def spoken(person: str) -> str:
        with transaction(sessions) as session:
            return language_for(session, user_id=person, survey_language=None)

    assert (spoken(ALICE), spoken(BOB)) == ("fr", "en")

    # She switches Slack to German: the user_change event carries her locale.
    slack.event({"type": "user_change", "user": {"id": ALICE, "name": "alice", "locale": "de-DE"}})
    deadline = time.monotonic() + 10
    while spoken(ALICE) != "de":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # An event without a locale (Slack sends none unless asked) keeps the one stored.
    slack.event({"type": "user_change", "user": {"id": ALICE, "name": "alice"}})
    time.sleep(0.3)
    assert spoken(ALICE) == "de"


def test_a_managers_digest_has_its_headings_in_their_language(settings, slack, fake_slack, sessions, client):
    slack.command("/pulse", "language de", user=MANAGER)
    apply_yaml(sessions, RETRO, now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    with transaction(sessions) as session:
        for person in TEAM:
            answers.record_answer(
                session,
                run_id=run.run_id,
                question_id=run.questions[0].id,
                user_id=person,
                value=3,
                key=KEY,
                now=NOW,
            )
    close_run(client, sessions, run, settings=settings)
    fake_slack.reset_calls()

    send_digests(client, sessions, settings, now=NOW + timedelta(days=5), survey_name="team-pulse")

    (digest,) = fake_slack.posts_to(MANAGER)
    assert digest["blocks"][0]["text"]["text"] == "Weekly team pulse: Wochenübersicht"
    assert digest["blocks"][1]["elements"][0]["text"] == "Woche vom 14.–20. Juni 2027 (KW 24)"
    assert "*Fragen*" in str(digest["blocks"])


def test_the_digest_says_a_comment_was_left_out_only_beside_a_quoted_one_in_another_language(
    settings, sessions, client, fake_slack
):
    """Four comments in English and one in French: the sentence would otherwise say that someone wrote in
    French, which in a team with one French speaker says who commented."""
    apply_yaml(sessions, RETRO, now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    workload, better = run.questions
    written = {
        ALICE: COMMENTS[ALICE],
        BOB: "Too many meetings this week, I could not focus.",
        CAROL: COMMENTS[CAROL],
        DAVE: "The on-call rota is unfair to the same two people.",
        ERIN: "Good week, the release went out on time.",
    }
    with transaction(sessions) as session:
        for person, comment in written.items():
            answers.record_answer(
                session, run_id=run.run_id, question_id=workload.id, user_id=person, value=3, key=KEY, now=NOW
            )
            answers.record_comment(
                session,
                run_id=run.run_id,
                question_id=better.id,
                user_id=person,
                comment=comment,
                key=KEY,
                now=NOW,
            )
    close_run(client, sessions, run, settings=settings)
    fake_slack.reset_calls()

    send_digests(client, sessions, settings, now=NOW + timedelta(days=5), survey_name="team-pulse")

    text = str(fake_slack.posts_to(MANAGER)[0]["blocks"])
    french_quoted = "Trop de réunions" in text
    assert ("sentiment is not computed for comments in other languages" in text) == french_quoted
