"""What a newcomer meets in their first hour at the shell: the version, readable help, plain refusals,
no stray database, and the same CSV columns before and after the first answers."""

import csv
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from pulsebot.cli import cli
from tests.conftest import PINNED_NOW
from tests.pulse_data import alike, make_team, people, run_week, scores

pytestmark = pytest.mark.clock

runner = CliRunner()
NOW = PINNED_NOW


def test_version_prints_the_installed_version():
    from importlib.metadata import version

    result = runner.invoke(cli, ["--version"])

    assert result.exit_code == 0
    assert result.stdout == f"pulsebot {version('pulsebot')}\n"


@pytest.mark.parametrize(
    ("command", "argument"),
    [
        (["report"], "[SURVEY]"),  # optional: `report --participation` covers every team
        (["export"], "SURVEY"),
        (["pulse", "send"], "SURVEY"),
        (["digest", "send"], "[SURVEY]"),
        (["forget"], "USER_ID"),
        (["survey", "apply"], "FILE"),
    ],
)
def test_arguments_are_named_alike_in_capitals(command, argument):
    result = runner.invoke(cli, [*command, "--help"], env={"COLUMNS": "120"})

    usage = next(line for line in result.stdout.splitlines() if "Usage:" in line)
    assert usage.split()[-1] == argument


@pytest.mark.parametrize("command", [["report", "team"], ["export", "team", "--csv", "x.csv"], ["audit"]])
def test_reading_commands_do_not_create_a_database(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(cli, command, env={"DATABASE_URL": "sqlite:///pulsebot.db"})

    assert result.exit_code == 1
    assert result.stderr == (
        f"pulsebot: no database at {tmp_path / 'pulsebot.db'} (DATABASE_URL); "
        "run `pulsebot db upgrade` first\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_channel_name_is_refused_asking_for_its_id(cli_env, tmp_path):
    survey = tmp_path / "team.yml"
    survey.write_text(
        'name: team\nchannel: "#support"\n'
        "questions:\n  - key: mood\n    kind: scale\n    prompt: How was it?\n"
    )

    result = runner.invoke(cli, ["survey", "apply", str(survey)], env=cli_env)

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"pulsebot: {survey}:2: channel: “#support” is not a channel id: use the channel id (C…/G…)"
    )


def _export(cli_env, target):
    result = runner.invoke(cli, ["export", "team-pulse", "--csv", str(target), "--weeks", "4"], env=cli_env)
    assert result.exit_code == 0, result.output
    with target.open(newline="") as handle:
        return csv.DictReader(handle).fieldnames


def test_an_unanswered_survey_exports_the_header_of_an_answered_one(cli_env, sessions, tmp_path):
    make_team(sessions, now=NOW - timedelta(days=60))
    empty = _export(cli_env, tmp_path / "empty.csv")
    members = people(6)
    run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(weeks=1),
        audience=members,
        answers=scores(members, alike(4, 6)),
    )

    answered = _export(cli_env, tmp_path / "answered.csv")

    assert empty == answered
    assert {"q_workload", "q_enps", "q_focus"} <= set(answered)


def test_report_and_export_cover_the_complete_weeks_like_the_digest(cli_env, sessions, tmp_path):
    wednesday = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    make_team(sessions, now=wednesday - timedelta(days=60))
    target = tmp_path / "weeks.csv"

    with freeze_time(wednesday):
        result = runner.invoke(
            cli, ["export", "team-pulse", "--csv", str(target), "--weeks", "3"], env=cli_env
        )

    assert result.exit_code == 0, result.output
    with target.open(newline="") as handle:
        starts = [row["week_start"] for row in csv.DictReader(handle)]
    assert starts == ["2026-11-02", "2026-11-09", "2026-11-16"]  # not the week of the 23rd, still going


def test_db_upgrade_says_what_it_created_migrated_or_found_current(tmp_path):
    from alembic import command

    from pulsebot.store import migrate
    from pulsebot.store.db import make_engine

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    where = f"sqlite:///{tmp_path / 'fresh.db'}"
    head = migrate.current_revision  # read back after each step

    created = runner.invoke(cli, ["db", "upgrade"], env=env)
    engine = make_engine(where)
    latest = head(engine)
    again = runner.invoke(cli, ["db", "upgrade"], env=env)
    config = migrate.alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    previous = head(engine)
    migrated = runner.invoke(cli, ["db", "upgrade"], env=env)
    engine.dispose()

    assert created.exit_code == again.exit_code == migrated.exit_code == 0
    tables = created.stdout.split()[2]
    assert int(tables) >= 20
    assert created.stdout == (
        f"created pulsebot's {tables} tables in the database at {where} (schema revision {latest})\n"
    )
    assert again.stdout == f"the database at {where} is up to date (schema revision {latest})\n"
    assert migrated.stdout == (
        f"migrated the database at {where} from schema revision {previous} to {latest}\n"
    )
