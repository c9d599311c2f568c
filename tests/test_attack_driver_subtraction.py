"""Attack: the organisation's driver figures minus the teams' driver figures reveal what the teams hide.

An admin sees every team's driver scores and the organisation's. If the organisation counted an answer
a team's own driver figures leave out — a run too few answered, an item too few answered inside a
counted run, a run still open — the organisation minus the teams would be that hidden answer. A manager
sees the organisation beside their team only where at least three teams make it up, so the organisation
minus their own team is never one other team. Forgetting a person (their delivery rows go, their
anonymous answers stay) changes none of it.
"""

from datetime import timedelta

import pytest

from pulsebot.services.results.drivers import driver_scores
from pulsebot.store.db import transaction
from tests.attack_steps import forget_me
from tests.conftest import PINNED_NOW
from tests.drivers.steps import alike_for, library_run, library_team
from tests.pulse_data import people

pytestmark = pytest.mark.clock

NOW = PINNED_NOW
DRIVERS = "[customer, growth]"  # two at a pulse: N = 1, every run asks both drivers


def hidden_ones(person, question):
    """The worst answer there is (a reversed item's worst is 5): it would move any figure it entered."""
    if not question.driver:
        return 0
    return 5 if question.reversed else 1


def shown_value(offset: int):
    """alpha and gamma answer 3, beta 4, on average (reversed items turned, so that the driver reads the
    same)."""

    def answer(person, question):
        if not question.driver:
            return 9
        value = alike_for(person, 3 + offset % 2)
        return 6 - value if question.reversed else value

    return answer


def teams(sessions) -> None:
    """alpha, beta, gamma shown; in alpha, three people also gave 1s to every item of a second run that
    only three answered; delta's last run had four people; epsilon's last run is still open."""
    for code, name in enumerate(("alpha", "beta", "gamma", "delta", "epsilon")):
        library_team(
            sessions,
            name=name,
            now=NOW - timedelta(days=60),
            library=DRIVERS,
            per_pulse=2,
            channel=f"G0ATT{code}",
        )
    for offset, name in enumerate(("alpha", "beta", "gamma")):
        team = people(6, name[0].upper())
        library_run(
            sessions,
            survey=name,
            opened=NOW - timedelta(days=8),
            audience=team,
            answers=shown_value(offset),
        )
    # alpha's latest run: only three answered, all 1s. It is alpha's window now, and hidden.
    library_run(
        sessions,
        survey="alpha",
        opened=NOW - timedelta(days=2),
        audience=people(6, "A")[:3],
        answers=hidden_ones,
    )
    library_run(
        sessions, survey="delta", opened=NOW - timedelta(days=8), audience=people(4, "D"), answers=hidden_ones
    )
    library_run(
        sessions,
        survey="epsilon",
        opened=NOW - timedelta(days=2),
        audience=people(6, "E"),
        answers=hidden_ones,
        close=False,
    )


def figures(sessions):
    with transaction(sessions) as session:
        return driver_scores(session, min_group=5, through=NOW.date())


def residue(result) -> dict[str, tuple[float, int]]:
    """The attacker's sum: the organisation's driver totals minus every team's shown driver figures."""
    left = {}
    for driver, org in result.org.items():
        total = org.score * org.answers
        answers = org.answers
        for team in result.teams.values():
            for score in team.shown:
                if score.driver == driver:
                    total -= score.score * score.answers
                    answers -= score.answers
        left[driver] = (round(total, 9), answers)
    return left


def test_organisation_minus_the_teams_leaves_nothing(sessions):
    teams(sessions)

    result = figures(sessions)

    assert residue(result) == {"customer": (0, 0), "growth": (0, 0)}
    shown = {name: bool(team.shown) for name, team in result.teams.items()}
    assert shown == {"alpha": False, "beta": True, "gamma": True, "delta": False, "epsilon": False}
    # The hidden answers are nowhere: beta (4s) and gamma (3s) make the organisation's 3.5.
    assert {driver: org.score for driver, org in result.org.items()} == {"customer": 3.5, "growth": 3.5}
    # Two teams make it up: neither beta's nor gamma's manager sees it beside their own.
    assert {d.org for team in result.teams.values() for d in team.drivers} == {None}


@pytest.mark.usefixtures("bot_url")
def test_forgetting_people_changes_no_driver_figure(sessions, slack, fake_slack):
    teams(sessions)
    before = figures(sessions)

    for person in [*people(6, "A")[:3], *people(4, "D")]:
        forget_me(slack, fake_slack, person)

    assert figures(sessions) == before
