"""A certificate for rule 5 (see audit.py) that needs no linear programme: moves between atoms.

Proving a hidden figure's interval wider than the margin takes two points of the attacker's programme
(attacker.py `exact_model`) whose figure values differ by more than it. The truth is one point; a swap
moves part of it between two atoms that no shown figure tells apart, and every point it reaches is
another:

- A hidden total (a hidden group's, or a shown group's hidden measure's): two atoms with the measure,
  in exactly the same groups showing it (its answers and total), one inside the hidden group and one
  outside. Moving part of the total from one to the other, answers and people held, keeps every shown
  figure; each atom's total must stay within [low, high] times its answers. No label speaks of totals,
  so the swaps of all such classes of atoms add up to one point each way: the most the figure can grow
  is, per class, the least of the room its atoms inside have up and the room its atoms outside have down.
- A hidden total, again, when no two atoms share their groups (a crossing: department × tenure beside
  department and tenure): the group's own atoms less the part the groups showing the measure read of
  them (least squares) is a move that keeps every shown answer count and total; among the atoms whose
  totals lie strictly inside their range it goes as far as the first one reaches an end, each way. The
  move is checked: what it changes of any shown figure must be rounding.
- A hidden people count: two atoms of the same run in exactly the same shown groups, one inside the
  hidden group and one outside. Moving t people from one to the other (with their answers and totals in
  proportion, for each measure both atoms have on the same scale; the other measures' answers stay, so
  the atom left must keep at least as many people as them; or, the second kind of move, the answers all
  stay) keeps every shown figure. It must keep what every hidden label says of every group holding one
  of the two atoms but not both (too few: at most min - 1 in the run; any other: at least the minimum),
  for people and for the answers of a hidden measure, as the programme does (`_label_rows`). One swap
  each way, the one that moves the most, is the certificate: the interval holds both ends.

Every point a swap reaches satisfies the exact model, so an interval it proves wide is wide for the
attacker too; what it cannot prove is left to the programmes. It is never more optimistic than them
(tests/segments/test_audit_swaps.py compares the two on random organisations).
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse
from scipy.linalg import cho_solve, lapack

from pulsebot.services.segments.attacker import DEADLINE, Atoms, OutOfTime, _shown_with
from pulsebot.services.segments.figures import Hidden, Released
from pulsebot.services.segments.suppression import Layout

CLASS_LIMIT = 64  # atoms of one class past which only swaps with its largest atoms are tried
PARTNERS = 16  # those largest atoms
CHUNK = 256  # hidden totals projected at once


def classes(of_atom: sparse.csr_matrix, extra: np.ndarray) -> np.ndarray:
    """Per atom (a row of `of_atom`, atoms × groups): its class, atoms of the same groups and the same
    `extra` key in one. Rows are hashed, then checked against their class's first row: an atom that
    differs from it (a collision) gets a class of its own, so classes are exact."""
    n = of_atom.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(7)
    weights = rng.random((of_atom.shape[1], 2))
    hashes = np.asarray(of_atom @ weights) if of_atom.shape[1] else np.zeros((n, 2))
    keys = np.column_stack([hashes, extra.astype(float)])
    _, first, number = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    number = number.ravel()
    differs = np.asarray(abs(of_atom - of_atom[first[number]]).sum(axis=1)).ravel() > 0
    number = number.astype(np.int64)
    number[differs] = number.max(initial=-1) + 1 + np.arange(int(differs.sum()))
    return number


def _columns(atoms: Atoms, groups: list[int]) -> sparse.csr_matrix:
    """Atoms × the given groups, 1 where the atom belongs to the group."""
    if not groups:
        return sparse.csr_matrix((atoms.of_group.shape[1], 0))
    return atoms.of_group[groups].T.tocsr()


def total_swings(
    lay: Layout, atoms: Atoms, released: Released, j: int, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How far swaps move measure j's total of each of `groups` up and down from the truth."""
    shown = [g for g in range(lay.n_groups) if g not in released.hidden]
    at = np.flatnonzero(atoms.present[:, j])
    up, down = np.zeros(len(groups)), np.zeros(len(groups))
    if not len(at) or not len(groups):
        return up, down
    showing = _shown_with(lay, atoms, released, shown, j)
    number = classes(_columns(atoms, showing)[at], np.zeros(len(at)))
    answers, totals = atoms.answers[at, j], atoms.totals[at, j]
    room_up = np.clip(atoms.high[at, j] * answers - totals, 0, None)
    room_down = np.clip(totals - atoms.low[at, j] * answers, 0, None)
    in_class_up = np.bincount(number, room_up)
    in_class_down = np.bincount(number, room_down)
    figure_of = atoms.of_group[groups][:, at].tocoo()  # figures × the atoms with measure j
    keys = figure_of.row.astype(np.int64) * (number.max() + 1) + number[figure_of.col]
    unique, where = np.unique(keys, return_inverse=True)
    inside_up = np.bincount(where, room_up[figure_of.col], len(unique))
    inside_down = np.bincount(where, room_down[figure_of.col], len(unique))
    figure, kind = np.divmod(unique, number.max() + 1)
    grows = np.minimum(inside_up, in_class_down[kind] - inside_down)
    shrinks = np.minimum(inside_down, in_class_up[kind] - inside_up)
    up += np.bincount(figure, np.clip(grows, 0, None), len(groups))
    down += np.bincount(figure, np.clip(shrinks, 0, None), len(groups))
    return up, down


def projected_swings(
    lay: Layout, atoms: Atoms, released: Released, j: int, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How far one move that no shown figure sees carries measure j's total of each of `groups`: the
    group's own atoms, less what the groups showing j read of them (its projection onto the moves that
    keep every shown answer count and total), over the atoms whose totals are strictly inside their
    range; as far as the first atom reaches an end of its range."""
    up, down = np.zeros(len(groups)), np.zeros(len(groups))
    shown = [g for g in range(lay.n_groups) if g not in released.hidden]
    at = np.flatnonzero(atoms.present[:, j])
    above = atoms.totals[at, j] - atoms.low[at, j] * atoms.answers[at, j]
    room = (atoms.high[at, j] - atoms.low[at, j]) * atoms.answers[at, j]
    inner = (above > 1e-9) & (above < room - 1e-9)
    free, above, room = at[inner], above[inner], room[inner]
    if not len(free) or not len(groups):
        return up, down
    showing = _shown_with(lay, atoms, released, shown, j)
    rows = atoms.of_group[showing][:, free].tocsr() if showing else sparse.csr_matrix((0, len(free)))
    solve = _solver(rows)
    figure_rows = atoms.of_group[groups][:, free].tocsr()
    for start in range(0, len(groups), CHUNK):
        _in_time()
        chunk = slice(start, start + CHUNK)
        h = figure_rows[chunk].toarray().T  # atoms × figures
        d = h - solve(h)
        scale = np.abs(d).max(axis=0, initial=0.0)
        residual = np.abs(rows @ d).max(axis=0, initial=0.0) if rows.shape[0] else np.zeros(d.shape[1])
        moves = (h * d).sum(axis=0)  # the figure's change per unit of the move
        usable = (moves > 1e-9) & (residual <= 1e-9 * np.maximum(scale, 1.0))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            rising, size = d > 0, np.abs(d)
            still = size <= 1e-12  # atoms that hardly move bound nothing
            grows = np.where(rising, (room - above)[:, None], above[:, None]) / size
            grows[still] = np.inf
            grows = grows.min(axis=0)
            shrinks = np.where(rising, above[:, None], (room - above)[:, None]) / size
            shrinks[still] = np.inf
            shrinks = shrinks.min(axis=0)
            up[chunk] = np.where(usable & np.isfinite(grows), grows * moves, 0.0)
            down[chunk] = np.where(usable & np.isfinite(shrinks), shrinks * moves, 0.0)
    return up, down


def _solver(rows: sparse.csr_matrix):
    """h -> rows.T @ y, the part of each column of h the rows read (least squares over the rows, with
    those that depend on the others left out: a pivoted Cholesky factor of rows @ rows.T)."""
    if rows.shape[0] == 0:
        return lambda h: np.zeros_like(h)
    gram = (rows @ rows.T).toarray()
    factor, pivot, rank, _ = lapack.dpstrf(gram, tol=1e-10 * max(float(gram.diagonal().max()), 1.0))
    independent = pivot[:rank] - 1
    factor = np.triu(factor[:rank, :rank])
    kept = rows[independent]

    inverse = cho_solve((factor, False), np.eye(rank), check_finite=False)

    def solve(h: np.ndarray) -> np.ndarray:
        return kept.T @ (inverse @ (kept @ h))

    return solve


def pairs(number: np.ndarray, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair (from, to) of distinct atoms of one class; in a class of more than
    `CLASS_LIMIT` atoms, only the pairs with one of its `PARTNERS` largest."""
    order = np.lexsort((-people, number))
    bounds = np.flatnonzero(np.diff(number[order])) + 1
    sources, targets = [], []
    for members in np.split(order, bounds):
        if len(members) < 2:
            continue
        if len(members) <= CLASS_LIMIT:
            a, b = np.meshgrid(members, members, indexing="ij")
        else:
            big = members[:PARTNERS]
            a, b = np.meshgrid(big, members, indexing="ij")
            a, b = np.concatenate([a.ravel(), b.ravel()]), np.concatenate([b.ravel(), a.ravel()])
        a, b = a.ravel(), b.ravel()
        keep = a != b
        sources.append(a[keep]), targets.append(b[keep])
    if not sources:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(sources), np.concatenate(targets)


def _label_limits(
    held: sparse.csr_matrix, values: np.ndarray, runs: np.ndarray, labels: list[tuple[int, Hidden]], lay
):
    """For labelled groups (columns of `held`, atoms × groups) of one kind of count (`values` per atom):
    (too few per group, the room under min - 1 per group and run; the room above the minimum per group)."""
    least = lay.minimum[[g for g, _ in labels]] if labels else np.zeros(0)
    few = np.array([why == Hidden.too_few for _, why in labels], dtype=bool)
    n_runs = int(runs.max(initial=0)) + 1
    by_run = sparse.csr_matrix(
        (values, (np.arange(len(values)), runs)), shape=(len(values), n_runs)
    )  # atoms × runs
    per_run = np.asarray((held.T @ by_run).todense()).reshape(len(labels), n_runs)
    under = np.clip(least[:, None] - 1 - per_run, 0, None)
    above = np.clip(per_run.sum(axis=1) - least, 0, None)
    return few, under, above


def _limit(moved, few, under, above, run, rate) -> np.ndarray:
    """Per pair: the most people a move may carry under the labels, where `moved` (pairs × labelled
    groups) is +1 for a group that gains, -1 for one that loses, and `rate` is what one person moved
    carries of the labelled count."""
    limit = np.full(moved.shape[0], np.inf)
    coo = moved.tocoo()
    pair, group, sign = coo.row, coo.col, coo.data
    room = np.where(
        few[group],
        np.where(sign > 0, under[group, run[pair]], np.inf),
        np.where(sign < 0, above[group], np.inf),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(rate[pair] > 0, room / rate[pair], np.inf)
    np.minimum.at(limit, pair, room)
    return limit


def people_swings(
    lay: Layout, atoms: Atoms, released: Released, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How far one swap moves the people count of each of `groups` (hidden ones) up and down."""
    up, down = np.zeros(len(groups)), np.zeros(len(groups))
    shown = [g for g in range(lay.n_groups) if g not in released.hidden]
    number = classes(_columns(atoms, shown), atoms.run)
    source, target = pairs(number, atoms.people)
    if not len(source) or not len(groups):
        return up, down
    run = atoms.run[source]
    labelled = list(released.hidden.items())
    held = _columns(atoms, [g for g, _ in labelled])
    few, under, above = _label_limits(held, atoms.people, atoms.run, labelled, lay)
    people_limit = _limit(held[target] - held[source], few, under, above, run, np.ones(len(source)))
    p = atoms.people[source]
    present = atoms.present
    same = present[source] & present[target]
    same &= (atoms.low[source] == atoms.low[target]) & (atoms.high[source] == atoms.high[target])
    staying = np.where(present[source] & ~same, atoms.answers[source], 0.0).max(axis=1, initial=0.0)
    carried = np.clip(p - staying, 0, None)  # in proportion: the measures that cannot go stay behind
    still = np.clip(p - atoms.answers[source].max(axis=1, initial=0.0), 0, None)  # every answer stays
    for j, name in enumerate(lay.measures):
        labelled = [(g, why) for (g, m), why in released.hidden_measures.items() if m == name]
        if not labelled:
            continue
        held = _columns(atoms, [g for g, _ in labelled])
        held = sparse.diags(present[:, j].astype(float)) @ held
        few, under, above = _label_limits(held, atoms.answers[:, j], atoms.run, labelled, lay)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(same[:, j] & (p > 0), atoms.answers[source, j] / p, 0.0)
        carried = np.minimum(carried, _limit(held[target] - held[source], few, under, above, run, rate))
    moved = np.minimum(people_limit, np.maximum(carried, still))
    change = (_columns(atoms, list(groups))[target] - _columns(atoms, list(groups))[source]).tocoo()
    np.maximum.at(up, change.col[change.data > 0], moved[change.row[change.data > 0]])
    np.maximum.at(down, change.col[change.data < 0], moved[change.row[change.data < 0]])
    return up, down


def swings(
    lay: Layout, atoms: Atoms, released: Released, figures, required: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per figure (audit.Figure): how far moves carry it up and down from the truth. With `required`,
    a total the swaps between like atoms prove wider than it is not projected as well."""
    up, down = np.zeros(len(figures)), np.zeros(len(figures))
    by_measure: dict[int | None, list[int]] = {}
    for k, figure in enumerate(figures):
        by_measure.setdefault(figure.measure, []).append(k)
    for j, ks in by_measure.items():
        _in_time()
        ks = np.array(ks)
        groups = np.array([figures[k].group for k in ks], dtype=np.int64)
        if j is None:
            up[ks], down[ks] = people_swings(lay, atoms, released, groups)
            continue
        up[ks], down[ks] = total_swings(lay, atoms, released, j, groups)
        left = np.arange(len(ks)) if required is None else np.flatnonzero(up[ks] + down[ks] <= required[ks])
        more = projected_swings(lay, atoms, released, j, groups[left])
        up[ks[left]] = np.maximum(up[ks[left]], more[0])
        down[ks[left]] = np.maximum(down[ks[left]], more[1])
    return up, down


def _in_time() -> None:
    """Raise OutOfTime when the release's audit time is up (see disclosure.release)."""
    deadline = DEADLINE.get()
    if deadline is not None and time.monotonic() >= deadline:
        raise OutOfTime


def certify(
    lay: Layout,
    atoms: Atoms,
    released: Released,
    figures,
    required: np.ndarray,
    enough: np.ndarray | None = None,
) -> np.ndarray:
    """Per figure: whether moves prove its interval wider than `required`, or (with `enough`) at least
    that wide. Every move keeps each atom's answers, so a total's `enough` may be its whole range at the
    answers it has (audit.whole_ranges)."""
    up, down = swings(lay, atoms, released, figures, required)
    wide = up + down > required
    return wide if enough is None else wide | (up + down >= enough)
