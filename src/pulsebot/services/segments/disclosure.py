"""Disclosure control for segment results: which figures of a period's tables may be shown.

A release is a fixed set of groups (a department, a site, a department × tenure cell, a line manager's
whole reporting line, a team's run, …), each a union of base cells (one run's cell), with its people
count and, per measure, its answers and their total. Every figure is checked against everything else in
the same release, since an admin sees them all (a subset of safe figures is safe for other roles).
Counts are in people, floored per run (`people_floor`): a set of cells holds the most people any one
run has in it. Each group has a minimum: its own (`Group.min_people`) or `Rules.min_group`.

1. Minimum group (too few): a group holding fewer than its minimum is hidden; a shown group's measure
   answered by fewer than the minimum is hidden on its own.
2. Remainder: inside a breakdown whose whole is shown, what a shown part leaves of the whole (counted
   per run) is 0 or at least the minimum; otherwise the part is hidden.
3. Overlap: two shown groups of any tables whose members differ by 1..min-1 people (either way, on the
   base cells) cannot both be shown: the one with fewer people is hidden. Only pairs that could differ
   that little are compared (suppression.py), not all pairs.
4. Secondary: inside a breakdown whose whole is shown, the hidden parts together, and what the shown
   parts leave of the whole, hold 0 or at least the minimum: more parts are hidden, smallest first.
   A whole hidden for a reason other than too few is not left as the sum of its parts all shown.
   Rules 1-4 apply to people counts and to each measure's answers alike (where the people count hides a
   group, its measures go with it).
5. The audit (audit.py, attacker.py): every shown figure is known to one attacker; each hidden figure
   is bounded by linear programming over the base cells (their people, answers and totals; additivity,
   non-negativity, the answer scale, and what each hidden label says). A release passes only when every
   hidden figure's interval is wider than `Rules.margin` (in people for counts, in (high - low) of the
   scale for totals), or holds nobody. Otherwise the audit hides more and runs again: for an exposed
   figure, the smallest shown group among those its bounds rest on (the LP's binding rows), else the
   smallest one sharing cells with it. The smallest, because the figure it carries is the least of the
   release's value, and the binding ones, because hiding a group the bound does not rest on changes
   nothing; an exposed total hides that measure only, an exposed people count the whole group.
6. Distributions (services/privacy/distributions.py): a segment's answer counts per option are a figure
   of their own. The release shows them through `shown_counts` (with `answers_each` the most answers one
   person holds in the group: the number of its runs that asked the question), and only for a group
   and measure this module shows; withheld counts withhold the measure's mean with them.

The margin's default, 1: an attacker must not tell a hidden count to within one person, nor a hidden
total to within one answer's whole range (so no single answer, anyone's, is pinned by subtraction). A
larger margin protects more and hides more; it must stay below the smallest minimum less one, since a
group hidden as too few tells by its label alone that it holds 0..min-1 per run.

The limits, honestly:
- LP against integers. HiGHS solves the relaxation: people and answers may be fractional. Every integer
  solution is a solution of the LP, so the LP interval contains the integer one and can only be wider:
  the audit never calls an interval narrow that integers would find wide, but an LP interval wider than
  the margin may hide an integer interval that is narrower (the attacker reasons about whole people).
  The scale's gaps are not modelled either (answers are integers 1..5, so a total of 2 answers is one of
  few values). The tests compare with integer bounds (scipy.optimize.milp) on small organisations.
- The attacker knows every shown figure of this release. Their own answer, or an outside source (who was
  on leave), is not modelled: the margin is what covers it. Figures of other periods are not in the LP:
  periods are fixed and do not overlap, so no period is a sum of others, but a long series still tells
  how a group drifts: when one person moves between two departments, the two periods' department counts
  each move by one, which says that someone moved (not what they answered: each period's hidden figures
  pass the audit on their own).
- A group's people count is taken as the sum over its base cells (responses, per run added). A release
  that shows the floor instead (the most of one run) shows a figure the LP does not model; show each
  group's people as the sum of its runs' respondents, or its answers per measure.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from pulsebot.services.segments import audit as rule5
from pulsebot.services.segments.attacker import DEADLINE, OutOfTime
from pulsebot.services.segments.figures import (
    BaseCell,
    Breakdown,
    Group,
    Hidden,
    Released,
    Rules,
    Tally,
    answers_floor,
    people_floor,
)
from pulsebot.services.segments.suppression import Layout, Pass, layout, measure_classes, present_in_groups

__all__ = [
    "BaseCell",
    "Breakdown",
    "Group",
    "Hidden",
    "Released",
    "Rules",
    "Tally",
    "answers_floor",
    "attacker_bounds",
    "people_floor",
    "release",
]


def release(
    cells: Sequence[BaseCell], groups: Sequence[Group], breakdowns: Sequence[Breakdown], rules: Rules
) -> Released:
    """Apply rules 1-4, then audit (rule 5) and hide more until the audit passes."""
    lay = layout(cells, groups, breakdowns, rules)
    hidden, hidden_measures = rules_1_to_4(lay)
    limit = None if rules.audit_seconds is None else time.monotonic() + rules.audit_seconds
    token = DEADLINE.set(limit)
    try:
        for _ in range(lay.n_groups * (len(lay.measures) + 1) + 1):
            found = rule5.audit(lay, Released(hidden, hidden_measures), rules).findings
            if not found:
                return Released(dict(hidden), dict(hidden_measures))
            if not hide_more(lay, hidden, hidden_measures, found):
                break
    except OutOfTime:
        pass
    finally:
        DEADLINE.reset(token)
    # The audit still narrows a hidden figure and nothing its bounds rest on can be hidden, or it ran
    # out of time: the release fails closed, showing only what other views showed already.
    for group in range(lay.n_groups):
        if lay.hideable(group):
            hidden.setdefault(group, Hidden.audit)
    return Released(dict(hidden), dict(hidden_measures), complete=False)


def attacker_bounds(
    cells: Sequence[BaseCell],
    groups: Sequence[Group],
    released: Released,
    *,
    group: int,
    measure: str | None,
    rules: Rules | None = None,
    answers: bool = False,
    hold_answers: bool = False,
) -> tuple[float, float]:
    """The interval an attacker holding every shown figure can bound a group's people count (measure
    None) or a measure's total to, by linear programming (additivity, non-negativity, the answer scale).

    With `rules`, the attacker also reads the hidden labels (too few: at most min-1 per run; any other
    reason: at least min), as the audit does; without, groups' minima are unknown and labels are not
    read (a weaker attacker). With `answers`, a measure's answer count is bounded instead of its total;
    with `hold_answers`, a total among the points that keep the group's true answer count."""
    lay = layout(cells, groups, (), rules or Rules(min_group=10**9, margin=0.0))
    if rules is None:
        released = Released(
            {g: Hidden.audit for g in released.hidden}, {k: Hidden.audit for k in released.hidden_measures}
        )
        lay = _without_minimum(lay)
    of = "answers" if answers else "figure"
    return rule5.attacker_interval(lay, released, group, measure, of, hold_answers=hold_answers)


def _without_minimum(lay: Layout) -> Layout:
    """Labels other than too few bound a figure below by its minimum: 0 reads no label at all."""
    from dataclasses import replace

    return replace(lay, minimum=np.zeros(lay.n_groups))


def rules_1_to_4(lay: Layout) -> tuple[dict[int, Hidden], dict[tuple[int, str], Hidden]]:
    hidden: dict[int, Hidden] = {}
    Pass(lay, lay.people, hidden).all_rules()
    hidden_measures: dict[tuple[int, str], Hidden] = {}
    present = present_in_groups(lay)
    for columns in measure_classes(lay):
        labels: dict[int, Hidden] = {}
        j = columns[0]
        Pass(lay, lay.answers[:, j], labels, set(hidden), present[:, j]).all_rules()
        for group, why in labels.items():
            for column in columns:
                hidden_measures[(group, lay.measures[column])] = why
    return hidden, hidden_measures


def hide_more(
    lay: Layout,
    hidden: dict[int, Hidden],
    hidden_measures: dict[tuple[int, str], Hidden],
    findings: list[rule5.Finding],
) -> bool:
    """Hide, for each exposed figure, the smallest shown figure its bounds rest on; then rule 4 again
    around what was hidden. Whether anything new was hidden."""
    floors = lay.per_run(lay.people).max(axis=1)
    before = (len(hidden), len(hidden_measures))
    for finding in findings:
        choice = _choose(lay, hidden, hidden_measures, finding, floors)
        if choice is None:
            continue
        target, column = choice
        for name in lay.together(target):
            if column is None:
                hidden.setdefault(name, Hidden.audit)
            else:
                hidden_measures.setdefault((name, lay.measures[column]), Hidden.audit)
    changed = (len(hidden), len(hidden_measures)) != before
    if changed:
        Pass(lay, lay.people, hidden).secondary()
        present = present_in_groups(lay)
        for j, name in enumerate(lay.measures):
            labels = {g: why for (g, m), why in hidden_measures.items() if m == name}
            Pass(lay, lay.answers[:, j], labels, set(hidden), present[:, j]).secondary()
            for group, why in labels.items():
                hidden_measures.setdefault((group, name), why)
    return changed


def _choose(lay, hidden, hidden_measures, finding, floors) -> tuple[int, int | None] | None:
    """The figure to hide for an exposed one: (group, measure column or None for the whole group). None
    when what its bounds rest on was hidden already this round (the next audit tells if that did)."""
    present = present_in_groups(lay)

    def showing(group: int, column: int | None) -> bool:
        """Shown, and the audit may hide it (not shown already elsewhere)."""
        if group in hidden or not lay.hideable(group):
            return False
        return column is None or (
            present[group, column] and (group, lay.measures[column]) not in hidden_measures
        )

    j = finding.figure.measure
    if finding.binding:
        candidates = [(tag[1], None if tag[0] == "people" else tag[2]) for tag in finding.binding]
        candidates = [c for c in candidates if showing(*c)]
    else:
        members = lay.membership[finding.figure.group]
        sharing = np.flatnonzero(np.asarray((lay.membership @ members.T).todense()).ravel() > 0)
        candidates = [(int(g), j) for g in sharing if showing(int(g), j)]
        candidates = candidates or [(g, None) for g in range(lay.n_groups) if showing(g, None)]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (floors[c[0]], -c[0], c[1] is None))
