"""`pulsebot report --participation`: each sharing team's response rate before and after its first
share, all sharing teams together and the teams that never shared; only shown weeks count, so nothing
in it is more than the weekly figures already show."""

from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.loop.participation import participation_effect, team_weeks
from pulsebot.services.loop.sharing import record_share
from pulsebot.services.results.analytics import WeekStatus, compute_trends, team_trend
from pulsebot.store.db import transaction
from tests.conftest import MANAGER, PINNED_NOW
from tests.loop.share_steps import last_week, on_tuesday
from tests.pulse_data import make_team, people, run_week, scores

pytestmark = pytest.mark.clock

NOW = PINNED_NOW
WEEKS = 8
runner = CliRunner()


def team(sessions, name: str, answered: list[int], *, prefix: str) -> list[str]:
    """Six people and a weekly pulse for the last len(answered) weeks, answered by that many each week."""
    members = people(6, prefix)
    make_team(sessions, name=name, title=name.title(), managers=(MANAGER,), now=NOW - timedelta(days=120))
    newest = last_week(NOW)
    for offset, count in enumerate(reversed(answered)):
        run_week(
            sessions,
            survey=name,
            opened=on_tuesday(newest - timedelta(weeks=offset)),
            audience=members,
            answers=scores(members[:count], [4] * count),
        )
    return members


def shared(sessions, name: str, week: date) -> None:
    with transaction(sessions) as session:
        record_share(session, survey_name=name, week=week, shared_by=MANAGER, with_comments=False, now=NOW)


def weeks_ago(count: int) -> date:
    return last_week(NOW) - timedelta(weeks=count)


def report(sessions, settings):
    with transaction(sessions) as session:
        return participation_effect(session, now=NOW, min_group=settings.min_group, weeks=WEEKS)


def test_the_report_compares_shown_weeks_before_and_after_each_team_s_first_share(
    sessions, settings, cli_env
):
    # Six weeks, oldest first: a hidden week (4 answered), two before the share, three after it.
    team(sessions, "sales", [4, 5, 5, 6, 6, 6], prefix="S")
    team(sessions, "support", [5, 5, 5, 5, 5, 5], prefix="T")  # never shares
    shared(sessions, "sales", weeks_ago(3))
    shared(sessions, "sales", weeks_ago(1))  # only the first share splits

    result = runner.invoke(
        cli, ["report", "--participation", "--weeks", str(WEEKS)], env={**cli_env, "COLUMNS": "200"}
    )

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    sales = next(line for line in lines if line.strip("│ ").startswith("Sales"))
    assert "83% (10 of 12, 2 weeks)" in sales and "100% (18 of 18, 3 weeks)" in sales and "+17 pts" in sales
    every = next(line for line in lines if "All teams that shared (1 team)" in line)
    assert "83% (10 of 12, 2 weeks)" in every and "+17 pts" in every
    never = next(line for line in lines if "Teams that never shared (1 team)" in line)
    assert "83% (15 of 18, 3 weeks)" in never and "83% (15 of 18, 3 weeks)" in never and "+0 pts" in never
    assert f"week of {weeks_ago(3).day} {weeks_ago(3):%b} (the first team's)" in never
    assert "1 team-week hidden, left out on both sides" in " ".join(result.stdout.split())
    assert "4 of 6" not in result.stdout  # the hidden week's people appear nowhere


def test_with_no_share_yet_the_report_says_there_is_nothing_to_compare(sessions, cli_env):
    team(sessions, "sales", [6, 6], prefix="S")

    result = runner.invoke(cli, ["report", "--participation"], env={**cli_env, "COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "No team has shared its results" in result.stdout


def test_report_needs_a_survey_or_participation(cli_env):
    result = runner.invoke(cli, ["report"], env=cli_env)

    assert result.exit_code != 0
    assert "name a SURVEY" in result.output and "Traceback" not in result.output


def test_attack_a_hidden_week_cannot_be_had_by_subtracting_the_report_from_the_weekly_figures(
    sessions, settings
):
    # Two teams alike but for how many answered their hidden week (3 or 4 of 6), both shared at once.
    team(sessions, "three", [3, 5, 6, 6], prefix="A")
    team(sessions, "four", [4, 5, 6, 6], prefix="B")
    for name in ("three", "four"):
        shared(sessions, name, weeks_ago(2))

    effect = report(sessions, settings)

    three, four = (next(line for line in effect.teams if line.label == name) for name in ("Three", "Four"))
    assert (three.before, three.after) == (four.before, four.after)  # the hidden week changes nothing
    for name, line in (("three", three), ("four", four)):
        with transaction(sessions) as session:
            trend = team_trend(
                session,
                survey_name=name,
                now=NOW,
                min_group=settings.min_group,
                weeks=WEEKS,
                complete_only=True,
            )
        shown = [week for week in trend.weeks if week.shown]
        # The report's totals are the shown weeks' own figures added up: subtracting one from the other
        # leaves exactly nothing, never a hidden week's people.
        assert line.before.respondents + line.after.respondents == sum(week.respondents for week in shown)
        assert line.before.audience + line.after.audience == sum(week.audience for week in shown)
        assert line.before.weeks + line.after.weeks == len(shown) == 3
    assert effect.hidden_weeks == 2


@pytest.mark.parametrize("min_group", [5, 6])
def test_the_report_reads_every_teams_weeks_as_the_weekly_figures_show_them(sessions, min_group):
    # Every team at once, from the runs' released people alone: the same weeks shown, with the same
    # people, and the same hidden, as each team's weekly figures (a minimum raised since hides more).
    team(sessions, "three", [3, 5, 6, 6, 0, 6], prefix="A")
    team(sessions, "five", [5, 6, 2, 5], prefix="B")

    with transaction(sessions) as session:
        read = team_weeks(session, now=NOW, min_group=min_group, weeks=WEEKS)
        trends = compute_trends(session, now=NOW, min_group=min_group, weeks=WEEKS, complete_only=True)

    assert read.keys() == trends.teams.keys() == {"three", "five"}
    assert read["three"].hidden >= 2 and read["five"].hidden >= 1  # the test holds hidden weeks
    for name, trend in trends.teams.items():
        assert read[name].weeks == tuple(week.week for week in trend.weeks)
        assert read[name].shown == tuple(
            (week.week, week.respondents, week.audience) for week in trend.weeks if week.shown
        )
        assert read[name].hidden == sum(1 for week in trend.weeks if week.status is WeekStatus.suppressed)
