"""Attacks on a released period through the stored tables: whoever reads `segment_figure` (and the teams'
own released figures, `run_question_figures`) subtracts one shown figure from another to reach a hidden
segment. Each attack must learn nothing of a hidden figure: some figure it needs is hidden too.

The organisation (tests/segments/segment_data.py june_organisation) has segments too small to show, in
pairs: Legal and Finance (3 each, inside the support team and division Commercial), Sales of < 3 months
and of 3–12 months (3 each, inside Sales), and the lines below U0MLE and U0MFI (3 each, inside U0VPC's).
Answer counts and sums are additive, so an attack works on them: a driver's answers and total (its mean ×
answers), eNPS's promoters minus detractors, the people who answered (participation's share × people
asked). A subtraction may leave a pair together (6 answers of which neither's can be told); it must never
leave fewer answers than the minimum group.

A lone small segment beside shown ones (`test_a_lone_small_department_…`) is where the minimum group alone
fails: the support team less Support would be Legal. Stopping that subtraction is the work of the
remainder and overlap rules, secondary suppression and the audit.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from pulsebot.store.db import transaction
from pulsebot.store.models import Question, RunQuestionFigures
from tests.segments.segment_data import (
    Scores,
    answered_run,
    june_organisation,
    members,
    release,
    segment_team,
    stored_figures,
)

pytestmark = pytest.mark.clock

MEASURES = ("manager", "colleagues", "enps", "participation")

Segment = tuple[str, str]  # (table, group)


def additive(figures, segment: Segment, measure: str) -> tuple[int, float] | None:
    """A shown figure as counts and sums that add up across segments; None when hidden or absent."""
    row = figures.get((*segment, measure))
    if row is None or row.hidden is not None or row.value is None:
        return None
    return row.answers, row.value * row.answers


def subtract(figures, whole: Segment | tuple[int, float], parts: list[Segment], measure: str):
    """whole − Σ parts for one measure, or None when some figure it needs is not shown."""
    found = whole if isinstance(whole[1], float) else additive(figures, whole, measure)
    taken = [additive(figures, part, measure) for part in parts]
    if found is None or None in taken:
        return None
    return found[0] - sum(t[0] for t in taken), found[1] - sum(t[1] for t in taken)


MIN_GROUP = 5  # segment_data.release's minimum


def assert_nothing_learned(figures, hidden: Segment, routes: list[tuple]) -> None:
    assert figures[(*hidden, "respondents")].hidden is not None  # the target is hidden…
    for measure in MEASURES:
        for whole, parts in routes:
            learned = subtract(figures, whole, parts, measure)
            # …and stays so: a route fails, or leaves a group of at least the minimum (a pair together).
            assert learned is None or learned[0] >= MIN_GROUP, (
                f"{hidden} {measure}: {whole} − {parts} gives {learned}"
            )


def test_the_rest_of_the_organisation_once_the_shown_departments_are_taken_away(sessions):
    june_organisation(sessions)
    release(sessions)
    figures = stored_figures(sessions)

    shown = [("department", name) for name in ("Engineering", "Sales", "Support")]
    assert all(figures[(*department, "respondents")].hidden is None for department in shown)
    routes = [
        (("organisation", "organisation"), shown),
        (("division", "Commercial"), [("department", "Sales"), ("department", "Support")]),
        (("site", "Lisbon"), [("department", "Support")]),
    ]
    assert_nothing_learned(figures, ("department", "Legal"), routes)


def test_a_crossing_against_its_margins(sessions):
    june_organisation(sessions)
    release(sessions)
    figures = stored_figures(sessions)

    crossing = "department × tenure"
    routes = [
        (("department", "Sales"), [(crossing, "Sales × 1–2 years")]),  # the department margin
        (("tenure", "< 3 months"), []),  # the tenure margin: no one else is that new
        (
            ("division", "Commercial"),
            [(crossing, "Sales × 1–2 years"), ("department", "Support"), ("department", "Legal")],
        ),
        (("department", "Sales"), [(crossing, "Sales × 1–2 years"), (crossing, "Sales × 3–12 months")]),
    ]
    assert_nothing_learned(figures, (crossing, "Sales × < 3 months"), routes)


def test_a_parent_in_the_reporting_line_minus_its_children(sessions):
    june_organisation(sessions)
    release(sessions)
    figures = stored_figures(sessions)

    children = [("line", "U0CEO/U0VPC/U0MSA"), ("line", "U0CEO/U0VPC/U0MSU")]
    routes = [
        (("line", "U0CEO/U0VPC"), children),
        (("line", "U0CEO"), [*children, ("line", "U0CEO/U0VPT")]),
    ]
    assert_nothing_learned(figures, ("line", "U0CEO/U0VPC/U0MLE"), routes)


def test_a_team_s_own_figures_minus_a_segment(sessions):
    organisation = june_organisation(sessions)
    release(sessions)
    figures = stored_figures(sessions)
    # The support team's run, as its managers see it: each question's answers and total (run_figures).
    with transaction(sessions) as session:
        rows = session.exec(
            select(Question.driver, RunQuestionFigures.answers, RunQuestionFigures.total)
            .join(Question, Question.id == RunQuestionFigures.question_id)
            .where(RunQuestionFigures.run_id == organisation.runs["support"], Question.driver.is_not(None))
        ).all()
    team_run = {driver: (answers, float(total)) for driver, answers, total in rows if answers is not None}

    for driver in ("manager", "colleagues"):
        learned = subtract(figures, team_run[driver], [("department", "Support")], driver)
        assert learned is None or learned[0] >= MIN_GROUP
    routes = [
        (("team", "support"), [("department", "Support")]),
        (("team", "support"), [("line", "U0CEO/U0VPC/U0MSU")]),
    ]
    assert_nothing_learned(figures, ("department", "Legal"), routes)


def test_two_small_departments_left_over_give_only_their_sum(sessions):
    """Rule 1 alone: Legal (3) and Finance (2) are each hidden, and every subtraction that leaves them
    leaves them together — five answers of which neither's can be told."""
    segment_team(sessions, name="ops", channel="G0OPS")
    segment_team(sessions, name="people", channel="G0PEOPLE")
    ops = members(6, "OPS", department="Operations") + members(3, "LEG", department="Legal")
    ops += members(2, "FIN", department="Finance")
    answered_run(sessions, survey="ops", audience=ops, scores=lambda m: Scores(2 + len(m.user) % 3, 4, 8))
    hr = members(6, "HRS", department="People")
    answered_run(sessions, survey="people", audience=hr, scores=lambda m: Scores(4, 3, 9))
    release(sessions)
    figures = stored_figures(sessions)

    assert figures["department", "Legal", "respondents"].hidden == "too few"
    assert figures["department", "Finance", "respondents"].hidden == "too few"
    routes = [
        (("organisation", "organisation"), [("department", "Operations"), ("department", "People")]),
        (("team", "ops"), [("department", "Operations")]),
        (
            ("tenure", "not recorded"),
            [("department × tenure", f"{d} × not recorded") for d in ("Operations", "People")],
        ),
    ]
    for whole, parts in routes:
        learned = subtract(figures, whole, parts, "manager")
        assert learned is None or learned[0] == 3 + 2  # the two together, never one of them


def test_a_lone_small_department_beside_shown_ones_is_not_left_as_a_remainder(sessions):
    """Support (7) and Legal (3) answer one team's pulse: the team less Support would be Legal. The rules
    hide enough that no subtraction leaves Legal; with the minimum group alone, the first route would."""
    segment_team(sessions, name="support", channel="G0SUPP")
    lisbon = {"division": "Commercial", "site": "Lisbon"}
    audience = members(7, "SUP", department="Support", **lisbon)
    audience += members(3, "LEG", department="Legal", **lisbon)
    answered_run(sessions, survey="support", audience=audience, scores=lambda m: Scores(3, 4, 8))
    segment_team(sessions, name="eng", channel="G0ENG")
    eng = members(8, "ENG", department="Engineering", division="Tech", site="Berlin")
    answered_run(sessions, survey="eng", audience=eng, scores=lambda m: Scores(2, 3, 6))
    release(sessions)
    figures = stored_figures(sessions)

    assert figures["department", "Legal", "respondents"].hidden == "too few"
    routes = [
        (("team", "support"), [("department", "Support")]),
        (("division", "Commercial"), [("department", "Support")]),
        (("site", "Lisbon"), [("department", "Support")]),
        (("organisation", "organisation"), [("department", "Support"), ("department", "Engineering")]),
        (("organisation", "organisation"), [("department", "Support"), ("team", "eng")]),
    ]
    assert_nothing_learned(figures, ("department", "Legal"), routes)
    # Something beyond Legal itself went: Support, or every group holding Support and Legal together.
    assert figures["department", "Support", "respondents"].hidden or all(
        figures[(*whole, "respondents")].hidden for whole, _ in routes
    )
