"""`pulsebot actions`: every team's actions in a table, narrowed to one team (SURVEY) and by --status;
an unknown team or status is one line naming it."""

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.loop.actions import change_status, create_action
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus, FocusKind
from tests.cli.conftest import pulsebot
from tests.conftest import MANAGER, PINNED_NOW
from tests.installing import ACME
from tests.pulse_data import make_team

pytestmark = pytest.mark.clock

runner = CliRunner()
NOW = PINNED_NOW


def plan(sessions, survey: str, text: str, owner: str = "U0ALICE") -> int:
    with transaction(sessions) as session:
        return create_action(
            session,
            survey_name=survey,
            focus_kind=FocusKind.question,
            focus_key="workload",
            text=text,
            owner_id=owner,
            due_on=NOW.date() + timedelta(days=20),
            visible=True,
            created_by=MANAGER,
            now=NOW,
            today=NOW.date(),
            min_group=5,
        ).id


def two_teams(sessions) -> None:
    make_team(sessions, name="alpha", title="Alpha", managers=(MANAGER,), now=NOW - timedelta(days=30))
    make_team(sessions, name="beta", title="Beta", managers=(MANAGER,), now=NOW - timedelta(days=30))
    plan(sessions, "alpha", "Quiet Fridays")
    dropped = plan(sessions, "beta", "Move the standup", owner="U0BOB")
    with transaction(sessions) as session:
        change_status(
            session,
            action_id=dropped,
            status=ActionStatus.dropped,
            reason="Nobody wanted it",
            actor=MANAGER,
            now=NOW,
        )


def actions(cli_env, *args: str):
    return runner.invoke(cli, ["actions", *args], env={**cli_env, "COLUMNS": "200"})


def test_every_action_is_listed_with_its_team_focus_owner_due_date_and_status(cli_env, sessions):
    two_teams(sessions)

    result = actions(cli_env)

    assert result.exit_code == 0, result.output
    alpha = next(line for line in result.stdout.splitlines() if "Quiet Fridays" in line)
    due = (NOW.date() + timedelta(days=20)).isoformat()
    for part in ("alpha", "question: My workload this week was manageable.", "U0ALICE", due, "Planned"):
        assert part in alpha
    beta = next(line for line in result.stdout.splitlines() if "Move the standup" in line)
    assert "beta" in beta and "U0BOB" in beta and "Dropped: Nobody wanted it" in beta


def test_team_and_status_narrow_the_list(cli_env, sessions):
    two_teams(sessions)

    only_beta = actions(cli_env, "beta")
    only_planned = actions(cli_env, "--status", "planned")
    nothing = actions(cli_env, "alpha", "--status", "done")

    assert "Move the standup" in only_beta.stdout and "Quiet Fridays" not in only_beta.stdout
    assert "Quiet Fridays" in only_planned.stdout and "Move the standup" not in only_planned.stdout
    assert nothing.exit_code == 0 and nothing.stdout.strip() == "no actions for alpha done"


def test_in_progress_is_written_with_a_hyphen_or_an_underscore(cli_env, sessions):
    two_teams(sessions)

    assert actions(cli_env, "--status", "in-progress").exit_code == 0
    assert actions(cli_env, "--status", "in_progress").exit_code == 0


def test_an_unknown_team_or_status_is_one_line_naming_it(cli_env, sessions):
    two_teams(sessions)

    team = actions(cli_env, "gamma")
    status = actions(cli_env, "--status", "finished")

    assert (team.exit_code, status.exit_code) == (1, 2)  # a survey not found; a value that is not a status
    assert team.output.strip() == "pulsebot: SURVEY: there is no survey called “gamma”"
    assert status.output.strip() == (
        "pulsebot: --status: “finished” is not a status; use one of: planned, in-progress, done, dropped"
    )


def test_no_actions_yet_says_so(cli_env, sessions):
    make_team(sessions, name="alpha", now=NOW)

    result = actions(cli_env)

    assert result.exit_code == 0 and result.stdout.strip() == "no actions"


def test_serving_several_workspaces_the_workspace_is_named_with_team_as_everywhere(oauth_env):
    unnamed = pulsebot(oauth_env, "actions")
    named = pulsebot(oauth_env, "actions", "--team", ACME)

    assert unnamed.exit_code != 0
    assert unnamed.output.strip().startswith("pulsebot: --team: pulsebot serves several workspaces")
    assert named.exit_code == 0 and named.stdout.strip() == "no actions"
