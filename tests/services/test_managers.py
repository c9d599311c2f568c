"""A survey's YAML names the managers of its team; applying the file again keeps them in step."""

from datetime import UTC, datetime

import pytest

from pulsebot.services.digest.managers import managers_of, surveys_managed_by
from pulsebot.services.survey.survey_file import SurveyFileError, parse_surveys
from pulsebot.services.survey.surveys import ApplyOutcome, apply_survey, find_survey
from pulsebot.store.db import transaction
from tests.conftest import PULSE_CHANNEL, SCALE_SURVEY

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def apply(sessions, managers: str) -> ApplyOutcome:
    text = SCALE_SURVEY.format(channel=PULSE_CHANNEL) + f"    managers: [{managers}]\n"
    with transaction(sessions) as session:
        return apply_survey(session, spec=parse_surveys(text, source="team.yml")[0], now=NOW)


def current(sessions) -> list[str]:
    with sessions() as session:
        return managers_of(session, survey_id=find_survey(session, name="team-pulse").id)


def test_managers_are_stored_and_follow_the_file(sessions):
    assert apply(sessions, "U0MGRONE, U0MGRTWO") is ApplyOutcome.created
    assert current(sessions) == ["U0MGRONE", "U0MGRTWO"]
    assert apply(sessions, "U0MGRONE, U0MGRTWO") is ApplyOutcome.unchanged
    assert apply(sessions, "U0MGRTWO, U0MGRTRI") is ApplyOutcome.updated
    assert current(sessions) == ["U0MGRTRI", "U0MGRTWO"]
    with sessions() as session:
        assert surveys_managed_by(session, user_id="U0MGRTWO") == ["team-pulse"]
        assert surveys_managed_by(session, user_id="U0MGRONE") == []


@pytest.mark.parametrize(
    ("managers", "message"),
    [
        (
            "alice",
            "team.yml:11: surveys[0].managers: 'alice' is not a Slack user id (they look like U0123ABCD)",
        ),
        ("U0MGRONE, U0MGRONE", "team.yml:11: surveys[0].managers: a manager is listed twice"),
    ],
)
def test_a_bad_manager_id_is_located_in_the_file(managers, message):
    text = SCALE_SURVEY.format(channel=PULSE_CHANNEL) + f"    managers: [{managers}]\n"

    with pytest.raises(SurveyFileError) as error:
        parse_surveys(text, source="team.yml")

    assert str(error.value) == message
