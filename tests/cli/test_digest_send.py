"""`pulsebot digest send [SURVEY]`: DM the digest now to the team's managers (and to admins)."""

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from tests.conftest import ADMIN, PINNED_NOW
from tests.pulse_data import alike, make_team, people, run_week, scores

pytestmark = pytest.mark.clock

runner = CliRunner()
LAST_WEEK = PINNED_NOW - timedelta(days=7)
MEMBERS = people(5)


def test_digest_send_dms_each_manager_with_the_chart(cli_env, fake_slack, sessions):
    make_team(sessions, managers=("U0MGRONE", "U0MGRTWO"), now=LAST_WEEK - timedelta(days=30))
    run_week(
        sessions,
        survey="team-pulse",
        opened=LAST_WEEK,
        audience=MEMBERS,
        answers=scores(MEMBERS, alike(4, 5)),
    )

    result = runner.invoke(cli, ["digest", "send", "team-pulse"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "sent the team-pulse digest to U0MGRONE",
        "sent the team-pulse digest to U0MGRTWO",
    ]
    assert [post["channel"] for post in fake_slack.calls_to("chat.postMessage")] == ["U0MGRONE", "U0MGRTWO"]
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 2


def test_digest_send_without_a_survey_adds_the_organisation_for_admins(cli_env, fake_slack, sessions):
    make_team(sessions, managers=("U0MGRONE",), now=LAST_WEEK - timedelta(days=30))
    run_week(
        sessions,
        survey="team-pulse",
        opened=LAST_WEEK,
        audience=MEMBERS,
        answers=scores(MEMBERS, alike(4, 5)),
    )

    result = runner.invoke(cli, ["digest", "send"], env={**cli_env, "PULSEBOT_ADMINS": ADMIN})

    assert result.exit_code == 0, result.output
    assert "sent the organisation digest to U0ADMIN" in result.stdout


def test_digest_send_of_an_unknown_survey_says_so(cli_env):
    result = runner.invoke(cli, ["digest", "send", "nope"], env=cli_env)

    assert (result.exit_code, result.stderr.strip()) == (1, "pulsebot: There is no survey called “nope”.")
