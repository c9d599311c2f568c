"""The dimensions results can be cut by, and how each is generalised up its hierarchy.

Every dimension has levels: 0 is the finest, each next level is coarser, and the last is "not recorded"
(None). A run's cells (services/segments/cells.py) put the whole run at one level per dimension, so a
label means the same thing for everyone in the run, and every label of a cell is its people's own
attribute at that level (`generalise`).

- department: 0 the department (its division kept), 1 the division only, 2 not recorded
- location:   0 the site (its region kept), 1 the region only, 2 not recorded
- tenure:     0 a band of the time since the start date, on the run's day (`TENURE_BANDS`),
              1 under or over a year (`TENURE_HALVES`), 2 not recorded
- level:      0 the level, 1 not recorded
- line:       the chain of managers from the top down to the person's own; level n keeps at most
              `LINE_DEPTH` - n of them from the top, and level `LINE_DEPTH` keeps none (not recorded)
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import NamedTuple


class Dimension(enum.StrEnum):
    department = "department"
    location = "location"
    tenure = "tenure"
    level = "level"
    line = "line"


TENURE_BANDS = ("< 3 months", "3–12 months", "1–2 years", "2–5 years", "5 years +")
# The bands' lower edges, in whole months since the start date.
TENURE_BAND_MONTHS = (0, 3, 12, 24, 60)
TENURE_HALVES = ("< 1 year", "1 year +")
# The finest reporting line keeps this many managers from the top: a line of Slack ids (at most 20
# characters each) joined by "/" always fits `run_cell.line`. Deeper managers are counted with theirs.
LINE_DEPTH = 9
LINE_SEPARATOR = "/"

# The "not recorded" level of each dimension: the highest there is.
TOP = {
    Dimension.department: 2,
    Dimension.location: 2,
    Dimension.tenure: 2,
    Dimension.level: 1,
    Dimension.line: LINE_DEPTH,
}


class Attributes(NamedTuple):
    """One person's attributes as a run sees them when it opens (None: not recorded). A named tuple:
    a run of 50,000 people makes 50,000 of them."""

    department: str | None = None
    division: str | None = None
    site: str | None = None
    region: str | None = None
    start_date: date | None = None
    level: str | None = None
    line: tuple[str, ...] = ()  # managers from the top down to the person's own (`reporting_lines`)


@dataclass(frozen=True, order=True)
class Labels:
    """A cell's labels, as `run_cell` holds them: None where not recorded or generalised away."""

    department: str | None = None
    division: str | None = None
    site: str | None = None
    region: str | None = None
    tenure: str | None = None
    level: str | None = None
    line: str | None = None  # managers' Slack ids from the top, joined by "/"

    def columns(self) -> dict[str, str | None]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @classmethod
    def held_by(cls, row) -> Labels:
        """The labels a `run_cell` row (or anything with the same columns) holds."""
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})

    @property
    def recorded(self) -> bool:
        return self != NOT_RECORDED


NOT_RECORDED = Labels()


@dataclass(frozen=True)
class Levels:
    """A run's level in each dimension (0 the finest; `TOP` not recorded)."""

    department: int = 0
    location: int = 0
    tenure: int = 0
    level: int = 0
    line: int = 0

    def __post_init__(self) -> None:
        for dimension in Dimension:
            if not 0 <= self[dimension] <= TOP[dimension]:
                raise ValueError(f"{dimension} has no level {self[dimension]} (0 to {TOP[dimension]})")

    def __getitem__(self, dimension: Dimension) -> int:
        return getattr(self, dimension.value)


FINEST = Levels()
NONE_RECORDED = Levels(**{dimension.value: TOP[dimension] for dimension in Dimension})


def generalise(person: Attributes, levels: Levels, *, on: date) -> Labels:
    """The labels of this person's cell in a run of day `on` whose levels are `levels`."""
    values = finest_values(person, tenure=tenure_band(person.start_date, on=on))
    return labels_of(
        tuple(
            value_at(dimension, value, levels[dimension])
            for dimension, value in zip(Dimension, values, strict=True)
        )
    )


# A dimension's value at some level, as a tuple: (department, division), (site, region), (tenure band,),
# (level,), and for the line the managers' ids from the top (empty: not recorded). A combination holds
# one value of each dimension, in `Dimension`'s order.
Value = tuple[str | None, ...]
Combination = tuple[Value, ...]
NOTHING_RECORDED: Combination = ((None, None), (None, None), (None,), (None,), ())


def finest_values(person: Attributes, *, tenure: str | None) -> Combination:
    """A person's values at level 0, their tenure band (`tenure_band`) on the run's day given."""
    return (
        (person.department, person.division),
        (person.site, person.region),
        (tenure,),
        (person.level,),
        person.line[:LINE_DEPTH],
    )


def value_at(dimension: Dimension, value: Value, level: int) -> Value:
    """A value of this dimension (at its finest, or at any level below `level`) taken up to `level`."""
    if dimension is Dimension.line:
        return value[: LINE_DEPTH - level]
    if level >= TOP[dimension]:
        return (None,) * len(value)
    if level == 0:
        return value
    if dimension is Dimension.tenure:
        return (tenure_half(value[0]),)
    return (None, value[1])  # the division of a department, the region of a site


def labels_of(combination: Combination) -> Labels:
    """A combination's labels, as `run_cell` holds them."""
    (department, division), (site, region), (tenure,), (level,), line = combination
    return Labels(
        department=department,
        division=division,
        site=site,
        region=region,
        tenure=tenure,
        level=level,
        line=LINE_SEPARATOR.join(line) if line else None,
    )


def anniversary(start: date, months: int) -> date:
    """The day `months` whole months after `start`; a start on a day the month lacks (the 31st, the 29th
    of February) has its anniversary on that month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def months_served(start: date, *, on: date) -> int | None:
    """Whole months from `start` to `on` (None for a start after `on`: not started yet)."""
    if start > on:
        return None
    months = (on.year - start.year) * 12 + on.month - start.month
    return months if anniversary(start, months) <= on else months - 1


def tenure_band(start: date | None, *, on: date) -> str | None:
    """The tenure band on day `on`: "< 3 months" until the day three months after the start, "3–12
    months" from that day on, and so on. None for no start date, or one after `on` (someone who has not
    started yet is in no band)."""
    months = None if start is None else months_served(start, on=on)
    if months is None:
        return None
    return next(
        band
        for band, edge in zip(reversed(TENURE_BANDS), reversed(TENURE_BAND_MONTHS), strict=True)
        if months >= edge
    )


def tenure_half(band: str | None) -> str | None:
    """A tenure band taken up one level: under a year, or a year and more."""
    if band is None:
        return None
    return TENURE_HALVES[0] if TENURE_BANDS.index(band) < 2 else TENURE_HALVES[1]


def reporting_lines(managers: Mapping[str, str | None]) -> dict[str, tuple[str, ...]]:
    """Each known person's reporting line: their managers from the top down to their own, at most
    `LINE_DEPTH` of them from the top (what the finest level keeps).

    `managers` maps every known person to their manager's id (None: no manager recorded). A chain
    climbs while it meets known people: a manager not known is its top (their own manager is not
    known), and a chain stops where it would repeat someone already in it, the person included (a
    loop in the data: A manages B who manages A). Linear in the number of people, however deep."""
    lines: dict[str, tuple[str, ...]] = {}
    for person in managers:
        if person in lines:
            continue
        # Climb until a person whose line is known, the top, or someone met on this climb again.
        path: list[str] = []
        on_path: dict[str, int] = {}
        current: str | None = person
        while current is not None and current in managers and current not in lines:
            if current in on_path:
                break
            on_path[current] = len(path)
            path.append(current)
            current = managers[current]
        if current is not None and current in on_path:
            # A loop: everyone on it has their own line (the loop read round from them); those
            # below it on this climb hang off its first member.
            loop = path[on_path[current] :]
            for place, member in enumerate(loop):
                above = [loop[(place + step) % len(loop)] for step in range(1, len(loop))]
                lines[member] = tuple(reversed(above))[:LINE_DEPTH]
            path = path[: on_path[current]]
            above_path: tuple[str, ...] | None = None
            top = current
        elif current is None:
            above_path, top = None, None
        else:  # a person whose line is known, or a manager not known: the top of the chain
            above_path, top = lines.get(current, ()), current
        for member in reversed(path):
            if top is None:
                line: tuple[str, ...] = ()
            else:
                line = ((above_path if above_path is not None else lines[top]) + (top,))[:LINE_DEPTH]
            lines[member] = line
            top, above_path = member, None
    return lines
