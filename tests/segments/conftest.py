"""The team of tests/segments/steps.py, in the fake Slack and the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.store.db import transaction
from tests.segments.people import put_people
from tests.segments.steps import CELLS_CHANNEL, CELLS_SURVEY, SALES, SUPPORT, team_rows


@pytest.fixture
def cells_team(sessions, fake_slack) -> list[str]:
    """The team's channel, its people's rows and its survey; the people asked."""
    fake_slack.add_channel(CELLS_CHANNEL, [*SUPPORT, *SALES, "UBOT"])
    put_people(sessions, team_rows())
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(CELLS_SURVEY, source="cells.yml")[0], now=datetime.now(UTC))
    return [*SUPPORT, *SALES]
