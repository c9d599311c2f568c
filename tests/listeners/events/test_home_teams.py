"""App Home: managers see their teams' latest figures, admins every team's; never a small group's."""

from datetime import timedelta

import pytest

from pulsebot.slack import limits
from tests.conftest import ADMIN, MANAGER, PINNED_NOW, TEAM
from tests.home_steps import open_home
from tests.pulse_data import alike, make_team, people, run_week, scores
from tests.slack_limits import view_problems

pytestmark = pytest.mark.clock

LAST_WEEK = PINNED_NOW - timedelta(days=7)


def test_a_manager_sees_their_team_s_latest_figures(slack, fake_slack, sessions):
    members = people(6)
    make_team(sessions, managers=(MANAGER,), now=LAST_WEEK - timedelta(days=30))
    run_week(
        sessions,
        survey="team-pulse",
        opened=LAST_WEEK,
        audience=members,
        answers=scores(members, alike(4, 6)),
    )

    blocks = open_home(slack, fake_slack, MANAGER)

    assert "Your teams" in blocks and "Weekly team pulse" in blocks
    assert "mood (1–5) 4.0" in blocks and "answered 100% (6 of 6)" in blocks
    assert "Whole organisation" not in blocks


def test_a_small_group_s_figures_stay_hidden_on_home(slack, fake_slack, sessions):
    members = people(6)
    make_team(sessions, managers=(MANAGER,), now=LAST_WEEK - timedelta(days=30))
    run_week(
        sessions, survey="team-pulse", opened=LAST_WEEK, audience=members, answers=scores(members, [1] * 4)
    )

    blocks = open_home(slack, fake_slack, MANAGER)

    assert "hidden: fewer than 5 answered" in blocks
    assert "mood" not in blocks.lower().replace("your teams", "")


def test_an_admin_sees_every_team_and_the_organisation(slack, fake_slack, sessions):
    for name in ("alpha", "beta"):
        members = people(5, name[0].upper())
        make_team(sessions, name=name, title=f"{name} pulse", now=LAST_WEEK - timedelta(days=30))
        run_week(
            sessions, survey=name, opened=LAST_WEEK, audience=members, answers=scores(members, alike(3, 5))
        )

    blocks = open_home(slack, fake_slack, ADMIN)

    assert "alpha pulse" in blocks and "beta pulse" in blocks and "Whole organisation" in blocks


def test_someone_who_manages_nothing_sees_no_team_figures(slack, fake_slack, sessions):
    make_team(sessions, managers=(MANAGER,), now=LAST_WEEK)

    blocks = open_home(slack, fake_slack, TEAM[0])

    assert "Your teams" not in blocks


def test_a_manager_of_sixty_teams_gets_a_home_within_slack_s_limits_that_says_what_is_left_out(
    slack, fake_slack, sessions
):
    for number in range(60):
        make_team(sessions, name=f"team-{number:02d}", managers=(MANAGER,), now=LAST_WEEK)

    open_home(slack, fake_slack, MANAGER)

    (published,) = fake_slack.calls_to("views.publish")
    assert view_problems(published["view"]) == []  # Slack took it
    blocks = str(published["view"]["blocks"])
    assert len(published["view"]["blocks"]) <= limits.BLOCKS_PER_VIEW
    assert "…and 40 more teams: `/pulse digest NAME` shows any one of them." in blocks
    assert "…and 50 more teams: `/pulse action NAME` plans for any one of them." in blocks
