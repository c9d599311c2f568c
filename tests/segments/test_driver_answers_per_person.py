"""A run that asks two items of one driver (more items a pulse than drivers) still counts one answer of
that driver per respondent, so the rules' check that answers lie in 0..people never stops a release."""

from __future__ import annotations

import pytest

from pulsebot.services.segments.base_cells import read_base_cells
from pulsebot.store.db import transaction
from tests.drivers.steps import library_team
from tests.segments.segment_data import (
    DRIVERS,
    IN_JUNE,
    JUNE,
    Scores,
    answered_run,
    members,
    release,
    stored_figures,
)

pytestmark = pytest.mark.clock


def test_two_items_of_a_driver_in_one_run_are_one_answer_per_person(sessions):
    library_team(
        sessions, name="ops", now=IN_JUNE.replace(day=1), library=DRIVERS, per_pulse=4, channel="G0OPS"
    )
    audience = members(6, "OPS", department="Operations")
    run = answered_run(
        sessions, survey="ops", audience=audience, scores=lambda m: Scores(4 + int(m.user[-1]) % 2, 3, 8)
    )

    with transaction(sessions) as session:
        (cell,) = read_base_cells(session, run_ids=[run]).cells
    assert cell.people == 6
    assert (cell.tallies["manager"].answers, cell.tallies["manager"].total) == (6, 27.0)
    assert (cell.tallies["colleagues"].answers, cell.tallies["colleagues"].total) == (6, 18.0)

    assert release(sessions) == [JUNE]
    shown = stored_figures(sessions)["team", "ops", "manager"]
    assert (shown.hidden, shown.answers, round(shown.value, 1)) == (None, 6, 4.5)
