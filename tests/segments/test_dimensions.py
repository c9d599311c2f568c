"""The dimensions and their hierarchies: tenure bands on a run's day, reporting lines from the top, and one
person's attributes generalised to a level per dimension."""

from datetime import date

import pytest

from pulsebot.services.segments.dimensions import (
    LINE_DEPTH,
    NONE_RECORDED,
    NOT_RECORDED,
    TOP,
    Attributes,
    Dimension,
    Labels,
    Levels,
    anniversary,
    generalise,
    reporting_lines,
    tenure_band,
    tenure_half,
)

RUN_DAY = date(2027, 6, 16)


@pytest.mark.parametrize(
    ("start", "band"),
    [
        (date(2027, 6, 16), "< 3 months"),  # the first day
        (date(2027, 3, 17), "< 3 months"),  # a day short of three months
        (date(2027, 3, 16), "3–12 months"),  # exactly three months
        (date(2026, 6, 17), "3–12 months"),  # a day short of a year
        (date(2026, 6, 16), "1–2 years"),  # exactly a year
        (date(2025, 6, 17), "1–2 years"),
        (date(2025, 6, 16), "2–5 years"),  # exactly two years
        (date(2022, 6, 17), "2–5 years"),
        (date(2022, 6, 16), "5 years +"),  # exactly five years
        (date(1990, 1, 1), "5 years +"),
    ],
)
def test_tenure_bands_change_on_the_anniversary_itself(start, band):
    assert tenure_band(start, on=RUN_DAY) == band


def test_a_start_on_a_day_the_month_lacks_has_its_anniversary_on_the_month_s_last_day():
    # 29 February: its first anniversary is 28 February of a common year, its fourth the 29th again.
    assert anniversary(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert anniversary(date(2024, 2, 29), 48) == date(2028, 2, 29)
    assert tenure_band(date(2024, 2, 29), on=date(2025, 2, 27)) == "3–12 months"
    assert tenure_band(date(2024, 2, 29), on=date(2025, 2, 28)) == "1–2 years"
    # A start on 30 November is three months in on 28 February, or 29 February in a leap year.
    assert tenure_band(date(2026, 11, 30), on=date(2027, 2, 27)) == "< 3 months"
    assert tenure_band(date(2026, 11, 30), on=date(2027, 2, 28)) == "3–12 months"
    assert tenure_band(date(2027, 11, 30), on=date(2028, 2, 28)) == "< 3 months"
    assert tenure_band(date(2027, 11, 30), on=date(2028, 2, 29)) == "3–12 months"
    # A run on 29 February counts a start of 29 February four years before as exactly four years.
    assert tenure_band(date(2024, 2, 29), on=date(2028, 2, 29)) == "2–5 years"


def test_someone_who_has_not_started_yet_or_has_no_start_date_is_in_no_band():
    assert tenure_band(date(2027, 6, 17), on=RUN_DAY) is None  # starts tomorrow
    assert tenure_band(date(2030, 1, 1), on=RUN_DAY) is None
    assert tenure_band(None, on=RUN_DAY) is None


def test_tenure_one_level_up_is_under_or_over_a_year():
    assert [tenure_half(band) for band in ("< 3 months", "3–12 months")] == ["< 1 year"] * 2
    assert [tenure_half(band) for band in ("1–2 years", "2–5 years", "5 years +")] == ["1 year +"] * 3
    assert tenure_half(None) is None


def test_a_reporting_line_runs_from_the_top_down_to_the_person_s_own_manager():
    lines = reporting_lines({"UCEO": None, "UVP": "UCEO", "ULEAD": "UVP", "UDEV": "ULEAD"})

    assert lines == {
        "UCEO": (),
        "UVP": ("UCEO",),
        "ULEAD": ("UCEO", "UVP"),
        "UDEV": ("UCEO", "UVP", "ULEAD"),
    }


def test_a_manager_no_one_knows_is_the_top_of_the_line():
    # UBOSS has no row (say, outside the HR export): the line starts there and goes no higher.
    lines = reporting_lines({"ULEAD": "UBOSS", "UDEV": "ULEAD", "UOTHER": "UBOSS"})

    assert lines == {"ULEAD": ("UBOSS",), "UDEV": ("UBOSS", "ULEAD"), "UOTHER": ("UBOSS",)}


def test_a_loop_in_the_data_stops_the_line_where_it_would_repeat():
    # A manages B, B manages C, C manages A; D reports to A; E is their own manager.
    lines = reporting_lines({"UA": "UC", "UB": "UA", "UC": "UB", "UD": "UA", "UE": "UE", "UF": "UE"})

    assert lines["UA"] == ("UB", "UC")  # up from A: C, then B, then A again
    assert lines["UB"] == ("UC", "UA")
    assert lines["UC"] == ("UA", "UB")
    assert lines["UD"] == ("UB", "UC", "UA")  # D is not on the loop: the loop is above them, whole
    assert lines["UE"] == ()
    assert lines["UF"] == ("UE",)


def test_every_line_is_what_climbing_from_that_person_finds_whatever_the_order_people_come_in():
    managers = {"U5": "U4", "U4": "U3", "U3": "U1", "U1": "U2", "U2": "U3", "U6": "U9", "U7": None}
    for order in (sorted(managers), sorted(managers, reverse=True), ["U1", "U5", "U6", "U3", "U7"]):
        lines = reporting_lines({person: managers[person] for person in [*order, *managers]})
        assert lines == {person: climb(person, managers) for person in managers}


def climb(person: str, managers: dict[str, str | None]) -> tuple[str, ...]:
    """The line as its definition reads: up from the person, stopping where it would repeat or where the
    known people end."""
    seen, chain, current = {person}, [], managers.get(person)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = managers.get(current) if current in managers else None
    return tuple(reversed(chain))[:LINE_DEPTH]


def test_a_line_keeps_the_top_managers_when_it_is_deeper_than_the_finest_level():
    chain = [f"U{depth:03d}" for depth in range(LINE_DEPTH + 5)]
    managers = {person: (chain[index - 1] if index else None) for index, person in enumerate(chain)}

    lines = reporting_lines(managers)

    assert lines[chain[-1]] == tuple(chain[:LINE_DEPTH])
    assert len("/".join(lines[chain[-1]])) <= 200  # run_cell.line, even with ids of 20 characters


def test_a_very_deep_line_is_read_without_recursion():
    chain = [f"U{depth:06d}" for depth in range(50_000)]  # everyone the manager of the next
    managers = {person: (chain[index - 1] if index else None) for index, person in enumerate(chain)}

    assert reporting_lines(managers)[chain[-1]] == tuple(chain[:LINE_DEPTH])


PERSON = Attributes(
    department="Support",
    division="Operations",
    site="Lisbon",
    region="Europe",
    start_date=date(2026, 1, 10),
    level="L3",
    line=("UCEO", "UVP", "ULEAD"),
)


def test_each_level_of_each_dimension_keeps_what_the_hierarchy_says():
    finest = generalise(PERSON, Levels(), on=RUN_DAY)
    assert finest == Labels(
        department="Support",
        division="Operations",
        site="Lisbon",
        region="Europe",
        tenure="1–2 years",
        level="L3",
        line="UCEO/UVP/ULEAD",
    )
    assert generalise(PERSON, Levels(department=1, location=1, tenure=1), on=RUN_DAY) == Labels(
        division="Operations", region="Europe", tenure="1 year +", level="L3", line="UCEO/UVP/ULEAD"
    )
    # The line keeps at most LINE_DEPTH - level managers from the top.
    assert generalise(PERSON, Levels(line=LINE_DEPTH - 2), on=RUN_DAY).line == "UCEO/UVP"
    assert generalise(PERSON, Levels(line=LINE_DEPTH - 1), on=RUN_DAY).line == "UCEO"
    assert generalise(PERSON, NONE_RECORDED, on=RUN_DAY) == NOT_RECORDED


def test_what_is_not_recorded_stays_not_recorded_at_every_level():
    for level in range(TOP[Dimension.department] + 1):
        labels = generalise(Attributes(division="Operations"), Levels(department=level), on=RUN_DAY)
        assert labels.department is None
        assert labels.division == ("Operations" if level < 2 else None)
    assert generalise(Attributes(), Levels(), on=RUN_DAY) == NOT_RECORDED


def test_a_level_a_dimension_does_not_have_is_refused():
    with pytest.raises(ValueError, match="level has no level 2"):
        Levels(level=2)
