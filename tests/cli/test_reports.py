"""`pulsebot report` and `pulsebot export`: weekly figures in the terminal and as CSV, hidden weeks hidden."""

import csv
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.store.weeks import week_start
from tests.conftest import PINNED_NOW
from tests.pulse_data import alike, make_team, people, run_week, scores

pytestmark = pytest.mark.clock

runner = CliRunner()
NOW = PINNED_NOW
MEMBERS = people(6)


def three_weeks_one_hidden(sessions):
    make_team(sessions, now=NOW - timedelta(days=60))
    for weeks_ago, values in ((3, alike(4, 6)), (2, [5] * 3), (1, alike(3, 6))):
        run_week(
            sessions,
            survey="team-pulse",
            opened=NOW - timedelta(weeks=weeks_ago),
            audience=MEMBERS,
            answers=scores(MEMBERS, values),
            comments={MEMBERS[0]: "Secret-ish remark"} if weeks_ago == 2 else None,
        )


def test_report_prints_each_week_and_hides_the_small_one(cli_env, sessions):
    three_weeks_one_hidden(sessions)

    result = runner.invoke(cli, ["report", "team-pulse", "--weeks", "4"], env={**cli_env, "COLUMNS": "160"})

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("6 of 6 (100%)" in line and "4.0" in line for line in lines)
    assert any("hidden: fewer than 5 answered" in line for line in lines)
    assert any("3.0 ↓ 1.0" in line for line in lines)  # compared with the last shown week
    assert "5.0" not in result.stdout and "3 of 6" not in result.stdout
    assert "no pulse" in result.stdout  # the week before the first pulse; this week is not complete


def test_export_writes_weekly_aggregates_with_hidden_weeks_marked_and_empty(cli_env, sessions, tmp_path):
    three_weeks_one_hidden(sessions)
    target = tmp_path / "team.csv"

    result = runner.invoke(cli, ["export", "team-pulse", "--csv", str(target), "--weeks", "4"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert "wrote 4 weeks" in result.stdout and "(2 with figures)" in result.stdout
    rows = list(csv.DictReader(target.open()))
    # The four complete weeks, like the digest's: the one before the first pulse, and not this one.
    assert [row["status"] for row in rows] == ["no_data", "shown", "suppressed", "shown"]
    _, first, hidden, third = rows
    assert first["week_start"] == week_start((NOW - timedelta(weeks=3)).date()).isoformat()
    assert (first["respondents"], first["mood"], first["q_workload"]) == ("6", "4", "4")
    assert (third["mood"], third["mood_change"]) == ("3", "-1")
    figures = {
        key: value
        for key, value in hidden.items()
        if key not in ("survey", "week_start", "iso_week", "status")
    }
    assert set(figures.values()) == {""}  # no figure at all, and certainly no zero
    assert "Secret" not in target.read_text()
    assert set(rows[0]) >= {"respondents", "response_rate", "enps", "sentiment", "q_workload"}


def test_unknown_survey_and_unwritable_file_are_one_line_each(cli_env, sessions, tmp_path):
    three_weeks_one_hidden(sessions)

    unknown = runner.invoke(cli, ["report", "nope"], env=cli_env)
    unwritable = runner.invoke(
        cli, ["export", "team-pulse", "--csv", str(tmp_path / "missing" / "x.csv")], env=cli_env
    )

    assert (unknown.exit_code, unknown.stderr.strip()) == (1, "pulsebot: There is no survey called “nope”.")
    assert unwritable.exit_code == 1
    assert unwritable.stderr.startswith(f"pulsebot: {tmp_path / 'missing' / 'x.csv'}: cannot write the file")
