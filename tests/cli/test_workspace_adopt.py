"""`pulsebot workspace adopt`: a deployment that served one workspace with SLACK_BOT_TOKEN now serves
several through OAuth, and the workspace it served takes its surveys, pulses, ideas and the rest over."""

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.clock import utc_now
from pulsebot.services.idea.ideas import post_idea
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery, Idea, PulseRun, Survey
from tests.cli.conftest import pulsebot
from tests.conftest import ANON_KEY, PULSE_CHANNEL, SCALE_SURVEY, TEAM
from tests.installing import ACME, GLOBEX


@pytest.fixture
def single_workspace_data(cli_env, sent_pulse, sessions):
    """What serving one workspace left: a survey and a pulse sent to the team, an idea, an audit entry."""
    with transaction(sessions) as session:
        post_idea(session, user_id=TEAM[0], text="Refunds in one click", key=ANON_KEY.encode(), now=utc_now())
    assert pulsebot(cli_env, "report", "team-pulse").exit_code == 0


def teams_of(sessions) -> dict[str, set[str]]:
    with transaction(sessions) as session:
        return {
            model.__tablename__: set(session.exec(select(model.team_id)).all())
            for model in (Survey, PulseRun, Delivery, Idea)
        }


@pytest.mark.usefixtures("single_workspace_data")
def test_the_workspace_it_served_takes_its_data_over(oauth_env, sessions):
    assert pulsebot(oauth_env, "survey", "list", "--team", ACME).stdout.startswith("no surveys yet")

    moved = pulsebot(oauth_env, "workspace", "adopt", "--team", ACME, "--yes")

    assert moved.exit_code == 0, moved.output
    assert f"moved to {ACME}: " in moved.stdout
    assert "1 survey," in moved.stdout and "1 idea" in moved.stdout
    assert f"{len(TEAM)} records of pulses sent" in moved.stdout
    assert teams_of(sessions) == {"survey": {ACME}, "pulse_run": {ACME}, "delivery": {ACME}, "idea": {ACME}}
    assert "team-pulse" in pulsebot(oauth_env, "survey", "list", "--team", ACME).stdout
    assert pulsebot(oauth_env, "survey", "list", "--team", GLOBEX).stdout.startswith("no surveys yet")
    assert pulsebot(oauth_env, "report", "team-pulse", "--team", ACME).exit_code == 0

    log = pulsebot(oauth_env, "audit").stdout
    adopted = next(line for line in log.splitlines() if "workspace_adopted" in line)
    assert ACME in adopted and "1 survey, " in adopted and "records of pulses sent" in adopted
    assert any("report" in line and "│ -" in line for line in log.splitlines())  # kept where written

    again = pulsebot(oauth_env, "workspace", "adopt", "--team", ACME, "--yes")
    assert (again.exit_code, again.stdout.strip()) == (
        0,
        "nothing to move: there is no data of a single-workspace setup",
    )


@pytest.mark.usefixtures("single_workspace_data")
def test_a_survey_name_both_have_stops_the_move_whole(oauth_env, sessions, tmp_path):
    survey = tmp_path / "team.yml"
    survey.write_text(SCALE_SURVEY.format(channel=PULSE_CHANNEL))
    assert pulsebot(oauth_env, "survey", "apply", str(survey), "--team", GLOBEX).exit_code == 0

    refused = pulsebot(oauth_env, "workspace", "adopt", "--team", GLOBEX, "--yes")

    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        f"pulsebot: {GLOBEX} already has surveys named team-pulse; survey names are unique within a "
        "workspace, so nothing was moved."
    )
    assert teams_of(sessions)["idea"] == {""} and teams_of(sessions)["survey"] == {"", GLOBEX}


@pytest.mark.usefixtures("single_workspace_data")
def test_it_asks_first_and_no_moves_nothing(oauth_env, sessions):
    answered = CliRunner().invoke(
        cli, ["workspace", "adopt", "--team", ACME], env={**oauth_env, "COLUMNS": "200"}, input="n\n"
    )

    assert answered.exit_code == 1
    assert "Move all of it to T0ACME?" in answered.stdout and "pulsebot: nothing moved" in answered.stderr
    assert teams_of(sessions)["survey"] == {""}


def test_serving_one_workspace_there_is_nothing_to_adopt(cli_env):
    refused = pulsebot(cli_env, "workspace", "adopt", "--team", ACME)

    assert (refused.exit_code, refused.stderr.strip()) == (
        2,
        "pulsebot: pulsebot serves one workspace here (SLACK_BOT_TOKEN): its data is already its own",
    )
