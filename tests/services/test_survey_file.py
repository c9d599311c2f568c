"""Survey specs: per-person local time and reminders are checked like every other field."""

import pytest

from pulsebot.services.survey.survey_file import (
    SurveyFileError,
    SurveySpecErrors,
    parse_surveys,
    survey_from_mapping,
)

HEAD = "name: team\nchannel: G0PULSE\nschedule: '0 10 * * tue'\n"
QUESTIONS = "questions: [{key: a, kind: enps}]\n"


def test_reminders_and_per_person_local_time_are_read():
    spec = parse_surveys(
        HEAD + "delivery: dm\nper_person_local_time: true\nreminders: [24h, 2h before close]\n" + QUESTIONS,
        source="team.yml",
    )[0]

    assert spec.per_person_local_time is True
    assert spec.reminders == ["24h after open", "2h before close"]


@pytest.mark.parametrize(
    ("middle", "expected"),
    [
        ("reminders: [1h, 2h, 3h]\n", "team.yml:4: reminders: List should have at most 2 items"),
        ("reminders: [soon]\n", "team.yml:4: reminders: 'soon' is not a reminder time"),
        (
            "open_days: 2\nreminders: [3d before close]\n",
            "team.yml:5: reminders: '3d before close' falls outside",
        ),
        ("reminders: [24h, 1d]\n", "team.yml:4: reminders: the two reminders are at the same time"),
        ("per_person_local_time: true\n", "team.yml:4: per_person_local_time: needs `delivery: dm`"),
    ],
)
def test_mistakes_name_the_line_and_field(middle, expected):
    with pytest.raises(SurveyFileError) as error:
        parse_surveys(HEAD + middle + QUESTIONS, source="team.yml")

    assert str(error.value).startswith(expected)


def test_a_name_that_is_not_a_slug_says_what_a_name_may_hold():
    with pytest.raises(SurveyFileError) as error:
        parse_surveys("name: Team Pulse\nchannel: G0PULSE\n" + QUESTIONS, source="team.yml")

    assert str(error.value) == (
        "team.yml:1: name: use lower case letters, digits, - and _, starting with a letter or digit "
        "(e.g. team-pulse)"
    )


def test_per_person_local_time_needs_a_schedule():
    text = "name: team\nchannel: G0PULSE\ndelivery: dm\nper_person_local_time: true\n" + QUESTIONS

    with pytest.raises(SurveyFileError, match="per_person_local_time: needs a `schedule`"):
        parse_surveys(text, source="team.yml")


def test_a_form_gets_every_problem_with_its_field():
    with pytest.raises(SurveySpecErrors) as error:
        survey_from_mapping(
            {
                "name": "team",
                "channel": "G0PULSE",
                "timezone": "Mars/Olympus",
                "questions": [
                    {"key": "a", "kind": "choice", "prompt": "Lunch?"},
                    {"key": "b", "kind": "scale"},
                ],
            }
        )

    assert [loc for loc, _ in error.value.problems] == [
        ("timezone",),
        ("questions", 0, "options"),
        ("questions", 1, "prompt"),
    ]
