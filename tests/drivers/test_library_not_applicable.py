"""`library_not_applicable: true`: the library's items offer "N/A" too. Saying it counts as answering the
pulse (the response rate stays honest) and in none of the item's figures: its driver's score rests on the
other answers, and so does the item's minimum group."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from pulsebot.services.errors import Refusal
from pulsebot.services.pulse.answers import NOT_APPLICABLE
from pulsebot.services.results.drivers import driver_scores
from pulsebot.services.survey.survey_file import SurveyFileError, parse_surveys
from pulsebot.services.survey.surveys import apply_survey, survey_spec
from pulsebot.store.db import transaction
from pulsebot.store.models import RunFigures
from tests.drivers.steps import alike_for, library_run
from tests.pulse_data import people

NOW = datetime(2027, 3, 29, 12, tzinfo=UTC)
SURVEY = """\
name: {name}
title: {name} pulse
channel: G0{code}
timezone: UTC
library: [workload]
questions_per_pulse: 1
enps: off
library_not_applicable: {on}
"""
TEAM = people(6, "T")
BACK_FROM_LEAVE = "U0BACK001"


def a_team(sessions, name: str, *, on: bool = True) -> None:
    with transaction(sessions) as session:
        text = SURVEY.format(name=name, code=name.upper(), on=str(on).lower())
        for spec in parse_surveys(text, source=f"{name}.yml"):
            apply_survey(session, spec=spec, now=NOW - timedelta(days=30))


def fours(person, question):
    """A favourable 4 from each of the team (a reversed item answered 2), N/A from the one back from leave."""
    if person == BACK_FROM_LEAVE:
        return NOT_APPLICABLE
    value = alike_for(person, 4)
    return 6 - value if question.reversed else value


def test_na_on_a_library_item_leaves_the_driver_score_as_it_was_and_counts_as_answering(sessions):
    a_team(sessions, "with")
    a_team(sessions, "without")
    opened = NOW - timedelta(weeks=1)
    with_na = library_run(
        sessions, survey="with", opened=opened, audience=[*TEAM, BACK_FROM_LEAVE], answers=fours
    )
    library_run(sessions, survey="without", opened=opened, audience=TEAM, answers=fours)

    with transaction(sessions) as session:
        teams = driver_scores(session, min_group=5, through=NOW.date()).teams
        released = session.exec(select(RunFigures).where(RunFigures.run_id == with_na)).one()
    (workload,) = teams["with"].drivers
    (alike,) = teams["without"].drivers
    assert (workload.score, workload.answers, workload.people) == (alike.score, alike.answers, alike.people)
    assert workload.score == pytest.approx(4.0) and workload.answers == 6
    assert (released.respondents, released.asked) == (7, 7)  # 100%: saying N/A is answering


def test_na_on_a_library_item_is_refused_unless_the_survey_turns_it_on(sessions):
    a_team(sessions, "plain", on=False)
    with pytest.raises(Refusal):
        library_run(sessions, survey="plain", opened=NOW, audience=[BACK_FROM_LEAVE], answers=fours)


def test_the_setting_survives_an_edit_and_needs_a_library(sessions):
    a_team(sessions, "kept")
    with transaction(sessions) as session:
        assert survey_spec(session, name="kept").library_not_applicable is True

    with pytest.raises(SurveyFileError) as refused:
        parse_surveys(
            "name: own\nchannel: G0OWN\nlibrary_not_applicable: true\n"
            "questions: [{key: w, kind: scale, prompt: Fine.}]\n",
            source="own.yml",
        )
    assert "own.yml:3: library_not_applicable: N/A on the library's items needs `library`" in str(
        refused.value
    )
