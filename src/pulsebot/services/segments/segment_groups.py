"""The groups a period releases, and the breakdowns that tie them together.

Every group is a union of base cells (base_cells.py), and all of them go to one disclosure release, so
that no figure of one table can be subtracted from another's:

- "organisation": every base cell;
- "team": each survey's runs in the period, and "run": each run alone — figures other views already show
  (a run's own figures, released when it closed), given here so that no segment can be taken from them;
- each attribute alone ("department", "division", "site", "region", "tenure", "level"), its cells
  generalised away forming the group "not recorded";
- each allowed crossing of two attributes ("department × tenure"), keyed "Sales × 1–2 years";
- "line": each manager of the reporting line, keyed by the line's path down to them ("A/B/C"): the cells
  whose line passes through them.

Breakdowns say which groups split which: each table against the organisation, each crossing against
either of its attributes, a department against its division and a site against its region, a line node
against its parent, a team against its runs. The disclosure rules read them for remainders and for
secondary suppression; the audit covers everything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pulsebot.services.segments.base_cells import CellPlace
from pulsebot.services.segments.disclosure import Breakdown, Group

ORGANISATION, TEAM, RUN, LINE = "organisation", "team", "run", "line"
DIMENSIONS = ("department", "division", "site", "region", "tenure", "level")
NOT_RECORDED = "not recorded"
CROSS = " × "
# A finer attribute and the one above it: a department's cells carry its division, a site's its region.
ABOVE = {"department": "division", "site": "region"}


def crossing_table(first: str, second: str) -> str:
    return f"{first}{CROSS}{second}"


@dataclass(frozen=True)
class PeriodGroups:
    groups: tuple[Group, ...]
    breakdowns: tuple[Breakdown, ...]


class _Builder:
    def __init__(self) -> None:
        self.groups: list[Group] = []
        self.index: dict[tuple[str, str], int] = {}
        self.breakdowns: list[Breakdown] = []

    def table(self, table: str, members: dict[str, set[int]], *, fixed: bool = False) -> list[int]:
        added = []
        for key in sorted(members):
            self.index[table, key] = len(self.groups)
            self.groups.append(Group(table=table, key=key, cells=frozenset(members[key]), fixed=fixed))
            added.append(self.index[table, key])
        return added

    def split(self, whole: int, parts: Iterable[int]) -> None:
        parts = tuple(parts)
        if parts:
            self.breakdowns.append(Breakdown(whole=whole, parts=parts))


def period_groups(places: Sequence[CellPlace], *, crossings: Sequence[tuple[str, str]]) -> PeriodGroups:
    built = _Builder()
    everyone = built.table(ORGANISATION, {ORGANISATION: set(range(len(places)))})[0]

    teams, runs = _members(places, lambda place: place.team), _members(places, lambda place: str(place.run))
    team_groups = built.table(TEAM, teams)
    built.table(RUN, runs, fixed=True)  # in the teams' digests already
    built.split(everyone, team_groups)
    runs_of: dict[str, set[str]] = defaultdict(set)
    for place in places:
        runs_of[place.team].add(str(place.run))
    for team, keys in runs_of.items():
        built.split(built.index[TEAM, team], (built.index[RUN, key] for key in sorted(keys)))

    for dimension in DIMENSIONS:
        built.split(everyone, built.table(dimension, _members(places, _value_of(dimension))))
    for finer, coarser in ABOVE.items():
        for upper in (key for (table, key) in list(built.index) if table == coarser):
            whole = built.index[coarser, upper]
            inside = [
                built.index[finer, key]
                for (table, key) in list(built.index)
                if table == finer
                and key != NOT_RECORDED
                and built.groups[built.index[finer, key]].cells <= built.groups[whole].cells
            ]
            built.split(whole, inside)

    for first, second in crossings:
        table = crossing_table(first, second)
        pairs: dict[tuple[str, str], set[int]] = defaultdict(set)
        for index, place in enumerate(places):
            pairs[_value_of(first)(place), _value_of(second)(place)].add(index)
        built.table(table, {CROSS.join(pair): members for pair, members in pairs.items()})
        for margin, position in ((first, 0), (second, 1)):
            split: dict[str, list[int]] = defaultdict(list)
            for pair in sorted(pairs):
                split[pair[position]].append(built.index[table, CROSS.join(pair)])
            for key, parts in split.items():
                built.split(built.index[margin, key], parts)

    nodes: dict[str, set[int]] = defaultdict(set)
    for index, place in enumerate(places):
        if place.labels.line:
            steps = place.labels.line.split("/")
            for depth in range(1, len(steps) + 1):
                nodes["/".join(steps[:depth])].add(index)
    built.table(LINE, nodes)
    children: dict[str, list[str]] = defaultdict(list)
    for path in nodes:
        children[path.rpartition("/")[0]].append(path)
    for parent, paths in children.items():
        whole = built.index[LINE, parent] if parent else everyone
        built.split(whole, (built.index[LINE, path] for path in sorted(paths)))
    return PeriodGroups(groups=tuple(built.groups), breakdowns=tuple(built.breakdowns))


def _value_of(dimension: str):
    def value(place: CellPlace) -> str:
        found = place.attribute(dimension)
        return NOT_RECORDED if found is None else found

    return value


def _members(places: Sequence[CellPlace], key_of) -> dict[str, set[int]]:
    members: dict[str, set[int]] = defaultdict(set)
    for index, place in enumerate(places):
        members[key_of(place)].add(index)
    return dict(members)
