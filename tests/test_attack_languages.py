"""Attack: can anyone learn who speaks what? A team of a German, two French, a Spanish and an English
speaker answers in their languages; every view a manager and an admin have of the team (App Home,
`/pulse digest`, `pulsebot report`, `pulsebot export`) says nothing of any language, and the answers
stored carry none, so no figure can be split by language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer
from tests.attack_steps import apply_yaml, close_run, every_view
from tests.conftest import ADMIN, MANAGER, TEAM
from tests.pulses.test_languages import NOW, SURVEY, answer_all, asked, with_locales

pytestmark = pytest.mark.clock

ALICE, BOB, CAROL, DAVE, ERIN = TEAM
MARKERS = ("de-DE", "fr-FR", "es-ES", "Deutsch", "Français", "Español", "German", "French", "Spanish")


def test_no_view_of_a_team_says_who_answered_in_which_language(
    settings, slack, fake_slack, sessions, client, cli_env, tmp_path
):
    with_locales(
        fake_slack,
        client,
        sessions,
        {ALICE: "de-DE", BOB: "fr-FR", CAROL: "fr-FR", DAVE: "es-ES", ERIN: None},
    )
    slack.command("/pulse", "language de", user=ERIN)
    apply_yaml(sessions, SURVEY.replace("language: es\n", ""), now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    _, german, french, spanish = asked(run)
    answer_all(slack, sessions, run, {ALICE: 2, BOB: 3, CAROL: 3, DAVE: 4, ERIN: 3})
    close_run(client, sessions, run, settings=settings)

    for reader in (MANAGER, ADMIN):
        with freeze_time(NOW + timedelta(days=5), tick=True):  # the Monday after: the week is shown
            views = every_view(slack, fake_slack, cli_env, tmp_path, user=reader, survey="team-pulse")
        for name, text in views.items():
            for marker in (*MARKERS, german, french, spanish):
                assert marker not in text, f"{reader}'s {name} shows {marker!r}"
            assert "language" not in text.lower(), f"{reader}'s {name} speaks of languages"
        assert "100% (5 of 5)" in views["digest"]  # one team, all five counted together

    with transaction(sessions) as session:
        stored = session.exec(select(Answer)).all()
    # Five answers of one question: nothing in a row but the run, the question, a token and the value.
    assert sorted(answer.value for answer in stored) == [2, 3, 3, 3, 4]
    assert {answer.question_id for answer in stored} == {run.questions[0].id}
