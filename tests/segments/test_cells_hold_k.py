"""Property: over any audience and any attributes, a run's cells each hold at least K of its audience, every
member is in exactly one, every cell's labels are its members' attributes generalised to the run's levels,
and the "not recorded" cell holds at least K or is not there. On its own and as a run stores it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from pulsebot.services.pulse.pulses import open_pulse_run
from pulsebot.services.segments.cells import Grouping, group_audience
from pulsebot.services.segments.dimensions import (
    FINEST,
    NONE_RECORDED,
    NOT_RECORDED,
    Attributes,
    Labels,
    Levels,
    generalise,
    reporting_lines,
)
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery, Person
from tests.segments.people import person, put_people, stored_cells

OPENED = datetime(2027, 6, 16, 8, tzinfo=UTC)
RUN_DAY = date(2027, 6, 16)  # the run's day where the survey lives (Europe/Berlin)
POOL = [f"U0P{number:03d}" for number in range(600)]
OUTSIDERS = ["U0CEO", "U0VP1", "U0VP2"]  # managers who are not asked, some with a row

DEPARTMENTS = [
    ("Support", "Operations"),
    ("Billing", "Operations"),
    ("Sales", "Commercial"),
    ("Legal", None),
    (None, "Commercial"),
    (None, None),
]
SITES = [("Lisbon", "Europe"), ("Porto", "Europe"), ("Austin", "Americas"), (None, "Europe"), (None, None)]
LEVELS = ["L1", "L2", "L3", None]
START_DATES = st.one_of(st.none(), st.dates(min_value=date(2015, 1, 1), max_value=date(2028, 6, 30)))


@dataclass(frozen=True)
class Case:
    audience: list[str]
    rows: list[Person]  # `person` rows: some of the audience, some managers outside it
    minimum: int

    def attributes(self) -> dict[str, Attributes]:
        """What a run reads of the rows (services/segments/cells.py `workspace_attributes`)."""
        lines = reporting_lines({row.user_id: row.manager_id for row in self.rows})
        return {
            row.user_id: Attributes(
                row.department,
                row.division,
                row.site,
                row.region,
                row.start_date,
                row.level,
                lines[row.user_id],
            )
            for row in self.rows
        }


@st.composite
def cases(draw, most: int = 40) -> Case:
    audience = draw(st.lists(st.sampled_from(POOL[:most]), unique=True, max_size=most))
    with_rows = draw(st.lists(st.sampled_from([*POOL[:most], *OUTSIDERS]), unique=True))
    # Managers drawn from a few people, so that lines are shared, with loops and unknown managers.
    managers = st.one_of(st.none(), st.sampled_from([*OUTSIDERS, "U0GONE", *POOL[: max(6, most // 8)]]))
    rows = []
    for user_id in with_rows:
        department, division = draw(st.sampled_from(DEPARTMENTS))
        site, region = draw(st.sampled_from(SITES))
        rows.append(
            person(
                user_id,
                department=department,
                division=division,
                site=site,
                region=region,
                start_date=draw(START_DATES),
                level=draw(st.sampled_from(LEVELS)),
                manager_id=draw(managers),
            )
        )
    return Case(audience=audience, rows=rows, minimum=draw(st.integers(min_value=3, max_value=8)))


def assert_cells_hold(
    case: Case,
    *,
    levels: Levels,
    cells: dict[int, Labels],
    people: dict[int, int],
    members: dict[str, int],
) -> None:
    attributes = case.attributes()
    # Everyone asked is in exactly one cell, and no one else is.
    assert sorted(members) == sorted(case.audience)
    assert set(members.values()) == set(cells)
    for cell, labels in cells.items():
        inside = [user_id for user_id, their in members.items() if their == cell]
        assert people[cell] == len(inside) >= case.minimum, labels
    assert len(set(cells.values())) == len(cells)  # no two cells alike
    for user_id, cell in members.items():
        own = generalise(attributes.get(user_id, Attributes()), levels, on=RUN_DAY)
        # Each label is the member's own attribute at the run's level, or the member is "not recorded".
        assert cells[cell] in (own, NOT_RECORDED), user_id
        if own == NOT_RECORDED:
            assert cells[cell] == NOT_RECORDED


def gets_no_cells(case: Case) -> bool:
    attributes = case.attributes()
    recorded = [user_id for user_id in case.audience if user_id in attributes]
    nobody = all(generalise(attributes[user_id], FINEST, on=RUN_DAY) == NOT_RECORDED for user_id in recorded)
    return len(case.audience) < case.minimum or nobody


@settings(max_examples=400, deadline=None)
@given(cases())
def test_every_cell_holds_at_least_k_and_everyone_is_in_exactly_one(case: Case):
    grouping = group_audience(case.audience, case.attributes(), minimum=case.minimum, on=RUN_DAY)

    if gets_no_cells(case):
        assert grouping is None
        return
    assert grouping is not None
    assert_cells_hold(
        case,
        levels=grouping.levels,
        cells=dict(enumerate(grouping.cells)),
        people=dict(enumerate(grouping.people)),
        members=dict(grouping.members),
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(cases(most=len(POOL)))
def test_a_large_audience_puts_at_most_a_twentieth_of_it_in_the_not_recorded_cell_for_its_size(case: Case):
    grouping = group_audience(case.audience, case.attributes(), minimum=case.minimum, on=RUN_DAY)

    if gets_no_cells(case):
        assert grouping is None
        return
    assert grouping is not None
    members = dict(grouping.members)
    assert_cells_hold(
        case,
        levels=grouping.levels,
        cells=dict(enumerate(grouping.cells)),
        people=dict(enumerate(grouping.people)),
        members=members,
    )
    attributes = case.attributes()
    put_aside = [
        user_id
        for user_id, cell in members.items()
        if grouping.cells[cell] == NOT_RECORDED
        and generalise(attributes.get(user_id, Attributes()), FINEST, on=RUN_DAY) != NOT_RECORDED
    ]
    if grouping.levels != NONE_RECORDED:  # at the top everyone is "not recorded", whatever their size
        assert len(put_aside) <= max(2 * case.minimum, len(case.audience) // 20)


SURVEY = """\
name: property-pulse
channel: G0PROPERTY
timezone: Europe/Berlin
questions: [{key: workload, kind: scale, prompt: My workload is manageable.}]
"""

STORED = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@STORED
@given(cases(most=30))
def test_a_run_stores_the_cells_its_audience_was_grouped_into(sessions, case: Case):
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(SURVEY, source="p.yml")[0], now=OPENED - timedelta(days=1))
    put_people(sessions, case.rows, replace=True)
    if not case.audience:
        return  # no one to ask: no run at all
    with transaction(sessions) as session:
        run = open_pulse_run(
            session, survey_name="property-pulse", audience=case.audience, now=OPENED, min_group=case.minimum
        )
        asked = session.exec(select(Delivery.user_id).where(Delivery.run_id == run.run_id)).all()
    stored = stored_cells(sessions, run.run_id)

    expected: Grouping | None = group_audience(
        case.audience, case.attributes(), minimum=case.minimum, on=RUN_DAY
    )
    if expected is None:
        assert stored.cells == {} and stored.members == {}
        return
    assert sorted(asked) == sorted(stored.members)
    assert stored.cells == dict(enumerate(expected.cells))
    assert_cells_hold(
        case, levels=expected.levels, cells=stored.cells, people=stored.people, members=stored.members
    )
