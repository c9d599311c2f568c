"""A period's segments are released once, after it has ended and its runs have closed, on whichever process
closes runs; its figures are the hand-counted ones; a hidden segment keeps no figure at all."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from pulsebot.services.pulse.closing import close_due_runs
from pulsebot.services.segments.periods import SegmentSettings, parse_period, period_of
from pulsebot.store.db import transaction
from pulsebot.store.models import SegmentFigure, SegmentRelease
from tests.drivers.steps import library_run
from tests.segments.segment_data import (
    AFTER_JUNE,
    FINANCE_SCORES,
    IN_JUNE,
    JUNE,
    LEGAL_SCORES,
    SALES_SCORES,
    SUPPORT_SCORES,
    Scores,
    answered_run,
    june_organisation,
    members,
    release,
    segment_team,
    stored_figures,
)

pytestmark = pytest.mark.clock


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def test_a_month_is_released_once_with_the_hand_counted_figures(sessions):
    june_organisation(sessions)

    assert release(sessions) == [JUNE]
    assert release(sessions) == []  # a second pass finds it released
    assert release(sessions, now=AFTER_JUNE + timedelta(days=20)) == []  # and so does a later one

    figures = stored_figures(sessions)
    sales = {
        measure: figures["department", "Sales", measure] for measure in ("respondents", "manager", "enps")
    }
    assert sales["respondents"].people == 11
    assert sales["manager"].answers == 11
    assert sales["manager"].value == pytest.approx(mean(s.manager for s in SALES_SCORES))  # 49 / 11
    # eNPS: 7 promoters (9–10) and 2 detractors (0–6) among 11.
    assert sales["enps"].value == pytest.approx(100 * (7 - 2) / 11)
    commercial = figures["division", "Commercial", "colleagues"]
    colleagues = [s.colleagues for s in SALES_SCORES + SUPPORT_SCORES + LEGAL_SCORES + FINANCE_SCORES]
    assert (commercial.answers, commercial.value) == (24, pytest.approx(mean(colleagues)))
    # Participation: Engineering asked 10, 9 answered.
    assert figures["department", "Engineering", "participation"].value == pytest.approx(0.9)
    assert figures["department", "Engineering", "participation"].answers == 10
    # Responses are counted one per person a run (someone answering two teams' pulses counts twice).
    assert figures["organisation", "organisation", "respondents"].people == 11 + 13 + 9
    assert figures["organisation", "organisation", "manager"].answers == 33
    # The crossing and the line: Sales of 1–2 years are the first five; U0VPC's line is all of Commercial.
    five = figures["department × tenure", "Sales × 1–2 years", "manager"]
    assert (five.answers, five.value) == (5, pytest.approx(mean(s.manager for s in SALES_SCORES[:5])))
    assert figures["line", "U0CEO/U0VPC", "manager"].answers == 24
    assert figures["team", "support", "respondents"].people == 13


def test_a_hidden_segment_keeps_no_figure_in_the_database(sessions):
    june_organisation(sessions)
    release(sessions)

    figures = stored_figures(sessions)
    for table, key in (
        ("department", "Legal"),
        ("department", "Finance"),
        ("department × tenure", "Sales × < 3 months"),
        ("department × tenure", "Sales × 3–12 months"),
        ("line", "U0CEO/U0VPC/U0MLE"),
    ):
        rows = [row for (t, k, _), row in figures.items() if (t, k) == (table, key)]
        assert [(row.measure, row.hidden) for row in rows] == [("respondents", "too few")]
        assert (rows[0].people, rows[0].answers, rows[0].value) == (None, None, None)
    # Every stored row is either a figure or a reason, never both.
    for row in figures.values():
        assert (row.hidden is None) == (row.people is not None)
        if row.hidden is not None:
            assert (row.answers, row.value) == (None, None)


def test_a_period_waits_until_it_has_ended_everywhere_and_its_last_run_has_closed(sessions):
    segment_team(sessions, name="sales", channel="G0SALES")
    audience = members(6, "S", department="Sales")
    answered_run(sessions, survey="sales", audience=audience, scores=lambda m: Scores(4, 4, 9))
    late = datetime(2027, 6, 30, 20, 0, tzinfo=UTC)  # the last day of June: open until 3 July
    run = library_run(
        sessions,
        survey="sales",
        opened=late,
        audience=[m.user for m in audience],
        answers=lambda *_: 4,
        close=False,
    )

    assert release(sessions, now=datetime(2027, 7, 1, 23, 0, tzinfo=UTC)) == []  # still 1 July in the west
    with transaction(sessions) as session:
        # 2 July: June has ended everywhere, but its last run is still open and closes untouched.
        assert close_due_runs(session, now=AFTER_JUNE, admins=(), min_group=5) == []
        assert session.exec(select(SegmentRelease)).all() == []
        closes = datetime(2027, 7, 3, 20, 0, tzinfo=UTC)
        # Closing it releases June in the same pass.
        assert close_due_runs(session, now=closes, admins=(), min_group=5) == [run]
        assert [r.period for r in session.exec(select(SegmentRelease)).all()] == [JUNE]


def test_two_processes_closing_runs_at_once_release_a_period_once(sessions, engine):
    june_organisation(sessions)
    barrier = threading.Barrier(2)
    released: list[list[str]] = []
    errors: list[BaseException] = []

    def close_runs():
        try:
            barrier.wait()
            with transaction(sessions) as session:
                close_due_runs(session, now=AFTER_JUNE, admins=(), min_group=5)
                released.append(session.exec(select(SegmentRelease.period)).all())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=close_runs) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with transaction(sessions) as session:
        assert session.exec(select(SegmentRelease.period)).all() == [JUNE]
        rows = session.exec(select(SegmentFigure)).all()
    assert len(rows) == len({(r.table_name, r.group_key, r.measure) for r in rows})  # no figure twice


def test_the_first_release_is_the_last_period_ended_and_the_next_follow_in_order(sessions):
    segment_team(sessions, name="sales", channel="G0SALES")
    audience = members(6, "S", department="Sales")
    for opened in (IN_JUNE - timedelta(days=35), IN_JUNE, IN_JUNE + timedelta(days=35)):  # May, June, July
        answered_run(
            sessions, survey="sales", audience=audience, scores=lambda m: Scores(4, 3, 9), opened=opened
        )

    assert release(sessions) == [JUNE]  # May is older than the first release: left as it is
    assert release(sessions, now=datetime(2027, 8, 2, 6, 0, tzinfo=UTC)) == ["2027-07"]


def test_a_switch_to_quarters_never_releases_one_overlapping_the_months_released(sessions):
    segment_team(sessions, name="sales", channel="G0SALES")
    audience = members(6, "S", department="Sales")
    for month in (6, 7, 8, 10):
        opened = datetime(2027, month, 8, 9, tzinfo=UTC)
        answered_run(
            sessions, survey="sales", audience=audience, scores=lambda m: Scores(4, 3, 9), opened=opened
        )
    release(sessions)
    assert release(sessions, now=datetime(2027, 8, 2, 6, tzinfo=UTC)) == ["2027-07"]

    quarterly = SegmentSettings(min_group=5, period="quarter")
    # Q3 (July – September) holds July, already released: it is never released, August with it.
    assert release(sessions, now=datetime(2027, 10, 2, 6, tzinfo=UTC), settings=quarterly) == []
    assert release(sessions, now=datetime(2028, 1, 2, 6, tzinfo=UTC), settings=quarterly) == ["2027-Q4"]
    with transaction(sessions) as session:
        periods = session.exec(select(SegmentRelease).order_by(SegmentRelease.starts_on)).all()
    assert [p.period for p in periods] == [JUNE, "2027-07", "2027-Q4"]
    for earlier, later in itertools.pairwise(periods):
        assert earlier.ends_on < later.starts_on


def test_runs_opened_without_people_s_attributes_count_as_not_recorded(sessions):
    segment_team(sessions, name="sales", channel="G0SALES")
    audience = members(6, "S")
    answered_run(
        sessions, survey="sales", audience=audience, scores=lambda m: Scores(4, 3, 9), with_cells=False
    )

    release(sessions)

    figures = stored_figures(sessions)
    assert figures["department", "not recorded", "respondents"].people == 6
    assert figures["organisation", "organisation", "manager"].value == 4


@pytest.mark.parametrize(
    ("label", "starts", "ends"),
    [
        ("2027-06", "2027-06-01", "2027-06-30"),
        ("2027-Q1", "2027-01-01", "2027-03-31"),
        ("2028-02", "2028-02-01", "2028-02-29"),
    ],
)
def test_periods_are_calendar_months_and_quarters(label, starts, ends):
    period = parse_period(label)
    assert (period.starts_on.isoformat(), period.ends_on.isoformat()) == (starts, ends)
    assert period_of(period.ends_on, "quarter" if "Q" in label else "month") == period
    assert parse_period("2027-13") is None and parse_period("June") is None
