"""The API's segments: a released period's tables, read from the figures released when it ended, with a
segment too few answered hidden and its reason; a period or table not released is not found."""

from __future__ import annotations

import pytest

from pulsebot.services.segments.segment_views import find_release, segment_table
from pulsebot.store.db import transaction
from tests.segments.segment_data import JUNE, june_organisation, release
from tests.web.api_steps import bearer, make_token

pytestmark = pytest.mark.clock


@pytest.fixture
def june(sessions):
    june_organisation(sessions)
    release(sessions)


def test_a_released_table_is_the_dashboard_s_with_too_few_hidden(visitor, sessions, june):
    token = make_token(sessions, "segments")

    periods = visitor.get("/api/v1/segments", headers=bearer(token)).get_json()
    body = visitor.get(f"/api/v1/segments/{JUNE}/department", headers=bearer(token)).get_json()

    assert periods["data"][0]["period"] == JUNE and "department" in periods["data"][0]["tables"]
    with transaction(sessions) as session:
        table = segment_table(
            session, release=find_release(session, period=JUNE), table="department", min_group=5
        )
    by_key = {segment["key"]: segment for segment in body["segments"]}
    for row in table.rows:
        segment = by_key[row.key]
        assert (segment["people"], segment["hidden"]) == (row.people, row.hidden is not None)
        for measure, figure in row.figures.items():
            assert segment["figures"][measure].get("value") == (figure.value if figure.shown else None)
    legal = by_key["Legal"]
    assert legal["hidden"] is True and legal["reason"] and legal["people"] is None and legal["figures"] == {}


def test_a_period_or_table_not_released_is_not_found(visitor, sessions, june):
    token = make_token(sessions, "segments")

    for path in ("/api/v1/segments/2027-05/department", f"/api/v1/segments/{JUNE}/salary"):
        answer = visitor.get(path, headers=bearer(token))
        assert answer.status_code == 404 and answer.get_json()["error"] == "not_released"
