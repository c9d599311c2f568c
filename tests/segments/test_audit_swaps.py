"""The swaps of rule 5's audit (services/segments/swaps.py): what they prove wide, the attacker's exact
programme finds at least as wide, on random organisations and on a release built to be solvable."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulsebot.services.segments import audit as rule5
from pulsebot.services.segments import swaps
from pulsebot.services.segments.attacker import atoms_of
from pulsebot.services.segments.disclosure import (
    BaseCell,
    Group,
    Hidden,
    Released,
    Rules,
    attacker_bounds,
    release,
    rules_1_to_4,
)
from pulsebot.services.segments.suppression import layout
from tests.segments.organisations import RULES, audit_holds, cell, group
from tests.segments.test_audit import crossing, organisations


def swap_intervals(cells, groups, released: Released, rules: Rules = RULES):
    """Every hidden figure the audit would look at, with the interval swaps prove and its truth."""
    lay = layout(cells, groups, (), rules)
    atoms = atoms_of(lay, released)
    figures = rule5.hidden_figures(lay, atoms, released)
    up, down = swaps.swings(lay, atoms, released, figures)
    truths = [rule5.truth(atoms, f) for f in figures]
    return lay, [(f, t - d, t + u) for f, t, u, d in zip(figures, truths, up, down, strict=True)]


def assert_within_the_programme(cells, groups, released: Released, rules: Rules = RULES) -> int:
    """Each swap interval lies inside the exact programme's; how many of them were wider than nothing."""
    lay, intervals = swap_intervals(cells, groups, released, rules)
    moved = 0
    for figure, low, high in intervals:
        measure = None if figure.measure is None else lay.measures[figure.measure]
        least, most = attacker_bounds(
            cells, groups, released, group=figure.group, measure=measure, rules=rules
        )
        assert least - 1e-6 <= low <= high <= most + 1e-6, (figure, (low, high), (least, most))
        moved += high - low > 1e-9
    return moved


def random_labels(draw, n_groups: int, measures: list[str]) -> Released:
    """Any hiding at all, labelled at random: the swaps must respect whatever the labels say, even where
    the truth sits at a label's very edge."""
    hidden = {}
    for g in range(1, n_groups):
        if draw(st.booleans()):
            hidden[g] = draw(st.sampled_from(list(Hidden)))
    hidden_measures = {}
    for g in range(n_groups):
        for m in measures:
            if draw(st.integers(0, 3)) == 0:
                hidden_measures[(g, m)] = draw(st.sampled_from(list(Hidden)))
    return Released(hidden, hidden_measures)


def truthful(cells: list[BaseCell], groups: list[Group], released: Released) -> bool:
    """Whether the truth satisfies every label (else the programme has no point at all)."""
    for g, why in released.hidden.items():
        if not _holds(cells, groups[g], why, lambda c: c.people):
            return False
    for (g, m), why in released.hidden_measures.items():
        if not _holds(cells, groups[g], why, lambda c, m=m: c.tallies[m].answers if m in c.tallies else 0):
            return False
    return True


def _holds(cells, grp: Group, why: Hidden, count) -> bool:
    per_run: dict[int, int] = {}
    for i in grp.cells:
        per_run[cells[i].run] = per_run.get(cells[i].run, 0) + count(cells[i])
    if why == Hidden.too_few:
        return all(v <= RULES.min_group - 1 for v in per_run.values())
    return sum(per_run.values()) >= RULES.min_group


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_what_swaps_prove_of_a_release_the_programme_proves_too(organisation):
    cells, groups, breakdowns = organisation
    lay = layout(cells, groups, breakdowns, RULES)
    hidden, hidden_measures = rules_1_to_4(lay)
    assert_within_the_programme(cells, groups, Released(hidden, hidden_measures))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), organisations())
def test_swaps_respect_every_label(data, organisation):
    cells, groups, _ = organisation
    measures = sorted({m for c in cells for m in c.tallies})
    released = random_labels(data.draw, len(groups), measures)
    if not truthful(cells, groups, released):
        return
    assert_within_the_programme(cells, groups, released)


def test_swaps_between_two_cells_no_shown_figure_tells_apart():
    # Sales and Support share every shown figure's cells but one hidden split between them: the two
    # newcomers' cells can trade people and answers without any shown figure moving
    cells = [cell(3), cell(4), cell(9), cell(8)]
    groups = [
        group("organisation", "all", [0, 1, 2, 3]),
        group("tenure", "newcomers", [0, 1]),
        group("tenure", "others", [2, 3]),
        group("department × tenure", "Sales, newcomers", [0]),
    ]
    released = Released({3: Hidden.too_few}, {})
    assert assert_within_the_programme(cells, groups, released) == 2
    _, intervals = swap_intervals(cells, groups, released)
    people = next((low, high) for f, low, high in intervals if f.measure is None)
    assert people == (0.0, 4.0)  # all 3 out, or 1 in (too few says at most 4)


def test_a_hidden_measure_label_limits_the_people_a_swap_carries():
    # "too few" on the hidden group's mood answers, already at 4: people moved in may not bring answers,
    # so only the 2 who did not answer can come (the programme agrees: 12 less the other's 4 answers)
    cells = [cell(6, answers=4), cell(6, answers=4)]
    groups = [group("organisation", "all", [0, 1]), group("department", "Sales", [0])]
    released = Released({1: Hidden.audit}, {(1, "mood"): Hidden.too_few})
    _, intervals = swap_intervals(cells, groups, released)
    people = next((low, high) for f, low, high in intervals if f.measure is None)
    assert people == (5.0, 8.0)
    assert assert_within_the_programme(cells, groups, released) == 3  # its people, and its total twice


def test_a_release_built_to_be_solvable_is_not_certified():
    # a whole shown with every part but one shown: the hidden part is the whole less the others, and
    # no two atoms share their shown groups, so no swap moves it
    cells = [cell(10), cell(8), cell(3), cell(9)]
    groups = [group("organisation", "all", range(4))] + [group("department", f"d{i}", [i]) for i in range(4)]
    pinned = Released({3: Hidden.too_few}, {})
    lay, intervals = swap_intervals(cells, groups, pinned)
    assert intervals and all(high - low == 0 for _, low, high in intervals)
    atoms = atoms_of(lay, pinned)
    figures = rule5.hidden_figures(lay, atoms, pinned)
    assert not swaps.certify(lay, atoms, pinned, figures, np.full(len(figures), RULES.margin)).any()
    found = rule5.audit(lay, pinned, RULES).findings
    assert {(f.figure.group, f.figure.measure) for f in found} == {(3, None), (3, 0)}
    assert all(f.binding for f in found)  # the programmes still say what the bounds rest on


def test_the_crossing_solvable_by_rules_1_to_4_is_still_caught():
    cells, groups = crossing([[2, 9, 8], [7, 11, 6], [10, 5, 12]])
    lay = layout(cells, groups, [], RULES)
    hidden, hidden_measures = rules_1_to_4(lay)
    found = rule5.audit(lay, Released(hidden, hidden_measures), RULES)
    assert found.findings and found.by_swaps == 0
    released = release(cells, groups, [], RULES)
    assert Hidden.audit in released.hidden.values()
    assert audit_holds(cells, groups, released) == []
