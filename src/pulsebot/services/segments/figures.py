"""What a segment release is made of: base cells, the groups shown over them, the breakdowns that split a
whole into parts, and what a release hides and why. Imported through services/segments/disclosure.py,
which documents the rules; kept apart so the rules (suppression.py) and the audit (audit.py) share them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


class Hidden(enum.StrEnum):
    too_few = "too few"  # rule 1: fewer people (or answers) than the minimum
    remainder = "remainder"  # rule 2: the whole minus this part would leave fewer than the minimum
    overlap = "overlap"  # rule 3: it differs from another shown group by fewer than the minimum
    secondary = "secondary"  # rule 4: hidden with the hidden parts of a whole so they cannot be subtracted
    audit = "audit"  # rule 5: hidden more because the audit could narrow a hidden figure


@dataclass(frozen=True)
class Tally:
    """One measure's answers in one base cell."""

    answers: int  # how many answers
    total: float  # their sum
    low: float  # every answer's value lies in [low, high]
    high: float


@dataclass(frozen=True)
class BaseCell:
    """The finest unit every released figure is a sum of: one run's cell."""

    run: int  # people are counted per run (see people_floor)
    people: int  # distinct respondents of that run in that cell
    tallies: Mapping[str, Tally] = field(default_factory=dict)  # by measure: "enps", a driver's key, …


@dataclass(frozen=True)
class Group:
    """A figure a viewer may see: a union of base cells."""

    table: str  # "organisation", "team", "department", "department × tenure", "line", …
    key: str  # its label within the table
    cells: frozenset[int]  # indices into the base cells
    min_people: int | None = None  # a higher minimum for this group (e.g. comments); None: rules.min_group
    # Shown already by another view (a run's own figures, in its team's digest): no rule of this release
    # can take it back, so the rules hide others around it instead, and hide it only as too few.
    fixed: bool = False


@dataclass(frozen=True)
class Breakdown:
    """A whole and the groups that split it: the context of rules 2 and 4."""

    whole: int  # index into groups
    parts: tuple[int, ...]  # indices into groups


@dataclass(frozen=True)
class Rules:
    min_group: int
    # A hidden figure's interval, as an attacker can bound it from everything shown, must be wider than
    # this: people for counts, (high - low) for sums. 1 means an attacker cannot tell a hidden count to
    # within one person, nor a hidden sum to within one answer's whole range; see disclosure.py.
    margin: float = 1.0
    # The audit's time, all rounds together; None: no limit. Past it the release fails closed (see
    # disclosure.release): a period is released inside the transaction that closes runs.
    audit_seconds: float | None = None


@dataclass(frozen=True)
class Released:
    hidden: Mapping[int, Hidden]  # group index -> why the whole group is hidden
    hidden_measures: Mapping[tuple[int, str], Hidden]  # a shown group's measure hidden on its own
    complete: bool = True  # False: the audit did not finish, and all it could hide is hidden

    def shown(self, group: int, measure: str | None = None) -> bool:
        """Whether a group's figures (measure None: its people count) may be shown."""
        if group in self.hidden:
            return False
        return measure is None or (group, measure) not in self.hidden_measures


def people_floor(cells: Sequence[BaseCell], members: Iterable[int]) -> int:
    """A lower bound on the distinct people of a union of base cells: the most any one run has (the
    same person answers several runs of a period under different tokens)."""
    per_run: dict[int, int] = {}
    for index in members:
        cell = cells[index]
        per_run[cell.run] = per_run.get(cell.run, 0) + cell.people
    return max(per_run.values(), default=0)


def answers_floor(cells: Sequence[BaseCell], members: Iterable[int], measure: str) -> int:
    """The same lower bound for the people who answered one measure."""
    per_run: dict[int, int] = {}
    for index in members:
        cell = cells[index]
        tally = cell.tallies.get(measure)
        if tally is not None:
            per_run[cell.run] = per_run.get(cell.run, 0) + tally.answers
    return max(per_run.values(), default=0)
