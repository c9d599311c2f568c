"""What `pulsebot people show` tells the operator about the stored attributes: how many people have each,
the values with their counts, tenure bands, and how deep the reporting lines go.

This is HR data, read by whoever runs pulsebot at the shell, who holds the export it came from; no answer,
run or figure is read here, so there is nothing to hide below the minimum group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from pulsebot.services.people.attributes import ATTRIBUTES, TEXTS
from pulsebot.services.people.people import line_above
from pulsebot.store.models import Person

# The bands of services/segments/dimensions.py's finest tenure level, from the start date on a day.
TENURE_BANDS = ("< 3 months", "3–12 months", "1–2 years", "2–5 years", "5 years +")
NOT_STARTED = "not started yet"


@dataclass(frozen=True)
class Overview:
    people: int
    by_source: dict[str, int]
    recorded: dict[str, int]  # attribute -> how many people have it, in ATTRIBUTES' order
    values: dict[str, list[tuple[str, int]]]  # text attribute -> its values, the most common first
    tenure: list[tuple[str, int]]  # band -> people, in the bands' order
    depths: list[tuple[int, int]]  # managers above a person -> people, for those with a manager


def overview(session: Session, *, today: date) -> Overview:
    rows = session.exec(select(Person)).all()
    recorded = dict.fromkeys(ATTRIBUTES, 0)
    values: dict[str, Counter] = {name: Counter() for name in TEXTS}
    tenure: Counter = Counter()
    for row in rows:
        for name in TEXTS:
            if (value := getattr(row, name)) is not None:
                recorded[name] += 1
                values[name][value] += 1
        if row.start_date is not None:
            recorded["start_date"] += 1
            tenure[tenure_band(row.start_date, on=today)] += 1
        if row.manager_id is not None:
            recorded["manager"] += 1
    managers = {row.user_id: row.manager_id for row in rows}
    depths = Counter(len(line_above(row.user_id, managers)) for row in rows if row.manager_id is not None)
    return Overview(
        people=len(rows),
        by_source=dict(sorted(Counter(row.source for row in rows).items())),
        recorded=recorded,
        values={
            name: sorted(found.items(), key=lambda item: (-item[1], item[0]))
            for name, found in values.items()
        },
        tenure=[(band, tenure[band]) for band in (NOT_STARTED, *TENURE_BANDS) if tenure[band]],
        depths=sorted(depths.items()),
    )


def tenure_band(start: date, *, on: date) -> str:
    if start > on:
        return NOT_STARTED
    for band, months in zip(TENURE_BANDS, (3, 12, 24, 60), strict=False):
        if on < _months_after(start, months):
            return band
    return TENURE_BANDS[-1]


def _months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")
