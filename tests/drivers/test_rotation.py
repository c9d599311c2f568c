"""The rotation: every driver at least once in any N consecutive runs, no item again before the rest of its
driver, never one driver's item twice in a run, and the same answer for the same survey and run number."""

import math

from hypothesis import given
from hypothesis import strategies as st

from pulsebot.services.survey.library import engagement_library
from pulsebot.services.survey.rotation import Rotation, rotation_for


@st.composite
def rotations(draw) -> Rotation:
    driver_count = draw(st.integers(min_value=1, max_value=12))
    drivers = [
        (f"d{index}", [f"d{index}.i{item}" for item in range(draw(st.integers(min_value=3, max_value=5)))])
        for index in range(driver_count)
    ]
    fewest = min(len(items) for _, items in drivers)
    per_pulse = draw(st.integers(min_value=1, max_value=min(6, driver_count * fewest)))
    return rotation_for(draw(st.text(min_size=1, max_size=20)), drivers, per_pulse)


def driver_of(item: str) -> str:
    return item.split(".")[0]


@given(rotations(), st.integers(min_value=0, max_value=500))
def test_any_n_consecutive_runs_cover_every_driver(rotation, start):
    n = rotation.cycle_runs
    assert n == math.ceil(len(rotation.drivers) / rotation.per_pulse)

    asked = {driver_of(item) for run in range(start, start + n) for item in rotation.items_for_run(run)}

    assert asked == {driver for driver, _ in rotation.drivers}


@given(rotations(), st.integers(min_value=0, max_value=200))
def test_no_item_comes_back_before_every_other_item_of_its_driver(rotation, start):
    sequence: dict[str, list[str]] = {}
    for run in range(start, start + 4 * rotation.cycle_runs * 5):
        for item in rotation.items_for_run(run):
            sequence.setdefault(driver_of(item), []).append(item)
    items_of = dict(rotation.drivers)
    for driver, asked in sequence.items():
        size = len(items_of[driver])
        for first in range(len(asked) - size + 1):
            # Any `size` consecutive asks of a driver are all its items, each once.
            assert sorted(asked[first : first + size]) == sorted(items_of[driver])


@given(rotations(), st.integers(min_value=0, max_value=1000))
def test_a_run_asks_per_pulse_different_items_and_the_same_ones_every_time(rotation, run):
    items = rotation.items_for_run(run)

    assert len(items) == len(set(items)) == rotation.per_pulse
    assert items == rotation_for(rotation.seed, rotation.drivers, rotation.per_pulse).items_for_run(run)


def test_the_whole_library_at_four_a_pulse_covers_its_eleven_drivers_every_three_runs():
    library = engagement_library()
    rotation = rotation_for(
        "team-pulse", [(d.id, [i.id for i in d.items]) for d in library.drivers], per_pulse=4
    )

    assert rotation.cycle_runs == 3
    assert len({driver_of(i) for run in range(3) for i in rotation.items_for_run(run)}) == 11
