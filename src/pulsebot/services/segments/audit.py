"""Rule 5 of a segment release (see disclosure.py): the audit. Every hidden figure — a hidden group's
people count and each of its measures' totals, a shown group's hidden measure's total — is bounded as
an attacker holding every shown figure could bound it (attacker.py), and must come out wider than the
margin: people for counts, (high - low) of the measure's scale for totals. A figure the attacker can
tell holds nobody (its people, or for a total its answers, bounded above by 0) passes: nothing about
anyone is told, as with the remainder rule's zero. So does a total that, among points keeping every
answer count, runs from all its answers at the bottom of the scale to all at the top (`whole_ranges`):
one answer's total is never wider than the scale, yet if it can be anything on it, nothing is told.

Proving an interval wide takes two points that satisfy every constraint. Most hidden figures are proved
wide without any LP (swaps.py): from the truth, part of a figure is moved between atoms no shown figure
tells apart, as far as the atoms' ranges and the hidden labels allow. For the rest, small restrictions
of the exact model come first (attacker.py), over the whole organisation: per measure its totals alone,
every answer held (`held_answers_spread`); and people alone, every answer held (`people_model`). A few
LPs spread many hidden figures at once (random mixtures of them, minimised and maximised), and only the
figures still narrow get their own minimum and maximum, whose dual values say what shown figures the
bound rests on. A figure none of whose atoms any shown figure or any upper bound constrains is wide
without an LP (its people can grow without end).

A total still narrow with its answers held is reported from that small model. A people count still
narrow goes, up to `EXACT_LIMIT` variables, to the exact model; past it, it is reported from the small
one (unless a relaxation shows it holds nobody). An interval a restriction proves wide is wide for the
exact model; what it cannot prove wide is treated as narrow, which may hide more than the exact model
would ask for, never less.

Integer attackers: every integer point satisfies the LP, so the LP interval contains the integer one;
an LP interval wider than the margin can still hold an integer interval narrower than it (the tests
compare the two with scipy.optimize.milp on small organisations). Solving the integer programme for
every hidden figure of a period is far beyond the time a release has; the margin is the answer to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from pulsebot.services.segments import swaps
from pulsebot.services.segments.attacker import (
    Atoms,
    Columns,
    Model,
    atoms_of,
    exact_model,
    people_model,
    relaxed_model,
    totals_model,
)
from pulsebot.services.segments.figures import Hidden, Released, Rules
from pulsebot.services.segments.suppression import Layout

EXACT_LIMIT = 40_000  # the exact model's variables beyond which the restricted models are used
TOLERANCE = 1e-6
BATCHES = 3  # LPs that spread many figures at once, before the remaining ones get their own


@dataclass(frozen=True)
class Figure:
    group: int
    measure: int | None  # a column of Layout.measures: that measure's total; None: the people count


@dataclass
class Finding:
    """A hidden figure the attacker bounds too narrowly, and the shown figures its bounds rest on."""

    figure: Figure
    low: float
    high: float
    binding: list[tuple] = field(default_factory=list)  # ("people", g) / ("answers"|"totals", g, j)


@dataclass
class Audit:
    findings: list[Finding]
    atoms: int
    lps: int
    exact: bool
    by_swaps: int = 0  # hidden figures the swaps proved wide (swaps.py), without a programme
    by_lps: int = 0  # those left to the programmes


def hidden_figures(lay: Layout, atoms: Atoms, released: Released) -> list[Figure]:
    present = (atoms.of_group @ atoms.present.astype(float)) > 0
    figures = []
    for group in sorted(released.hidden):
        figures.append(Figure(group, None))
        figures.extend(Figure(group, int(j)) for j in np.flatnonzero(present[group]))
    for group, name in sorted(released.hidden_measures):
        figures.append(Figure(group, lay.measures.index(name)))
    return figures


def truth(atoms: Atoms, figure: Figure) -> float:
    members = atoms.members(figure.group)
    if figure.measure is None:
        return float(atoms.people[members].sum())
    return float(atoms.totals[members, figure.measure].sum())


def unit(atoms: Atoms, figure: Figure) -> float:
    """What the margin is counted in: one person, or one answer's whole range on the measure's scale."""
    if figure.measure is None:
        return 1.0
    members = atoms.members(figure.group)
    j = figure.measure
    spans = (atoms.high[members, j] - atoms.low[members, j])[atoms.present[members, j]]
    return float(spans.max(initial=0.0))


def objectives(atoms: Atoms, where: list[np.ndarray | None], figures: list[Figure], size: int, scale=None):
    """Figures × a model's columns: each row sums a figure's variables (`where[k]` maps atoms to the
    columns of figure k's variables, -1 where an atom has none), times `scale[k]`."""
    indices, lengths = [], []
    for figure, columns in zip(figures, where, strict=True):
        chosen = columns[atoms.members(figure.group)] if columns is not None else np.zeros(0, dtype=np.int64)
        chosen = chosen[chosen >= 0]
        indices.append(chosen)
        lengths.append(len(chosen))
    scale = np.ones(len(figures)) if scale is None else np.asarray(scale, dtype=float)
    return sparse.csr_matrix(
        (
            np.repeat(scale, lengths),
            np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
            np.concatenate([[0], np.cumsum(lengths)]),
        ),
        shape=(len(figures), size),
    )


def where(columns: Columns, figure: Figure, of: str = "figure") -> np.ndarray | None:
    """The columns of a figure's people, or total (or with of="answers", its answers) in a model."""
    if figure.measure is None:
        return columns.people
    return (columns.answers if of == "answers" else columns.totals).get(figure.measure)


def total_rows(atoms: Atoms, columns: Columns, figures: list[Figure], size: int) -> sparse.csr_matrix:
    """Figures × a model's columns: a figure's people, or its total (low * answers + what lies above)."""
    rows = objectives(atoms, [where(columns, f) for f in figures], figures, size)
    for j, low in columns.low.items():
        chosen = [k for k, f in enumerate(figures) if f.measure == j]
        if not chosen:
            continue
        per_atom = np.zeros(len(atoms.people))
        placed = columns.answers[j]
        per_atom[placed >= 0] = low
        answers = objectives(atoms, [placed] * len(chosen), [figures[k] for k in chosen], size)
        weights = answers.multiply(0)  # the same pattern, weighted by each atom's low
        answers = answers.tocoo()
        atom_of = np.full(size, -1)
        atom_of[placed[placed >= 0]] = np.flatnonzero(placed >= 0)
        weights = sparse.csr_matrix(
            (per_atom[atom_of[answers.col]], (np.array(chosen)[answers.row], answers.col)), shape=rows.shape
        )
        rows = rows + weights
    return rows.tocsr()


def bounds(model: Model, vector: np.ndarray) -> tuple[float, float, list[tuple]]:
    """The least and the most of vector @ x, and the equality rows either rests on."""
    binding: list[tuple] = []
    ends = []
    for sign in (1.0, -1.0):
        x, marginals = model.solve(sign * vector)
        if x is None:
            ends.append(-sign * np.inf)
            continue
        ends.append(float(vector @ x))
        binding.extend(model.tags[r] for r in np.flatnonzero(np.abs(marginals) > 1e-9))
    return ends[0], ends[1], binding


def spread(model: Model, rows: sparse.csr_matrix, required: np.ndarray, one_by_one=None):
    """Bound each figure (a row of objectives) as far as needed to tell whether it is wider than
    `required`: (lows, highs, {figure: the rows its narrow bounds rest on}, LPs solved). Only the
    figures `one_by_one` marks (all, by default) get their own LPs when the mixtures leave them narrow."""
    if rows.shape[0] == 0:
        return np.zeros(0), np.zeros(0), {}, 0
    low = rows @ model.truth
    high = low.copy()
    narrow = np.arange(rows.shape[0])
    rng = np.random.default_rng(0)
    solved = 0
    for _ in range(BATCHES):
        if len(narrow) <= 2:
            break
        weights = rng.uniform(0.5, 1.5, len(narrow)) * rng.choice([-1.0, 1.0], len(narrow))
        mixture = rows[narrow].T @ weights
        for sign in (1.0, -1.0):
            x, _ = model.solve(sign * mixture)
            solved += 1
            if x is not None:
                values = rows @ x
                low, high = np.minimum(low, values), np.maximum(high, values)
        narrow = narrow[high[narrow] - low[narrow] <= required[narrow]]
    binding = {}
    for k in narrow:
        if one_by_one is not None and not one_by_one[k]:
            binding[int(k)] = []
            continue
        least, most, rests_on = bounds(model, rows[k].toarray().ravel())
        solved += 2
        low[k], high[k] = min(low[k], least), max(high[k], most)
        if high[k] - low[k] <= required[k]:
            binding[int(k)] = rests_on
    return low, high, binding, solved


def free_atoms(lay: Layout, atoms: Atoms, released: Released) -> np.ndarray:
    """Atoms in no shown group and under no upper bound: their people can grow without end."""
    shown = [g for g in range(lay.n_groups) if g not in released.hidden]
    capped = [g for g, why in released.hidden.items() if why == Hidden.too_few]
    touched = np.zeros(len(atoms.people), dtype=bool)
    for groups in (shown, capped):
        if groups:
            touched |= np.asarray(atoms.of_group[groups].sum(axis=0)).ravel() > 0
    return ~touched


def open_figures(lay: Layout, atoms: Atoms, released: Released) -> list[Figure]:
    """The hidden figures whose width needs an LP: not those with an atom free to grow."""
    free = free_atoms(lay, atoms, released)
    remaining = []
    for figure in hidden_figures(lay, atoms, released):
        members = atoms.members(figure.group)
        if figure.measure is not None:
            j = figure.measure
            members = members[atoms.present[members, j]]
            members = members[(atoms.high[members, j] > 0) | (atoms.low[members, j] < 0)]
        if not free[members].any():
            remaining.append(figure)
    return remaining


def truth_of_count(atoms: Atoms, figure: Figure) -> float:
    """The people of a hidden group, or the answers behind a hidden total."""
    members = atoms.members(figure.group)
    if figure.measure is None:
        return float(atoms.people[members].sum())
    return float(atoms.answers[members, figure.measure].sum())


def audit(lay: Layout, released: Released, rules: Rules) -> Audit:
    atoms = atoms_of(lay, released)
    figures = open_figures(lay, atoms, released)
    required = np.array([rules.margin * unit(atoms, f) + TOLERANCE for f in figures])
    enough = whole_ranges(atoms, figures)
    wide = swaps.certify(lay, atoms, released, figures, required, enough)
    proved = int(wide.sum())
    figures, required, enough = _left(figures, required, enough, wide)
    wide, exposed = held_answers_spread(lay, atoms, released, figures, required, enough)
    proved += int(wide.sum())
    # A total still narrow with every answer held is reported with what its bound rests on there: the
    # whole model could find it wider, but only with far larger programmes (hiding one figure too many
    # costs less than a release out of time). People counts go on to the programmes below.
    totals = [k for k, f in enumerate(figures) if f.measure is not None]
    held = np.zeros(len(figures), dtype=bool)
    held[totals] = True
    findings = [exposed[k] for k in totals if not wide[k]]
    figures, required, _ = _left(figures, required, enough, wide | held)
    exact = len(atoms.people) + 2 * int(atoms.present.sum()) <= EXACT_LIMIT
    if not figures:
        return Audit(findings, len(atoms.people), 0, exact, proved, len(findings))
    # People counts: first people and answers move over the whole organisation, every total held (a few
    # programmes spread them all). Up to EXACT_LIMIT the whole model decides what that leaves narrow;
    # past it, what is left is reported with the shown counts its bounds rest on with people alone moved.
    model, columns = people_model(lay, atoms, released)
    rows = objectives(atoms, [columns.people] * len(figures), figures, model.size)
    low, high, narrow, lps = spread(model, rows, required, one_by_one=[False] * len(figures))
    if not exact and narrow:  # what the bounds rest on, from people alone moved: a far smaller programme
        model, columns = people_model(lay, atoms, released, answers_move=False)
        rows = objectives(atoms, [columns.people] * len(figures), figures, model.size)
        for k in list(narrow):
            least, most, narrow[k] = bounds(model, rows[k].toarray().ravel())
            low[k], high[k] = min(low[k], least), max(high[k], most)
            lps += 2
            if high[k] - low[k] > required[k]:
                del narrow[k]
    if exact and narrow:
        left = sorted(narrow)
        proved += len(figures) - len(left)
        figures, required = [figures[k] for k in left], required[left]
        model, columns = exact_model(lay, atoms, released)
        rows = total_rows(atoms, columns, figures, model.size)
        low, high, narrow, more = spread(model, rows, required)
        lps += more
    else:
        proved += len(figures) - len(narrow)
        if not exact:
            model, columns = relaxed_model(lay, atoms, released, None)
    for k, rests_on in sorted(narrow.items()):
        figure = figures[k]
        if truth_of_count(atoms, figure) <= TOLERANCE:
            # (a relaxation past EXACT_LIMIT: what it bounds to nobody, the attacker does too)
            count = objectives(atoms, [columns.people], [figure], model.size)
            x, _ = model.solve(-count.toarray().ravel())
            lps += 1
            if x is not None and (count @ x)[0] <= TOLERANCE:
                continue  # the attacker can tell it holds nobody: nothing about anyone is told
        findings.append(Finding(figure, float(low[k]), float(high[k]), rests_on))
    return Audit(findings, len(atoms.people), lps, exact, proved, len(figures) + len(findings))


def whole_ranges(atoms: Atoms, figures: list[Figure]) -> np.ndarray:
    """Per figure: a width that tells nothing, when reached by points that keep every atom's answers.
    A total that can be anything from its answers all at the scale's bottom to all at its top tells
    nothing of any answer, however few they are (one answer's total is never wider than the scale, so
    the margin alone would hide it for ever). A people count has none (infinite)."""
    return np.array(
        [
            np.inf if f.measure is None else truth_of_count(atoms, f) * unit(atoms, f) - TOLERANCE
            for f in figures
        ]
    )


def _left(figures: list[Figure], required: np.ndarray, enough: np.ndarray, wide: np.ndarray):
    keep = ~wide
    return [f for f, w in zip(figures, wide, strict=True) if not w], required[keep], enough[keep]


def held_answers_spread(lay, atoms, released, figures, required, enough):
    """Per figure: whether one measure's totals, moved over the whole organisation with every atom's
    people and answers held (a small programme per measure: a restriction of the exact model), prove a
    hidden total wide: wider than `required`, or at least `enough` (see `whole_ranges`). A few
    programmes spread all of a measure's hidden totals at once; only the totals they leave narrow get
    their own two, and a Finding with the shown totals their bounds rest on ({figure's index: Finding})."""
    wide = np.zeros(len(figures), dtype=bool)
    exposed: dict[int, Finding] = {}
    by_measure: dict[int, list[int]] = {}
    for k, figure in enumerate(figures):
        if figure.measure is not None:
            by_measure.setdefault(figure.measure, []).append(k)
    for j, ks in sorted(by_measure.items()):
        model, columns = totals_model(lay, atoms, released, j, hold_answers=True)
        rows = total_rows(atoms, columns, [figures[k] for k in ks], model.size)
        low, high, _, _ = spread(
            model, rows, np.minimum(required[ks], enough[ks]), one_by_one=[False] * len(ks)
        )
        width = high - low
        wide[ks] = (width > required[ks]) | (width >= enough[ks])
        for position in np.flatnonzero(~wide[ks]):
            k = ks[position]
            least, most, rests_on = bounds(model, rows[position].toarray().ravel())
            low[position], high[position] = min(low[position], least), max(high[position], most)
            width = high[position] - low[position]
            if width > required[k] or width >= enough[k]:
                wide[k] = True
            else:
                exposed[k] = Finding(figures[k], float(low[position]), float(high[position]), rests_on)
        _answers_moved(lay, atoms, released, j, figures, required, wide, exposed)
    return wide, exposed


def _answers_moved(lay, atoms, released, j, figures, required, wide, exposed) -> None:
    """The totals of measure j still narrow with every answer held, bounded again with its answers moving
    too (people held: `totals_model`, still a restriction of the exact model). The attacker's interval
    holds both intervals, so it holds their hull: one wider than `required` is wide; what stays narrow
    keeps its Finding."""
    left = [k for k in exposed if figures[k].measure == j]
    if not left:
        return
    model, columns = totals_model(lay, atoms, released, j)
    rows = total_rows(atoms, columns, [figures[k] for k in left], model.size)
    for position, k in enumerate(left):
        least, most, _ = bounds(model, rows[position].toarray().ravel())
        finding = exposed[k]
        if max(most, finding.high) - min(least, finding.low) > required[k]:
            wide[k] = True
            del exposed[k]


def attacker_interval(
    lay: Layout,
    released: Released,
    group: int,
    measure: str | None,
    of: str = "figure",
    hold_answers: bool = False,
) -> tuple[float, float]:
    """The exact model's bounds on a group's people count or a measure's total (of="answers": its
    answer count). With `hold_answers`, only among the points where the group has as many answers to
    the measure as it truly has (what `whole_ranges` is measured against)."""
    atoms = atoms_of(lay, released)
    figure = Figure(group, None if measure is None else lay.measures.index(measure))
    model, columns = exact_model(lay, atoms, released)
    if hold_answers and figure.measure is not None:
        count = objectives(atoms, [where(columns, figure, "answers")], [figure], model.size)
        model.block("eq", count, np.arange(model.size), truth_of_count(atoms, figure), [()])
    if of == "answers":
        vector = objectives(atoms, [where(columns, figure, of)], [figure], model.size).toarray()[0]
    else:
        vector = total_rows(atoms, columns, [figure], model.size).toarray()[0]
    least, most, _ = bounds(model, vector)
    return least, most
