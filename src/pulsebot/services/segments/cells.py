"""A run's cells: its audience grouped, when it opens, into combinations of attributes that each hold at
least K of its people, before any answer exists. An answer then carries only its cell.

K is the run's minimum (services/survey/audience.py `run_minimum`: the minimum group, plus each person
asked who can see the team's results). The people's attributes (`person`, services/segments/
dimensions.py) are snapshotted and generalised for the whole run at once, one level per dimension
(full-domain generalisation, as Datafly does it): while some combination holds fewer than K people, the
dimension with the most distinct values among those small combinations goes up a level. The people
still in a small combination go to the "not recorded" cell (every label None), where the audience
members without attributes are too, once that cell holds at least K (topped up, if need be, with the
smallest other combinations, whole) and takes there no more people who have attributes than a
twentieth of the audience (or 2K, if more); otherwise generalising goes on. At the top every label is None and
the whole audience (at least K) is one cell, so it always ends. The cells are numbered in the order of
their labels, "not recorded" first: the numbers say nothing the labels do not.

An audience smaller than K, or one nobody of which has an attribute recorded, gets no cells: its
answers carry none. `run_cell` keeps the cells and how many of the audience each holds; `run_member`
says whose cell is which, read when someone answers, until the run's key material is destroyed
(services/pulse/answer_keys.py), when its rows go: from then on an answer's cell says "one of these
people", as the labels do, and nothing ties it to anyone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from sqlalchemy import String, delete, type_coerce
from sqlmodel import Session, select

from pulsebot.services.segments.dimensions import (
    LINE_DEPTH,
    NOTHING_RECORDED,
    TOP,
    Attributes,
    Combination,
    Dimension,
    Labels,
    Levels,
    Value,
    finest_values,
    labels_of,
    reporting_lines,
    tenure_band,
    value_at,
)
from pulsebot.store.bulk import insert_many
from pulsebot.store.models import Person, RunCell, RunMember

# At most one in this many of the audience (or twice K, if more: a small team's "not recorded" cell may
# then take one small group whole) are put in the "not recorded" cell, rather than generalising the
# whole run further for them.
NOT_RECORDED_SHARE = 20
# The order a tie between dimensions is broken in: the finest-grained first.
TIE_ORDER = (Dimension.line, Dimension.department, Dimension.location, Dimension.tenure, Dimension.level)
DIMENSIONS = tuple(Dimension)  # the order of a combination's values


@dataclass(frozen=True)
class Grouping:
    """A run's cells: the levels it was generalised to, each cell's labels (by cell number) and how many
    of its audience each holds, and the cell of each member."""

    levels: Levels
    cells: tuple[Labels, ...]
    people: tuple[int, ...]
    members: Mapping[str, int]


def group_audience(
    audience: Iterable[str], people: Mapping[str, Attributes], *, minimum: int, on: date
) -> Grouping | None:
    """Group a run's audience (`people`: the attributes of those of them who have any) into cells of at
    least `minimum` of them each, on the run's day `on`; None when it gets no cells."""
    audience = sorted(set(audience))
    if len(audience) < minimum:
        return None
    table, values = _numbered(audience, people, on=on)
    nothing = _numbers_of(NOTHING_RECORDED, values)
    if nothing is not None and (table == nothing).all():
        return None
    budget = max(2 * minimum, len(audience) // NOT_RECORDED_SHARE)
    levels, combinations, combination_of = choose_levels(
        table, values, minimum=minimum, most_not_recorded=budget
    )
    labels = [labels_of(combination) for combination in combinations]
    cells = tuple(sorted(set(labels), key=_label_order))
    number = {cell: index for index, cell in enumerate(cells)}
    cell_of = [number[cell] for cell in labels]
    members = {
        user_id: cell_of[combination] for user_id, combination in zip(audience, combination_of, strict=True)
    }
    people_in = Counter(members.values())
    return Grouping(
        levels=levels, cells=cells, people=tuple(people_in[n] for n in range(len(cells))), members=members
    )


def _numbered(
    audience: Sequence[str], people: Mapping[str, Attributes], *, on: date
) -> tuple[np.ndarray, list[list[Value]]]:
    """Each member's values at the finest levels, as a table of numbers (a row per member, a column per
    dimension), and each dimension's values by number. Numbers hash and sort much faster than the
    values, tuples of strings."""
    nobody = Attributes()
    persons = [people.get(user_id, nobody) for user_id in audience]
    bands = {start: tenure_band(start, on=on) for start in {person.start_date for person in persons}}
    combinations = [finest_values(person, tenure=bands[person.start_date]) for person in persons]
    columns, values = [], []
    for column in zip(*combinations, strict=True):
        distinct = list(dict.fromkeys(column))
        number = {value: index for index, value in enumerate(distinct)}
        columns.append(np.fromiter(map(number.__getitem__, column), dtype=np.int64, count=len(column)))
        values.append(distinct)
    return np.column_stack(columns), values


def choose_levels(
    table: np.ndarray, values: list[list[Value]], *, minimum: int, most_not_recorded: int
) -> tuple[Levels, list[Combination], list[int]]:
    """The run's level per dimension; the combinations at those levels, "not recorded" included; and
    which of them each member ends in. `table` and `values`: the members' values at the finest levels,
    numbered (`_numbered`); each step rewrites one column of the table, and `values` with it."""
    levels = Levels()
    while True:
        keys, combination_of = _distinct_rows(table, [len(column) for column in values])
        people = np.bincount(combination_of, minlength=len(keys))
        suppressed = _not_recorded(keys, people, values, minimum=minimum, most=most_not_recorded)
        if suppressed is not None:
            break
        dimension, level = _next_step(values, keys[people < minimum], levels)
        levels = replace(levels, **{dimension.value: level})
        place = DIMENSIONS.index(dimension)
        numbers: dict[Value, int] = {}
        remap = [
            numbers.setdefault(value_at(dimension, value, level), len(numbers)) for value in values[place]
        ]
        values[place] = list(numbers)
        table[:, place] = np.asarray(remap, dtype=np.int64)[table[:, place]]
    combinations = [
        NOTHING_RECORDED if suppressed[index] else tuple(values[p][number] for p, number in enumerate(key))
        for index, key in enumerate(keys.tolist())
    ]
    return levels, combinations, combination_of.tolist()


def _not_recorded(
    keys: np.ndarray, people: np.ndarray, values: Sequence[Sequence[Value]], *, minimum: int, most: int
) -> np.ndarray | None:
    """Which combinations go to the "not recorded" cell at these levels (a mask over `keys`), or None if
    the run must be generalised further.

    Every combination under the minimum goes, with the people who have nothing recorded. If they are
    still fewer than the minimum, the smallest other combinations go too, whole, until they are not; it
    is done if that puts at most `most` people there who have something recorded."""
    small = people < minimum
    if not small.any():
        return small
    nothing = _numbers_of(NOTHING_RECORDED, values)
    unrecorded = np.zeros(len(keys), dtype=bool) if nothing is None else (keys == nothing).all(axis=1)
    suppressed = small | unrecorded
    short = minimum - int(people[suppressed].sum())
    for index in np.argsort(np.where(suppressed, np.iinfo(np.int64).max, people), kind="stable"):
        if short <= 0 or suppressed[index]:
            break
        suppressed[index] = True
        short -= int(people[index])
    going = int(people[suppressed & ~unrecorded].sum())
    return suppressed if short <= 0 and going <= most else None


def _distinct_rows(table: np.ndarray, sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The table's distinct rows, and which of them each row is."""
    if math.prod(sizes) < 2**62:  # each row as one number: sorting numbers is much faster than rows
        radix = np.array([math.prod(sizes[place + 1 :]) for place in range(len(sizes))], dtype=np.int64)
        _, first, inverse = np.unique(table @ radix, return_index=True, return_inverse=True)
        return table[first], inverse.ravel()
    keys, inverse = np.unique(table, axis=0, return_inverse=True)
    return keys, inverse.ravel()


def _numbers_of(combination: Combination, values: Sequence[Sequence[Value]]) -> np.ndarray | None:
    """A combination's numbers, or None if some value of it is no one's."""
    try:
        return np.array([values[place].index(value) for place, value in enumerate(combination)])
    except ValueError:
        return None


def _next_step(values: Sequence[Sequence[Value]], small: np.ndarray, levels: Levels) -> tuple[Dimension, int]:
    """The dimension to generalise next and the level it goes to: of those a step up changes something,
    the one with the most distinct values among the small combinations (ties: `TIE_ORDER`)."""
    best: tuple[int, int, Dimension, int] | None = None
    for rank, dimension in enumerate(TIE_ORDER):
        place = DIMENSIONS.index(dimension)
        among_small = {values[place][number] for number in np.unique(small[:, place]).tolist()}
        level = _next_level(dimension, values[place], among_small, levels[dimension])
        if level is not None and (best is None or (len(among_small), -rank) > best[:2]):
            best = (len(among_small), -rank, dimension, level)
    assert best is not None, "every dimension is at its top, so no combination can be small"
    return best[2], best[3]


def _next_level(
    dimension: Dimension, values: Sequence[Value], among_small: set[Value], level: int
) -> int | None:
    """The lowest level above `level` at which some value of this dimension changes; for the line, one
    manager less than the deepest line among the small combinations (or among all, if none of them has
    one). None if no level changes anything."""
    if dimension is Dimension.line:
        deepest = max(map(len, among_small)) or max(map(len, values))
        return LINE_DEPTH - deepest + 1 if deepest else None
    for higher in range(level + 1, TOP[dimension] + 1):
        if any(value_at(dimension, value, higher) != value for value in values):
            return higher
    return None


def _label_order(labels: Labels) -> tuple:
    return tuple((value is not None, value or "") for value in labels.columns().values())


def workspace_attributes(session: Session, *, team_id: str, audience: Iterable[str]) -> dict[str, Attributes]:
    """The attributes of those of `audience` who have a `person` row in the workspace, as of now; their
    reporting lines climb through everyone the workspace has a row for."""
    columns = (Person.department, Person.division, Person.site, Person.region)
    # Read without the ORM, and the start date as the driver gives it (SQLite's driver gives text, which
    # SQLAlchemy would parse row by row): a workspace of 50,000 people is read in a fifth of the time.
    start_date = type_coerce(Person.start_date, String)
    query = select(Person.user_id, Person.manager_id, *columns, start_date, Person.level)
    rows = session.connection().execute(query.where(Person.team_id == team_id)).all()
    lines = reporting_lines({row[0]: row[1] or None for row in rows})
    dates = {value: _as_date(value) for value in {row[6] for row in rows}}
    wanted = set(audience)
    return {
        user_id: Attributes(department, division, site, region, dates[start], level, lines[user_id])
        for user_id, _manager, department, division, site, region, start, level in rows
        if user_id in wanted
    }


def _as_date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def snapshot_cells(
    session: Session, *, run_id: int, team_id: str, audience: Sequence[str], minimum: int, on: date
) -> Grouping | None:
    """Group a run's audience into cells as it opens, in its transaction, and write them (`run_cell`,
    `run_member`); None when it gets none."""
    if len(set(audience)) < minimum:
        return None
    grouping = group_audience(
        audience, workspace_attributes(session, team_id=team_id, audience=audience), minimum=minimum, on=on
    )
    if grouping is None:
        return None
    columns = ("run_id", "cell", "people", *Labels.__dataclass_fields__)
    cells = enumerate(zip(grouping.cells, grouping.people, strict=True))
    insert_many(
        session,
        RunCell.__table__,
        columns,
        [(run_id, number, people, *labels.columns().values()) for number, (labels, people) in cells],
    )
    members = sorted(grouping.members.items())
    insert_many(
        session, RunMember.__table__, ("run_id", "user_id", "cell"), [(run_id, *member) for member in members]
    )
    return grouping


def member_cell(session: Session, *, run_id: int, user_id: str) -> int | None:
    """The cell this person of the run's audience is in; None for a run without cells."""
    return session.exec(
        select(RunMember.cell).where(RunMember.run_id == run_id, RunMember.user_id == user_id)
    ).first()


def run_cells(session: Session, *, run_id: int) -> dict[int, Labels]:
    """A run's cells by number, with their labels."""
    rows = session.exec(select(RunCell).where(RunCell.run_id == run_id)).all()
    return {
        row.cell: Labels(**{name: getattr(row, name) for name in Labels.__dataclass_fields__}) for row in rows
    }


def forget_members(session: Session, *, run_ids: Iterable[int]) -> int:
    """Delete which cell each person of these runs is in (their key material is gone, or the runs are
    purged): the cells and the answers' cells stay, tied to no one. How many rows went."""
    run_ids = list(run_ids)
    if not run_ids:
        return 0
    return session.exec(delete(RunMember).where(RunMember.run_id.in_(run_ids))).rowcount
