"""The rules of a segment release, one at a time on a small organisation, and the subtractions an attacker
tries against them: every hidden figure stays wider than the margin for someone holding all shown ones."""

from __future__ import annotations

import pytest

from pulsebot.services.segments.disclosure import (
    BaseCell,
    Breakdown,
    Hidden,
    Rules,
    Tally,
    attacker_bounds,
    people_floor,
    release,
)
from tests.segments.organisations import RULES, audit_holds, cell, group, probe, shown_figures, width


def test_people_are_floored_per_run_not_added():
    cells = [cell(4, run=1), cell(3, run=2), cell(2, run=1)]
    assert people_floor(cells, [0, 1, 2]) == 6  # run 1 holds 6, run 2 holds 3
    assert people_floor(cells, []) == 0


def test_minimum_group_hides_small_groups_and_measures_answered_by_too_few():
    cells = [cell(8, answers=3), cell(3), cell(9)]
    groups = [
        group("department", "Sales", [0]),
        group("department", "Legal", [1]),
        group("site", "Oslo", [2]),
    ]
    released = release(cells, groups, [], RULES)
    assert released.hidden == {1: Hidden.too_few}
    assert released.hidden_measures == {(0, "mood"): Hidden.too_few}
    assert released.shown(0) and not released.shown(0, "mood") and released.shown(2, "mood")


def test_a_group_of_its_own_higher_minimum():
    cells = [cell(7), cell(12)]
    groups = [group("comments", "Sales", [0], min_people=10), group("comments", "Ops", [1], min_people=10)]
    assert release(cells, groups, [], RULES).hidden == {0: Hidden.too_few}


def test_the_remainder_rule_hides_a_part_that_leaves_too_few_of_its_whole():
    # the organisation holds 3 people whose department is not recorded: organisation minus Sales is them
    cells = [cell(20), cell(3)]
    groups = [group("organisation", "all", [0, 1]), group("department", "Sales", [0])]
    released = release(cells, groups, [Breakdown(0, (1,))], RULES)
    assert released.hidden == {1: Hidden.remainder}


def test_a_remainder_of_nobody_is_no_remainder():
    cells = [cell(20), cell(0, answers=0, total=0.0)]
    groups = [group("organisation", "all", [0, 1]), group("department", "Sales", [0])]
    assert release(cells, groups, [Breakdown(0, (1,))], RULES).hidden == {}


def test_the_remainder_is_counted_per_run():
    # two runs: the organisation minus Sales leaves 3 people in each run, never 5 in one
    cells = [cell(20, run=1), cell(3, run=1), cell(18, run=2), cell(3, run=2)]
    groups = [group("organisation", "all", [0, 1, 2, 3]), group("department", "Sales", [0, 2])]
    assert release(cells, groups, [Breakdown(0, (1,))], RULES).hidden == {1: Hidden.remainder}


def test_the_overlap_rule_hides_the_smaller_of_two_groups_differing_by_too_few():
    # a site and a manager's line in different tables, no breakdown between them: 2 people apart
    cells = [cell(10), cell(2), cell(9)]
    groups = [group("site", "Oslo", [0, 1]), group("line", "Ada", [0]), group("tenure", "1–2 years", [2])]
    released = release(cells, groups, [], RULES)
    assert released.hidden == {1: Hidden.overlap}


def test_groups_far_apart_or_alike_are_both_shown():
    cells = [cell(10), cell(6), cell(9)]
    groups = [
        group("site", "Oslo", [0, 1]),
        group("line", "Ada", [0]),  # 6 people apart from Oslo
        group("department", "Ops", [2]),
        group("tenure", "5 years +", [2]),  # the same people as Ops: the same figures
    ]
    assert release(cells, groups, [], RULES).hidden == {}


def test_secondary_suppression_hides_the_next_smallest_part():
    cells = [cell(10), cell(8), cell(3), cell(9)]
    groups = [group("organisation", "all", range(4))] + [group("department", f"d{i}", [i]) for i in range(4)]
    released = release(cells, groups, [Breakdown(0, (1, 2, 3, 4))], RULES)
    assert released.hidden == {3: Hidden.too_few, 2: Hidden.secondary}


def test_secondary_suppression_protects_people_of_no_part():
    # every department is shown, and the organisation's 2 people with no department recorded would be
    # the organisation minus all of them
    cells = [cell(10), cell(8), cell(2)]
    groups = [
        group("organisation", "all", range(3)),
        group("department", "a", [0]),
        group("department", "b", [1]),
    ]
    released = release(cells, groups, [Breakdown(0, (1, 2))], RULES)
    assert released.hidden == {2: Hidden.secondary}
    assert width(probe(cells, groups, released, [2])) > RULES.margin


def test_a_hidden_whole_is_not_left_as_the_sum_of_its_parts():
    # Oslo is hidden (overlap: its region holds 2 more people, in Bergen); its tenure bands would add up
    # to it
    cells = [cell(6), cell(7), cell(2)]
    groups = [
        group("region", "Norway", [0, 1, 2]),
        group("site", "Oslo", [0, 1]),
        group("site × tenure", "Oslo, < 1 year", [0]),
        group("site × tenure", "Oslo, 1 year +", [1]),
    ]
    released = release(cells, groups, [Breakdown(1, (2, 3))], RULES)
    assert released.hidden == {1: Hidden.overlap, 2: Hidden.secondary}
    assert audit_holds(cells, groups, released) == []


def test_a_measure_follows_the_rules_of_its_own_answers():
    # everyone counts, but only 6 of Sales answered the mood question, 4 of them in Berlin
    cells = [cell(8, answers=4), cell(8, answers=2), cell(10)]
    groups = [group("department", "Sales", [0, 1]), group("site × department", "Berlin, Sales", [0])]
    released = release(cells, groups, [Breakdown(0, (1,))], RULES)
    assert released.hidden == {}
    assert released.hidden_measures[(1, "mood")] == Hidden.too_few
    assert audit_holds(cells, groups, released) == []


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"breakdown 0: .* is not inside"):
        release([cell(5), cell(6)], [group("a", "x", [0]), group("b", "y", [1])], [Breakdown(0, (1,))], RULES)
    with pytest.raises(ValueError, match=r"group 0 .*not a base cell"):
        release([cell(5)], [group("a", "x", [3])], [], RULES)
    with pytest.raises(ValueError, match="margin"):
        release([cell(5)], [group("a", "x", [0])], [], Rules(min_group=5, margin=4))
    with pytest.raises(ValueError, match="base cell 0, measure 'mood'"):
        release([BaseCell(1, 2, {"mood": Tally(3, 9.0, 1, 5)})], [], [], RULES)


# The attacks: what someone holding every shown figure tries, and what they get.


def test_attack_organisation_minus_every_department_but_one():
    sizes = [12, 9, 3, 11, 7]
    cells = [cell(n) for n in sizes]
    groups = [group("organisation", "all", range(5))] + [group("department", f"d{i}", [i]) for i in range(5)]
    released = release(cells, groups, [Breakdown(0, tuple(range(1, 6)))], RULES)
    assert not released.shown(3)  # the department of 3
    shown = [i for i in range(5) if released.shown(i + 1)]
    left = sum(sizes) - sum(sizes[i] for i in shown)
    assert left >= RULES.min_group  # the subtraction leaves at least two departments together
    for g in released.hidden:
        assert width(attacker_bounds(cells, groups, released, group=g, measure=None, rules=RULES)) > 1
        assert width(attacker_bounds(cells, groups, released, group=g, measure="mood", rules=RULES)) > 4
    assert audit_holds(cells, groups, released) == []


def test_attack_two_overlapping_segments():
    # "Berlin" and "Ada's line" share 10 people; Berlin has 2 more, Ada's line 7 more
    cells = [cell(10), cell(2), cell(7), cell(20)]
    groups = [
        group("organisation", "all", range(4)),
        group("site", "Berlin", [0, 1]),
        group("line", "Ada", [0, 2]),
    ]
    released = release(cells, groups, [], RULES)
    assert not (released.shown(1) and released.shown(2))
    assert width(probe(cells, groups, released, [1])) > RULES.margin  # Berlin's 2 outside Ada's line
    assert width(probe(cells, groups, released, [1], "mood")) > 4
    assert audit_holds(cells, groups, released) == []


def test_attack_a_crossing_against_its_margins():
    # department × tenure with both margins shown; Sales' newcomers are 2 people
    sizes = {("Sales", "new"): 2, ("Sales", "old"): 9, ("Ops", "new"): 8, ("Ops", "old"): 11}
    keys = list(sizes)
    cells = [cell(sizes[k]) for k in keys]
    groups = [group("organisation", "all", range(4))]
    groups += [group("department", d, [i for i, k in enumerate(keys) if k[0] == d]) for d in ("Sales", "Ops")]
    groups += [group("tenure", t, [i for i, k in enumerate(keys) if k[1] == t]) for t in ("new", "old")]
    groups += [group("department × tenure", f"{k[0]}, {k[1]}", [i]) for i, k in enumerate(keys)]
    breakdowns = [Breakdown(0, (1, 2)), Breakdown(0, (3, 4))]
    breakdowns += [Breakdown(1, (5, 6)), Breakdown(2, (7, 8)), Breakdown(3, (5, 7)), Breakdown(4, (6, 8))]
    released = release(cells, groups, breakdowns, RULES)
    assert released.hidden[5] == Hidden.too_few
    assert width(probe(cells, groups, released, [0])) > RULES.margin
    assert width(probe(cells, groups, released, [0], "mood")) > 4
    assert audit_holds(cells, groups, released) == []


def test_attack_a_line_manager_minus_the_lines_below():
    # Ada's line: Bo's line (9), Cy's line (8), and her 2 direct reports in no line below her
    cells = [cell(9), cell(8), cell(2)]
    groups = [group("line", "Ada", range(3)), group("line", "Ada/Bo", [0]), group("line", "Ada/Cy", [1])]
    released = release(cells, groups, [Breakdown(0, (1, 2))], RULES)
    assert released.shown(0)
    assert width(probe(cells, groups, released, [2])) > RULES.margin
    assert width(probe(cells, groups, released, [2], "mood")) > 4
    assert audit_holds(cells, groups, released) == []


def test_attack_a_teams_figures_minus_a_segment():
    # the team's run is shown by the team's own views; Sales holds all of that run but 2 people
    cells = [cell(12, run=7), cell(2, run=7), cell(15, run=8)]
    groups = [
        group("team", "Support's pulse", [0, 1]),
        group("department", "Sales", [0, 2]),
        group("organisation", "all", range(3)),
    ]
    released = release(cells, groups, [], RULES)
    assert width(probe(cells, groups, released, [1])) > RULES.margin
    assert width(probe(cells, groups, released, [1], "mood")) > 4
    assert audit_holds(cells, groups, released) == []


def test_attack_one_person_moving_department_between_two_periods():
    """Periods are released apart: a person who moved from Sales to Ops shows as Sales losing one and Ops
    gaining one. Subtracting the periods tells that someone moved, not what they answered: in another
    world the mover answered the other way round (and two colleagues changed their minds), and every
    figure both periods show is the same."""

    def period(sales: list[int], ops: list[int]) -> dict:
        cells = [BaseCell(1, len(v), {"mood": Tally(len(v), float(sum(v)), 1, 5)}) for v in (sales, ops)]
        groups = [group("organisation", "all", [0, 1]), group("department", "Sales", [0])]
        groups.append(group("department", "Ops", [1]))
        return shown_figures(cells, groups, release(cells, groups, [Breakdown(0, (1, 2))], RULES))

    # world A: the mover answered 5 in Sales, then 1 in Ops
    before = period([3, 4, 1, 4, 3, 4, 5], [4, 3, 5, 3, 4, 2, 3])
    after = period([3, 4, 1, 4, 3, 4], [4, 3, 5, 3, 4, 2, 3, 1])
    # world B: the mover answered 1, then 5; a Sales colleague went from 5 to 1, an Ops one from 5 to 1
    before_b = period([3, 4, 5, 4, 3, 4, 1], [4, 3, 5, 3, 4, 2, 3])
    after_b = period([3, 4, 1, 4, 3, 4], [4, 3, 1, 3, 4, 2, 3, 5])
    assert before[("department", "Sales", "people")] - after[("department", "Sales", "people")] == 1
    assert after[("department", "Ops", "people")] - before[("department", "Ops", "people")] == 1
    assert before == before_b and after == after_b


def test_figures_shown_elsewhere_are_never_hidden_and_the_groups_around_them_go_instead():
    """A team's runs were shown in its digests: hiding one in the segments would take nothing back. Here
    the organisation less the shown runs of the big team is the small team (4 people): the organisation
    goes, not a run; and a team whose every run was shown is shown too, whatever the rules say of it."""
    cells = [cell(8, run=1), cell(8, run=2), cell(4, run=3), cell(4, run=4)]
    groups = [
        group("organisation", "all", [0, 1, 2, 3]),
        group("team", "big", [0, 1]),
        group("team", "small", [2, 3]),
        *(group("run", str(n), [n], fixed=True) for n in range(4)),
        group("department", "Sales", [0, 1]),  # the big team under another name
    ]
    breakdowns = [Breakdown(0, (1, 2)), Breakdown(1, (3, 4)), Breakdown(2, (5, 6))]
    released = release(cells, groups, breakdowns, RULES)

    assert released.hidden[5] == released.hidden[6] == Hidden.too_few  # the small team's own runs
    assert released.shown(3) and released.shown(4)  # the big team's runs stay as their digests showed
    assert released.shown(1) and released.shown(7)  # their sum, under either name
    assert not released.shown(0) and not released.shown(2)
    assert audit_holds(cells, groups, released) == []


def test_a_group_a_shown_run_away_from_a_hidden_one_goes_with_its_other_names():
    """The organisation is run 1 (shown in its digest) plus run 2 (too few): the overlap rule cannot take
    run 1 back, so the organisation goes, and the site that is the same people under another name."""
    cells = [cell(8, run=1), cell(4, run=2)]
    groups = [
        group("organisation", "all", [0, 1]),
        group("run", "1", [0], fixed=True),
        group("site", "Oslo", [0, 1]),
        group("run", "2", [1], fixed=True),
    ]
    released = release(cells, groups, [], RULES)
    assert released.hidden[3] == Hidden.too_few
    assert not released.shown(0) and not released.shown(2)  # each is run 1 plus the hidden run 2
    assert released.shown(1)
    assert audit_holds(cells, groups, released) == []


def test_an_audit_out_of_time_hides_all_it_may():
    """A release whose audit cannot finish in its time goes out with every segment hidden but those shown
    elsewhere, and says it is incomplete, rather than unaudited."""
    cells = [cell(8, run=1), cell(3, run=1), cell(9, run=2)]
    groups = [
        group("organisation", "all", [0, 1, 2]),
        group("department", "Sales", [0]),
        group("department", "Legal", [1]),
        group("run", "2", [2], fixed=True),
    ]
    in_time = release(cells, groups, [], RULES)
    assert in_time.complete and in_time.hidden[2] == Hidden.too_few

    out_of_time = release(cells, groups, [], Rules(min_group=5, audit_seconds=0.0))

    assert not out_of_time.complete
    assert set(out_of_time.hidden) == {0, 1, 2}
    assert out_of_time.shown(3)
