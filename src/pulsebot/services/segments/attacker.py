"""The attacker of rule 5 (see disclosure.py and audit.py): linear programmes that bound what someone
holding every shown figure can tell of each hidden one, over the base cells.

The exact model (`exact_model`): per base cell, its people p, and per measure its answers a and their
total t; every shown figure equals its sum; 0 <= a <= p, low*a <= t <= high*a, p >= 0; and what each
hidden label says (too few: every run holds at most min-1; any other reason: at least min).

Cells that belong to the same groups, with the same measures on the same scales (and the same run where
a label speaks per run), are interchangeable in every constraint, so they are merged into one "atom":
the sums of feasible cells are feasible for the atom and an atom's values can be put in one of its cells,
so the bounds are the same with far fewer variables.

Two restrictions of it (`people_model`, `totals_model`: every point of theirs is a point of the exact
model, so an interval they prove wide is wide for the exact model too) are smaller: people and answers
moved with every total held, and one measure's totals at a time with the people and answers held. A
relaxation (`relaxed_model`) tells when a hidden figure is known to hold nobody.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from pulsebot.services.segments.figures import Hidden, Released
from pulsebot.services.segments.suppression import Layout

# When the audit under way must stop (time.monotonic()); None: no limit. Set by disclosure.release.
DEADLINE: ContextVar[float | None] = ContextVar("audit_deadline", default=None)


class OutOfTime(Exception):
    """The audit's time ran out before it finished."""


@dataclass(frozen=True)
class Atoms:
    of_cell: np.ndarray  # per cell: its atom
    run: np.ndarray  # per atom: its run (every atom lies in one run when a label speaks per run)
    people: np.ndarray
    present: np.ndarray  # atoms × measures
    answers: np.ndarray
    totals: np.ndarray
    low: np.ndarray
    high: np.ndarray
    of_group: sparse.csr_matrix  # groups × atoms

    def members(self, group: int) -> np.ndarray:
        start, end = self.of_group.indptr[group], self.of_group.indptr[group + 1]
        return self.of_group.indices[start:end]


def atoms_of(lay: Layout, released: Released) -> Atoms:
    per_run = _labels_per_run(lay, released)
    holders = lay.membership.T.tocsr()
    holders.sort_indices()
    profile = np.concatenate([lay.present, lay.low * lay.present, lay.high * lay.present], axis=1)
    _, profile_number = np.unique(profile, axis=0, return_inverse=True)
    separate = np.asarray(holders @ per_run.astype(float)).ravel() > 0
    run = np.where(separate, lay.runs, -1)
    keys: dict[tuple, int] = {}
    of_cell = np.empty(len(lay.runs), dtype=np.int64)
    indptr, indices = holders.indptr, holders.indices
    for cell in range(len(lay.runs)):
        key = (indices[indptr[cell] : indptr[cell + 1]].tobytes(), int(profile_number[cell]), int(run[cell]))
        of_cell[cell] = keys.setdefault(key, len(keys))
    n = len(keys)
    pick = sparse.csr_matrix(
        (np.ones(len(of_cell)), (of_cell, np.arange(len(of_cell)))), shape=(n, len(of_cell))
    )
    first = np.zeros(n, dtype=np.int64)
    first[of_cell[::-1]] = np.arange(len(of_cell))[::-1]
    of_group = (lay.membership @ pick.T).tocsr()
    of_group.data[:] = 1.0
    of_group.sort_indices()
    return Atoms(
        of_cell=of_cell,
        run=lay.runs[first],
        people=pick @ lay.people,
        present=lay.present[first],
        answers=pick @ lay.answers,
        totals=pick @ lay.totals,
        low=lay.low[first],
        high=lay.high[first],
        of_group=of_group,
    )


def _spans_runs(lay: Layout, group: int) -> bool:
    runs = lay.runs[lay.members[group]]
    return len(runs) > 0 and bool((runs != runs[0]).any())


def _labels_per_run(lay: Layout, released: Released) -> np.ndarray:
    """Groups whose label speaks per run (too few, over several runs): their atoms keep one run each."""
    speaks = np.zeros(lay.n_groups, dtype=bool)
    labelled = [g for g, why in released.hidden.items() if why == Hidden.too_few]
    labelled += [g for (g, _), why in released.hidden_measures.items() if why == Hidden.too_few]
    for group in labelled:
        speaks[group] = speaks[group] or _spans_runs(lay, group)
    return speaks


class Model:
    """A linear programme assembled in blocks of rows; `solve` minimises one objective."""

    def __init__(self) -> None:
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.size = 0
        self.rows: dict[str, list[sparse.coo_matrix]] = {"eq": [], "ub": []}
        self.rhs: dict[str, list[np.ndarray]] = {"eq": [], "ub": []}
        self.tags: list[tuple] = []  # per equality row: what shown figure it is
        self.truth = np.zeros(0)  # the true point: every model's constraints hold there
        self.ready = False

    def variables(self, lower, upper) -> np.ndarray:
        columns = np.arange(self.size, self.size + len(lower))
        self.lower.append(np.asarray(lower, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))
        self.size += len(lower)
        return columns

    def block(self, kind: str, matrix, columns: np.ndarray, rhs, tags: list[tuple] | None = None) -> None:
        """Rows `matrix @ x[columns]` == rhs (kind "eq") or <= rhs (kind "ub")."""
        matrix = sparse.coo_matrix(matrix)
        if matrix.shape[0] == 0:
            return
        self.rows[kind].append((matrix.row, columns[matrix.col], matrix.data, matrix.shape[0]))
        self.rhs[kind].append(np.broadcast_to(np.asarray(rhs, dtype=float), (matrix.shape[0],)))
        if kind == "eq":
            self.tags.extend(tags or [()] * matrix.shape[0])

    def _matrix(self, kind: str):
        if not self.rows[kind]:
            return None, None
        offsets = np.cumsum([0] + [n for *_, n in self.rows[kind]])
        row = np.concatenate([r + o for (r, *_), o in zip(self.rows[kind], offsets, strict=False)])
        col = np.concatenate([c for _, c, _, _ in self.rows[kind]])
        data = np.concatenate([d for _, _, d, _ in self.rows[kind]])
        shape = (int(offsets[-1]), self.size)
        return sparse.csr_matrix((data, (row, col)), shape=shape), np.concatenate(self.rhs[kind])

    def solve(self, objective: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Minimise objective @ x: (x, the equality rows' marginals), or (None, None) when unbounded."""
        if not self.ready:
            self.a_eq, self.b_eq = self._matrix("eq")
            self.a_ub, self.b_ub = self._matrix("ub")
            self.bounds = np.column_stack([np.concatenate(self.lower), np.concatenate(self.upper)])
            self.ready = True
        deadline, options = DEADLINE.get(), {}
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise OutOfTime
            options["time_limit"] = left
        result = linprog(
            objective,
            A_ub=self.a_ub,
            b_ub=self.b_ub,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=self.bounds,
            method="highs-ipm",  # HiGHS's interior point: 5-10 times faster than its simplex here
            options=options,
        )
        if result.status == 1 and deadline is not None and time.monotonic() >= deadline:
            raise OutOfTime
        if result.status == 3:
            return None, None
        if result.status != 0:
            raise RuntimeError(f"the attacker's linear programme failed: {result.message}")
        marginals = result.eqlin.marginals if self.a_eq is not None else np.zeros(0)
        return result.x, marginals


def _rows(atoms: Atoms, groups: list[int], keep: np.ndarray | None = None) -> sparse.csr_matrix:
    """Groups × atoms (or × the atoms in `keep`), 1 where the atom belongs to the group."""
    matrix = atoms.of_group[groups] if groups else sparse.csr_matrix((0, atoms.of_group.shape[1]))
    return matrix[:, keep].tocsr() if keep is not None else matrix


def _label_rows(lay: Layout, atoms: Atoms, labelled: list[tuple[int, Hidden]], keep: np.ndarray | None):
    """What hidden labels tell, as rows `sign * sum <= bound` over atoms (renumbered to `keep`)."""
    subsets, signs, bounds = [], [], []
    for group, why in labelled:
        members = atoms.members(group)
        least = lay.minimum[group]
        if why != Hidden.too_few:
            subsets.append(members), signs.append(-1.0), bounds.append(-least)
            continue
        runs = atoms.run[members]
        for run in np.unique(runs) if len(runs) and runs.min() >= 0 else [None]:
            subsets.append(members if run is None else members[runs == run])
            signs.append(1.0), bounds.append(least - 1)
    width = atoms.of_group.shape[1]
    if keep is not None:
        position = np.full(width, -1)
        position[keep] = np.arange(len(keep))
        subsets = [position[s][position[s] >= 0] for s in subsets]
        width = len(keep)
    lengths = [len(s) for s in subsets]
    matrix = sparse.csr_matrix(
        (
            np.repeat(np.array(signs), lengths) if subsets else np.zeros(0),
            np.concatenate(subsets) if subsets else np.zeros(0, dtype=np.int64),
            np.concatenate([[0], np.cumsum(lengths)]),
        ),
        shape=(len(subsets), width),
    )
    return matrix, np.array(bounds, dtype=float)


def _shown_with(lay: Layout, atoms: Atoms, released: Released, shown: list[int], j: int) -> list[int]:
    """The shown groups that show measure j (it is present in them and not hidden on its own)."""
    name = lay.measures[j]
    present = (atoms.of_group[shown] @ atoms.present[:, j].astype(float)) > 0 if shown else []
    return [
        g for g, p in zip(shown, present, strict=False) if p and (g, name) not in released.hidden_measures
    ]


@dataclass
class Columns:
    """Where each atom's variables sit in a model (-1: the atom has none there)."""

    people: np.ndarray | None
    answers: dict[int, np.ndarray]  # measure column -> per atom
    totals: dict[int, np.ndarray]  # where a total lies above low * answers: total = low * answers + this
    low: dict[int, np.ndarray] = field(default_factory=dict)  # the low of each atom holding the measure


def _placed(columns: np.ndarray, at: np.ndarray, size: int) -> np.ndarray:
    where = np.full(size, -1)
    where[at] = columns
    return where


def exact_model(lay: Layout, atoms: Atoms, released: Released) -> tuple[Model, Columns]:
    """The attacker's whole linear programme (see the module's docstring)."""
    model, n = Model(), len(atoms.people)
    shown = [g for g in range(lay.n_groups) if g not in released.hidden]
    people = model.variables(np.zeros(n), np.full(n, np.inf))
    rows = _rows(atoms, shown)
    model.block("eq", rows, people, rows @ atoms.people, [("people", g) for g in shown])
    labels, bounds = _label_rows(lay, atoms, list(released.hidden.items()), None)
    model.block("ub", labels, people, bounds)
    truth = [atoms.people]
    columns = Columns(people, {}, {}, {})
    for j, name in enumerate(lay.measures):
        at = np.flatnonzero(atoms.present[:, j])
        if not len(at):
            continue
        k = len(at)
        answers = model.variables(np.zeros(k), np.full(k, np.inf))
        above = model.variables(np.zeros(k), np.full(k, np.inf))  # each total less low * answers
        low = atoms.low[at, j]
        columns.answers[j], columns.totals[j] = _placed(answers, at, n), _placed(above, at, n)
        columns.low[j] = low
        truth += [atoms.answers[at, j], atoms.totals[at, j] - low * atoms.answers[at, j]]
        one = sparse.identity(k, format="csr")
        model.block("ub", sparse.hstack([-one, one]), np.concatenate([people[at], answers]), 0.0)
        spread = sparse.hstack([sparse.diags(low - atoms.high[at, j]), one])
        model.block("ub", spread, np.concatenate([answers, above]), 0.0)
        showing = _shown_with(lay, atoms, released, shown, j)
        rows = _rows(atoms, showing, at)
        model.block("eq", rows, answers, rows @ atoms.answers[at, j], [("answers", g, j) for g in showing])
        model.block(
            "eq",
            sparse.hstack([rows @ sparse.diags(low), rows]),
            np.concatenate([answers, above]),
            rows @ atoms.totals[at, j],
            [("totals", g, j) for g in showing],
        )
        hidden = [(g, why) for (g, m), why in released.hidden_measures.items() if m == name]
        labels, bounds = _label_rows(lay, atoms, hidden, at)
        model.block("ub", labels, answers, bounds)
    model.truth = np.concatenate(truth)
    return model, columns


def people_model(
    lay: Layout, atoms: Atoms, released: Released, answers_move: bool = True
) -> tuple[Model, Columns]:
    """A restriction of the exact model: people and answers move, every total held as it is (so an
    atom's answers to a measure stay between its total over the scale's top and over its bottom, and
    no more than its people). Every shown people and answer count keeps its sum, every shown total its
    own, and every hidden label holds. Without `answers_move`, people alone move, every answer held (an
    atom keeps at least as many people as its most answered measure): one variable per atom."""
    model, n = Model(), len(atoms.people)
    shown = [g for g in range(lay.n_groups) if g not in released.hidden]
    floor = np.zeros(n)
    if not answers_move:
        floor = np.where(atoms.present, atoms.answers, 0.0).max(axis=1, initial=0.0)
    people = model.variables(floor, np.full(n, np.inf))
    rows, tags = _nonempty(_rows(atoms, shown), [("people", g) for g in shown])
    model.block("eq", rows, people, rows @ atoms.people, tags)
    labels, bounds = _label_rows(lay, atoms, list(released.hidden.items()), None)
    model.block("ub", labels, people, bounds)
    truth = [np.asarray(atoms.people, dtype=float)]
    for j, name in enumerate(lay.measures if answers_move else ()):
        at = np.flatnonzero(atoms.present[:, j])
        if not len(at):
            continue
        total, low, high, held = (
            atoms.totals[at, j],
            atoms.low[at, j],
            atoms.high[at, j],
            atoms.answers[at, j],
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            least = np.where(high > 0, total / high, 0.0)
            most = np.where(low > 0, total / low, np.inf)
        least = np.minimum(np.clip(np.nan_to_num(least), 0.0, None), held)  # never off the truth by rounding
        most = np.maximum(np.nan_to_num(most, nan=np.inf), held)
        answers = model.variables(least, most)
        one = sparse.identity(len(at), format="csr")
        model.block("ub", sparse.hstack([-one, one]), np.concatenate([people[at], answers]), 0.0)
        showing = _shown_with(lay, atoms, released, shown, j)
        rows, tags = _nonempty(_rows(atoms, showing, at), [("answers", g, j) for g in showing])
        model.block("eq", rows, answers, rows @ held, tags)
        hidden = [(g, why) for (g, m), why in released.hidden_measures.items() if m == name]
        labels, bounds = _label_rows(lay, atoms, hidden, at)
        model.block("ub", labels, answers, bounds)
        truth.append(held)
    model.truth = np.concatenate(truth)
    return model, Columns(people, {}, {})


def _touching(atoms: Atoms, within: np.ndarray | None) -> np.ndarray:
    """Per group: whether it holds any of the atoms `within` (all groups when None)."""
    if within is None:
        return np.ones(atoms.of_group.shape[0], dtype=bool)
    return np.asarray(atoms.of_group[:, within].sum(axis=1)).ravel() > 0


def _nonempty(rows: sparse.csr_matrix, tags: list[tuple]) -> tuple[sparse.csr_matrix, list[tuple]]:
    keep = np.flatnonzero(np.diff(rows.indptr) > 0)
    return rows[keep], [tags[i] for i in keep]


def relaxed_model(lay: Layout, atoms: Atoms, released: Released, j: int | None) -> tuple[Model, Columns]:
    """A relaxation of the exact model (fewer constraints, so bounds at least as wide): people, and the
    answers of measure j, with no totals and no other measure. What it bounds above by 0, so does the
    exact model: a hidden figure it finds empty is empty for the attacker."""
    model, n = Model(), len(atoms.people)
    shown = [g for g in range(lay.n_groups) if g not in released.hidden]
    people = model.variables(np.zeros(n), np.full(n, np.inf))
    rows = _rows(atoms, shown)
    model.block("eq", rows, people, rows @ atoms.people, [("people", g) for g in shown])
    labels, bounds = _label_rows(lay, atoms, list(released.hidden.items()), None)
    model.block("ub", labels, people, bounds)
    columns = Columns(people, {}, {})
    if j is not None:
        at = np.flatnonzero(atoms.present[:, j])
        answers = model.variables(np.zeros(len(at)), np.full(len(at), np.inf))
        columns.answers[j] = _placed(answers, at, n)
        one = sparse.identity(len(at), format="csr")
        model.block("ub", sparse.hstack([-one, one]), np.concatenate([people[at], answers]), 0.0)
        showing = _shown_with(lay, atoms, released, shown, j)
        rows = _rows(atoms, showing, at)
        model.block("eq", rows, answers, rows @ atoms.answers[at, j], [("answers", g, j) for g in showing])
        hidden = [(g, why) for (g, m), why in released.hidden_measures.items() if m == lay.measures[j]]
        labels, bounds = _label_rows(lay, atoms, hidden, at)
        model.block("ub", labels, answers, bounds)
    model.truth = np.concatenate(
        [atoms.people, atoms.answers[atoms.present[:, j], j] if j is not None else []]
    )
    return model, columns


def totals_model(
    lay: Layout,
    atoms: Atoms,
    released: Released,
    j: int,
    within: np.ndarray | None = None,
    hold_answers: bool = False,
) -> tuple[Model, Columns]:
    """A restriction of the exact model for measure j: people (and every other measure) held as they are,
    measure j's answers and totals free within them (with `within`, only in those atoms; with
    `hold_answers`, only the totals move: every point keeps each atom's answers)."""
    model, n = Model(), len(atoms.people)
    shown = [g for g in range(lay.n_groups) if g not in released.hidden]
    everywhere = np.flatnonzero(atoms.present[:, j])
    at = everywhere if within is None else np.intersect1d(everywhere, within)
    k = len(at)
    most = atoms.answers[at, j] if hold_answers else np.maximum(atoms.people[at], atoms.answers[at, j])
    answers = model.variables(atoms.answers[at, j] if hold_answers else np.zeros(k), most)
    above = model.variables(np.zeros(k), np.full(k, np.inf))  # each total less low * answers
    low = atoms.low[at, j]
    one = sparse.identity(k, format="csr")
    both = np.concatenate([answers, above])
    model.block("ub", sparse.hstack([sparse.diags(low - atoms.high[at, j]), one]), both, 0.0)
    showing = _shown_with(lay, atoms, released, shown, j)
    rows, tags = _nonempty(_rows(atoms, showing, at), [("answers", g, j) for g in showing])
    if not hold_answers:  # held, every answer count keeps its sum: the rows would only blur the duals
        model.block("eq", rows, answers, rows @ atoms.answers[at, j], tags)
    model.block(
        "eq",
        sparse.hstack([rows @ sparse.diags(low), rows]),
        both,
        rows @ atoms.totals[at, j],
        [("totals", *tag[1:]) for tag in tags],
    )
    near = _touching(atoms, within)
    hidden = [
        (g, why) for (g, m), why in released.hidden_measures.items() if m == lay.measures[j] and near[g]
    ]
    labels, bounds = _label_rows(lay, atoms, hidden, everywhere)
    local, _ = _label_rows(lay, atoms, hidden, at)
    outside = labels @ atoms.answers[everywhere, j] - local @ atoms.answers[at, j]
    model.block("ub", local, answers, bounds - outside)
    model.truth = np.concatenate([atoms.answers[at, j], atoms.totals[at, j] - low * atoms.answers[at, j]])
    return model, Columns(None, {j: _placed(answers, at, n)}, {j: _placed(above, at, n)}, {j: low})
