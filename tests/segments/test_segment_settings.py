"""The settings of segments: the period and the crossings reach the release through the scheduler's close,
and a malformed crossing is named in one line."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pulsebot.config import SEGMENT_DIMENSIONS, ConfigError, load_settings
from pulsebot.services.segments.segment_groups import DIMENSIONS
from pulsebot.slack.outbox import close_runs
from pulsebot.store.db import transaction
from pulsebot.store.models import SegmentFigure, SegmentRelease
from tests.segments.segment_data import AFTER_JUNE, june_organisation

pytestmark = pytest.mark.clock


def test_the_scheduler_s_close_releases_quarters_with_the_crossings_set(sessions, client, settings):
    june_organisation(sessions)
    quarterly = settings.model_copy(
        update={"segment_period": "quarter", "segment_crossings": (("site", "level"),)}
    )

    close_runs(client, sessions, settings=quarterly, now=AFTER_JUNE)  # the `pulse-close` job's work

    with transaction(sessions) as session:
        assert session.exec(select(SegmentRelease.period)).all() == ["2027-Q2"]
        tables = set(session.exec(select(SegmentFigure.table_name).distinct()).all())
    assert "site × level" in tables and "department × tenure" not in tables


def test_crossings_are_two_known_attributes_and_a_wrong_one_is_named(monkeypatch):
    monkeypatch.setenv("PULSEBOT_SEGMENT_CROSSINGS", "department x tenure, site*level")
    assert load_settings(_env_file=None).segment_crossings == (("department", "tenure"), ("site", "level"))
    monkeypatch.setenv("PULSEBOT_SEGMENT_CROSSINGS", "department × shoe size")
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None)
    assert str(error.value).startswith(
        "PULSEBOT_SEGMENT_CROSSINGS: 'department × shoe size' is not two different"
    )
    monkeypatch.setenv("PULSEBOT_SEGMENT_PERIOD", "week")
    monkeypatch.delenv("PULSEBOT_SEGMENT_CROSSINGS")
    with pytest.raises(ConfigError, match=r"^PULSEBOT_SEGMENT_PERIOD: "):
        load_settings(_env_file=None)
    assert SEGMENT_DIMENSIONS == DIMENSIONS  # the settings check the attributes the release groups by
