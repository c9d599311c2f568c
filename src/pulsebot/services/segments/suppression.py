"""Rules 1-4 of a segment release (see disclosure.py): the minimum group, the remainder rule, the overlap
rule and secondary suppression, for people counts and, one by one, for each measure's answers.

Everything is counted per run and floored as in `people_floor`: a set of base cells "holds" the most
people (or answers) any one run has in it. One `Pass` applies the rules to one kind of count: people, or
the answers of one measure (or of several measures whose answers are the same in every cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from pulsebot.services.segments.figures import BaseCell, Breakdown, Group, Hidden, Rules, people_floor


@dataclass(frozen=True)
class Layout:
    """The cells and groups as arrays: what every rule and the audit read."""

    runs: np.ndarray  # per cell: its run, numbered 0..n_runs-1
    n_runs: int
    people: np.ndarray  # per cell
    measures: tuple[str, ...]
    present: np.ndarray  # cells × measures: the cell has a tally of the measure
    answers: np.ndarray  # cells × measures (0 where absent)
    totals: np.ndarray
    low: np.ndarray
    high: np.ndarray
    members: tuple[np.ndarray, ...]  # per group: its cells, sorted
    minimum: np.ndarray  # per group: its minimum
    membership: sparse.csr_matrix  # groups × cells, 1 where the cell belongs to the group
    breakdowns: tuple[Breakdown, ...]
    disjoint: tuple[bool, ...]  # per breakdown: no two of its parts share a cell
    sizes: np.ndarray  # per group: how many cells
    whole_part: tuple[np.ndarray, np.ndarray]  # every (whole, part) of the breakdowns
    whole_of: np.ndarray  # per breakdown: its whole
    part_matrix: sparse.csr_matrix  # breakdowns × groups: 1 for each part
    touching: dict[int, tuple[int, ...]]  # group -> the breakdowns it is the whole or a part of
    # Groups of the same cells under other names (a team's one run, a department that is one manager's
    # line): one figure, so hidden together. Absent for a group no other shares its cells with.
    aliases: dict[int, tuple[int, ...]]
    # Groups no rule may hide (except as too few): fixed ones (Group.fixed) and those of the same cells.
    fixed: np.ndarray

    def hideable(self, group: int) -> bool:
        return not self.fixed[group]

    def together(self, group: int) -> tuple[int, ...]:
        """The group and its aliases."""
        return self.aliases.get(group, (group,))

    @property
    def n_groups(self) -> int:
        return len(self.members)

    def by_run_of(self, weights: np.ndarray) -> sparse.csr_matrix:
        """Cells × runs: each cell's weight in its run's column."""
        return sparse.csr_matrix(
            (weights, (np.arange(len(weights)), self.runs)), shape=(len(weights), self.n_runs)
        )

    @cached_property
    def shared_cells(self) -> sparse.csr_matrix:
        """Groups × groups: how many cells two groups share (only pairs that share any are stored)."""
        return (self.membership @ self.membership.T).tocsr()

    def common_cells(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For each pair of groups, how many cells they share."""
        if not len(a):
            return np.zeros(0)
        return np.asarray(self.shared_cells[a, b]).ravel()

    def per_run(self, weights: np.ndarray) -> np.ndarray:
        """Per group and run: the weights summed (groups × runs)."""
        return np.asarray((self.membership @ self.by_run_of(weights)).todense())


def layout(
    cells: Sequence[BaseCell], groups: Sequence[Group], breakdowns: Sequence[Breakdown], rules: Rules
) -> Layout:
    """Check the input (a clear message naming what is wrong) and lay it out as arrays."""
    if rules.min_group < 1:
        raise ValueError(f"rules: min_group must be at least 1, not {rules.min_group}")
    minimum = np.array([g.min_people or rules.min_group for g in groups], dtype=float)
    smallest = min(minimum, default=rules.min_group)
    if not 0 <= rules.margin < smallest - 1:
        raise ValueError(
            f"rules: margin {rules.margin} must be at least 0 and below the smallest minimum less one "
            f"({smallest:g} - 1): a group hidden as too few could never pass the audit"
        )
    run_ids = sorted({cell.run for cell in cells})
    run_number = {run: number for number, run in enumerate(run_ids)}
    measures = tuple(sorted({m for cell in cells for m in cell.tallies}))
    column = {m: j for j, m in enumerate(measures)}
    n, width = len(cells), len(measures)
    present = np.zeros((n, width), dtype=bool)
    answers, totals = np.zeros((n, width)), np.zeros((n, width))
    low, high = np.zeros((n, width)), np.zeros((n, width))
    for i, cell in enumerate(cells):
        if cell.people < 0:
            raise ValueError(f"base cell {i}: people must not be negative ({cell.people})")
        for measure, tally in cell.tallies.items():
            if not (0 <= tally.answers <= cell.people and tally.low <= tally.high):
                raise ValueError(
                    f"base cell {i}, measure {measure!r}: answers must lie in 0..people and low <= high"
                )
            j = column[measure]
            present[i, j] = True
            answers[i, j], totals[i, j], low[i, j], high[i, j] = (
                tally.answers,
                tally.total,
                tally.low,
                tally.high,
            )
    members = []
    for number, group in enumerate(groups):
        indices = np.array(sorted(group.cells), dtype=np.int64)
        if len(indices) and (indices[0] < 0 or indices[-1] >= n):
            raise ValueError(f"group {number} ({group.table} {group.key!r}): a cell index is not a base cell")
        members.append(indices)
    for number, breakdown in enumerate(breakdowns):
        for index in (breakdown.whole, *breakdown.parts):
            if not 0 <= index < len(groups):
                raise ValueError(f"breakdown {number}: group {index} does not exist")
        whole = groups[breakdown.whole]
        for part in breakdown.parts:
            if not groups[part].cells <= whole.cells:
                raise ValueError(
                    f"breakdown {number}: {groups[part].table} {groups[part].key!r} is not inside "
                    f"{whole.table} {whole.key!r}"
                )
    disjoint = []
    for breakdown in breakdowns:
        parts = [members[p] for p in dict.fromkeys(breakdown.parts) if p != breakdown.whole]
        held = sum(len(p) for p in parts)
        disjoint.append(held == len(np.unique(np.concatenate(parts))) if parts else True)
    rows = np.repeat(np.arange(len(members)), [len(m) for m in members])
    cols = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
    membership = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(members), n))
    pairs = [(b.whole, p) for b in breakdowns for p in dict.fromkeys(b.parts) if p != b.whole]
    touching: dict[int, list[int]] = {}
    for number, breakdown in enumerate(breakdowns):
        for group in {breakdown.whole, *breakdown.parts}:
            touching.setdefault(group, []).append(number)
    same: dict[frozenset[int], list[int]] = {}
    for number, group in enumerate(groups):
        same.setdefault(group.cells, []).append(number)
    aliases = {g: tuple(names) for names in same.values() if len(names) > 1 for g in names}
    fixed = _fixed(groups, breakdowns, same, members, cells, minimum)
    part_rows = [n for n, b in enumerate(breakdowns) for p in set(b.parts) - {b.whole}]
    part_cols = [p for b in breakdowns for p in set(b.parts) - {b.whole}]
    return Layout(
        runs=np.array([run_number[c.run] for c in cells], dtype=np.int64),
        n_runs=max(len(run_ids), 1),
        people=np.array([c.people for c in cells], dtype=float),
        measures=measures,
        present=present,
        answers=answers,
        totals=totals,
        low=low,
        high=high,
        members=tuple(members),
        minimum=minimum,
        membership=membership,
        breakdowns=tuple(breakdowns),
        disjoint=tuple(disjoint),
        sizes=np.array([len(m) for m in members], dtype=np.int64),
        whole_part=(
            np.array([w for w, _ in pairs], dtype=np.int64),
            np.array([p for _, p in pairs], dtype=np.int64),
        ),
        whole_of=np.array([b.whole for b in breakdowns], dtype=np.int64),
        part_matrix=sparse.csr_matrix(
            (np.ones(len(part_rows)), (part_rows, part_cols)), shape=(len(breakdowns), len(members))
        ),
        touching={g: tuple(b) for g, b in touching.items()},
        aliases=aliases,
        fixed=fixed,
    )


def _fixed(groups, breakdowns, same, members, cells, minimum) -> np.ndarray:
    """Which groups no rule may hide: those shown elsewhere (Group.fixed), those of the same cells as one,
    and a whole its parts add up to exactly when every part is fixed and big enough to be shown (a team
    whose every run its digests showed)."""
    fixed = np.array([group.fixed for group in groups], dtype=bool)
    floors = [people_floor(cells, group.cells) for group in groups]
    changed = True
    while changed:
        changed = False
        for names in same.values():
            if len(names) > 1 and fixed[names].any() and not fixed[names].all():
                fixed[names] = changed = True
        for breakdown in breakdowns:
            parts = [p for p in dict.fromkeys(breakdown.parts) if p != breakdown.whole]
            if fixed[breakdown.whole] or not parts or not fixed[parts].all():
                continue
            if any(floors[p] < minimum[p] for p in parts):
                continue
            held = np.concatenate([members[p] for p in parts])
            if len(held) == len(np.unique(held)) == len(members[breakdown.whole]):
                fixed[breakdown.whole] = changed = True
    return fixed


class Pass:
    """The rules for one kind of count. `labels` holds what this pass (and earlier ones) hid; `blocked`
    groups are hidden already for another reason (their whole group, for a measure's pass); `in_play`
    says where the count exists at all (a measure nobody in a group was asked is not a figure of it)."""

    def __init__(
        self,
        lay: Layout,
        weights: np.ndarray,
        labels: dict[int, Hidden],
        blocked: frozenset[int] | set[int] = frozenset(),
        in_play: np.ndarray | None = None,
    ):
        self.lay, self.weights, self.labels = lay, weights, labels
        self.visible = np.ones(lay.n_groups, dtype=bool) if in_play is None else in_play.copy()
        self.in_play = self.visible.copy()
        self.visible[list(blocked)] = False
        self.visible[list(labels)] = False
        self.by_run = lay.per_run(weights)
        self.floor = self.by_run.max(axis=1) if lay.n_groups else np.zeros(0)

    def shown(self, group: int) -> bool:
        return bool(self.visible[group])

    def hide(self, group: int, why: Hidden) -> bool:
        """Hide a group with its aliases; False when it is fixed (shown elsewhere) and cannot be."""
        if self.lay.fixed[group] and why is not Hidden.too_few:
            return False
        for name in self.lay.together(group):
            self.labels.setdefault(name, why)
            self.visible[name] = False
        return True

    def smallest(self, groups: list[int]) -> int | None:
        """Of these groups, the smallest that can be hidden."""
        free = [g for g in groups if self.lay.hideable(g)]
        return min(free, key=lambda g: (self.floor[g], -g)) if free else None

    def all_rules(self) -> None:
        self.minimum()
        self.remainder()
        self.overlap()
        self.secondary()

    def minimum(self) -> None:
        """Rule 1: a group holding fewer than its minimum is hidden."""
        for group in np.flatnonzero(self.visible & (self.floor < self.lay.minimum)):
            self.hide(int(group), Hidden.too_few)

    def remainder(self) -> None:
        """Rule 2: inside a shown whole, what a shown part leaves is 0 or at least the whole's minimum
        (a figure made by taking people away from a group is held to that group's minimum)."""
        wholes, parts = self.lay.whole_part
        if not len(wholes):
            return
        left = (self.by_run[wholes] - self.by_run[parts]).max(axis=1)
        short = (left > 0.5) & (left < self.lay.minimum[wholes] - 0.5)
        for whole, part in zip(wholes[short], parts[short], strict=True):
            if self.visible[whole] and self.visible[part] and not self.hide(int(part), Hidden.remainder):
                self.hide(int(whole), Hidden.remainder)  # the part is shown elsewhere: the whole goes

    def overlap(self) -> None:
        """Rule 3: two shown groups whose members differ by 1..min-1 (A minus B held to A's minimum)
        cannot both be shown; the smaller is hidden. Only pairs sharing people in A's largest run are
        compared (one sparse product finds them): otherwise A minus B holds all of that run, at least
        A's minimum. Of those, B must hold all but fewer than the minimum of it, and not all of A."""
        lay, weights = self.lay, self.weights
        shown = np.flatnonzero(self.visible)
        if len(shown) < 2:
            return
        rows = lay.membership[shown].tocoo()
        top = self.by_run[shown].argmax(axis=1)
        in_top = lay.runs[rows.col] == top[rows.row]
        weighted = sparse.csr_matrix(
            (weights[rows.col[in_top]], (rows.row[in_top], rows.col[in_top])), shape=rows.shape
        )
        together = (weighted @ rows.T.tocsr()).tocoo()  # [a, b]: b's share of a's largest run
        a, b = shown[together.row], shown[together.col]
        near = (a != b) & (self.floor[a] - together.data < lay.minimum[a] - 0.5)
        a, b = a[near], b[near]
        partly = lay.common_cells(a, b) < lay.sizes[a]  # B does not hold all of A
        a, b = a[partly], b[partly]
        if not len(a):
            return
        both = lay.membership[a].multiply(lay.membership[b]).tocsr()
        shared = np.asarray((both @ lay.by_run_of(weights)).todense())
        apart = (self.by_run[a] - shared).max(axis=1)
        close = (apart > 0.5) & (apart < lay.minimum[a] - 0.5)
        size = lambda g: (self.floor[g], -g)  # noqa: E731
        pairs = sorted(
            zip(a[close].tolist(), b[close].tolist(), strict=True), key=lambda p: min(map(size, p))
        )
        for ga, gb in pairs:
            if self.visible[ga] and self.visible[gb]:
                first, second = sorted((ga, gb), key=size)
                if not self.hide(first, Hidden.overlap):  # shown elsewhere: the other goes
                    self.hide(second, Hidden.overlap)

    def union_by_run(self, groups: list[int], disjoint: bool = False) -> np.ndarray:
        if not groups:
            return np.zeros(self.lay.n_runs)
        if disjoint:
            return self.by_run[groups].sum(axis=0)
        cells = np.unique(np.concatenate([self.lay.members[g] for g in groups]))
        return np.bincount(self.lay.runs[cells], weights=self.weights[cells], minlength=self.lay.n_runs)

    def secondary(self, only: set[int] | None = None) -> None:
        """Rule 4, to a fixpoint: inside a shown whole, the hidden parts together, and what the shown
        parts leave of the whole, hold 0 or at least the minimum; else more parts are hidden, smallest
        first. And a whole hidden for a reason other than too few is not left as the sum of its parts
        all shown (that would undo hiding it): its smallest part is hidden."""
        lay = self.lay
        if only is None:
            pending = set(self.unsettled().tolist())
        else:
            pending = {b for group in only for b in lay.touching.get(group, ())}
        while pending:
            number = pending.pop()
            for hidden in self.settle(number):
                pending.update(lay.touching.get(hidden, ()))

    def unsettled(self) -> np.ndarray:
        """The breakdowns rule 4 may have to act on: every one whose parts share cells, and those of
        disjoint parts whose sums (one sparse product) show something to do."""
        lay = self.lay
        parts = lay.part_matrix.multiply(self.in_play[None, :]).tocsr()
        hidden_parts = parts.multiply(~self.visible[None, :]) @ self.by_run
        shown_parts = parts.multiply(self.visible[None, :]) @ self.by_run
        wholes = lay.whole_of
        least = lay.minimum[wholes] - 0.5
        together = np.asarray(hidden_parts).max(axis=1) if len(wholes) else np.zeros(0)
        left = (self.by_run[wholes] - np.asarray(shown_parts)).max(axis=1) if len(wholes) else np.zeros(0)
        act = self.visible[wholes] & (
            ((together > 0.5) & (together < least)) | ((left > 0.5) & (left < least))
        )
        hidden_whole = ~self.visible[wholes] & self.in_play[wholes] & (left < 0.5)
        return np.flatnonzero(act | hidden_whole | ~np.array(lay.disjoint, dtype=bool))

    def settle(self, number: int) -> list[int]:
        lay, breakdown, disjoint = self.lay, self.lay.breakdowns[number], self.lay.disjoint[number]
        whole = breakdown.whole
        parts = [p for p in dict.fromkeys(breakdown.parts) if p != whole and self.in_play[p]]
        least = lay.minimum[whole]
        newly: list[int] = []
        if not self.in_play[whole] or not parts:
            return newly
        if not self.visible[whole]:
            if self.labels.get(whole) in (None, Hidden.too_few):
                return newly  # hidden as too few, or with its whole group (a measure's pass)
            if all(self.visible[p] for p in parts):
                left = self.by_run[whole] - self.union_by_run(parts, disjoint)
                smallest = self.smallest(parts)
                if left.max() < 0.5 and smallest is not None:
                    self.hide(smallest, Hidden.secondary)
                    newly.append(smallest)
            return newly
        while True:
            shown = [p for p in parts if self.visible[p]]
            hidden = [p for p in parts if not self.visible[p]]
            together = self.union_by_run(hidden, disjoint).max()
            left = (self.by_run[whole] - self.union_by_run(shown, disjoint)).max()
            if not (0.5 < together < least - 0.5 or 0.5 < left < least - 0.5):
                return newly
            smallest = self.smallest(shown)
            if smallest is None:  # every part left is shown elsewhere: the whole goes instead
                if self.hide(whole, Hidden.secondary):
                    newly.append(whole)
                return newly
            self.hide(smallest, Hidden.secondary)
            newly.append(smallest)


def measure_classes(lay: Layout, columns: list[int] | None = None) -> list[list[int]]:
    """Measures whose answers are the same in every cell get the same decisions from rules 1-4."""
    classes: dict[bytes, list[int]] = {}
    for j in range(len(lay.measures)) if columns is None else columns:
        key = lay.present[:, j].tobytes() + lay.answers[:, j].tobytes()
        classes.setdefault(key, []).append(j)
    return list(classes.values())


def present_in_groups(lay: Layout) -> np.ndarray:
    """Groups × measures: whether any of the group's cells has a tally of the measure."""
    return np.asarray((lay.membership @ sparse.csr_matrix(lay.present.astype(float))).todense()) > 0
