"""Driver scores per team over its last window of closed runs, under the minimum-group rules."""

from datetime import UTC, datetime, timedelta

import pytest

from pulsebot.services.results.drivers import driver_scores
from pulsebot.store.db import transaction
from tests.drivers.steps import alike_for, library_run, library_team
from tests.pulse_data import people

NOW = datetime(2027, 3, 29, 12, tzinfo=UTC)
TEAM = people(6, "T")


def favourable(value_of: dict[str, int]):
    """Everyone answers each driver's items so that its favourable score is value_of[driver]; eNPS: two
    in three are promoters, the others passives."""

    def answer(person, question):
        if question.driver is None:
            return 9 if int(person[-3:]) % 3 else 7
        value = alike_for(person, value_of[question.driver])
        return 6 - value if question.reversed else value

    return answer


def scores(sessions):
    with transaction(sessions) as session:
        return driver_scores(session, min_group=5, through=NOW.date())


def weekly_runs(sessions, survey, values: list[dict[str, int]], *, audience=TEAM, start_weeks_ago=None):
    start = len(values) if start_weeks_ago is None else start_weeks_ago
    for index, value_of in enumerate(values):
        library_run(
            sessions,
            survey=survey,
            opened=NOW - timedelta(weeks=start - index),
            audience=audience,
            answers=favourable(value_of),
        )


def test_a_window_of_n_runs_scores_every_driver_with_its_change_and_the_one_to_look_at(sessions):
    # Three drivers at two a pulse: N = 2, so the window is the last two runs and the one before, two more.
    library_team(sessions, name="support", now=NOW, library="[customer, growth, autonomy]", per_pulse=2)
    before = {"customer": 4, "growth": 3, "autonomy": 3}
    now = {"customer": 3, "growth": 3, "autonomy": 4}
    weekly_runs(sessions, "support", [before, before, now, now])

    team = scores(sessions).teams["support"]

    assert (team.window_runs, team.runs) == (2, 2)
    by_driver = {d.driver: d for d in team.drivers}
    assert {d: (s.score, s.change) for d, s in by_driver.items()} == {
        "customer": (3.0, -1.0),
        "growth": (3.0, 0.0),
        "autonomy": (4.0, 1.0),
    }
    assert all(d.people == 6 for d in team.drivers)
    assert team.strongest.driver == "autonomy"
    assert team.to_look_at.driver == "customer"
    assert team.enps == pytest.approx(100 * 4 / 6)
    customer_items = {item.key: item.mean for item in by_driver["customer"].items}
    assert customer_items.get("customer.blocked", 3) == 3  # a reversed item shows as answered (6 − 3)


def test_a_run_too_few_answered_and_an_item_too_few_answered_add_nothing(sessions):
    library_team(sessions, name="small", now=NOW, library="[customer, growth, autonomy]", per_pulse=2)

    # Run 1: six answer, but only four answer the customer item; run 2: four people in all.
    def partial(person, question):
        if question.driver == "customer" and person in TEAM[4:]:
            return None
        return 1 if question.driver == "customer" else alike_for(person, 4)

    library_run(sessions, survey="small", opened=NOW - timedelta(weeks=2), audience=TEAM, answers=partial)
    library_run(
        sessions,
        survey="small",
        opened=NOW - timedelta(weeks=1),
        audience=TEAM[:4],
        answers=lambda person, question: 1,
    )

    team = scores(sessions).teams["small"]

    by_driver = {d.driver: d for d in team.drivers}
    assert not by_driver["customer"].shown and by_driver["customer"].score is None
    # Run 2's 1s are below the minimum and count nowhere: what is shown comes from run 1 alone.
    assert team.shown and {d.score for d in team.shown} == {4.0}
    assert {item.answers for d in team.shown for item in d.items} == {6}
    assert team.runs == 1


def test_an_open_run_adds_nothing(sessions):
    library_team(sessions, name="open", now=NOW, library="[customer]", per_pulse=1)
    weekly_runs(sessions, "open", [{"customer": 4}] * 3)
    closed_only = scores(sessions).teams["open"]
    library_run(
        sessions,
        survey="open",
        opened=NOW - timedelta(days=1),
        audience=TEAM,
        answers=favourable({"customer": 1}),
        close=False,
    )

    assert scores(sessions).teams["open"] == closed_only


@pytest.mark.parametrize("teams", [2, 3])
def test_a_team_sees_the_organisation_beside_it_only_when_three_teams_make_it_up(sessions, teams):
    for number in range(teams):
        name = f"team{number}"
        library_team(sessions, name=name, now=NOW, library="[customer]", per_pulse=1, channel=f"G0T{number}")
        weekly_runs(sessions, name, [{"customer": 2 + number}])

    result = scores(sessions)

    org_beside = {team.drivers[0].org for team in result.teams.values()}
    assert org_beside == ({None} if teams == 2 else {3.0})
    assert result.org["customer"].score == pytest.approx(sum(2 + n for n in range(teams)) / teams)
