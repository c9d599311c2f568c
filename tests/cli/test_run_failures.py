"""`pulsebot run` stops with one line naming the cause, and changes nothing, when it cannot start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from pulsebot.cli import cli
from tests.conftest import PG_URL

runner = CliRunner()
FORMS = "use sqlite:///path/to/pulsebot.db or postgresql://user:password@host:5432/database"


def one_line(result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_slack_unreachable_is_one_line_and_no_database_is_created(cli_env, tmp_path):
    database = tmp_path / "fresh.db"
    env = {**cli_env, "SLACK_API_URL": "http://127.0.0.1:1/api/", "DATABASE_URL": f"sqlite:///{database}"}

    line = one_line(runner.invoke(cli, ["run"], env=env))

    assert line.startswith("pulsebot: cannot reach Slack at http://127.0.0.1:1/api/ (")
    assert line.endswith("; nothing was changed")
    assert not database.exists()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("nonsense", "is not a database URL"),
        ("mysql://pulse:hunter2@db.example/pulse", "a mysql:// database is not supported"),
        ("sqlite://", "names no database"),
    ],
)
def test_a_malformed_or_unsupported_database_url_is_one_line_without_its_password(cli_env, url, why):
    line = one_line(runner.invoke(cli, ["run"], env={**cli_env, "DATABASE_URL": url}))

    assert line == f"pulsebot: DATABASE_URL: {why}; {FORMS}"
    assert "hunter2" not in line


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
def test_a_postgresql_database_that_does_not_exist_is_named(cli_env, fake_slack):
    missing = make_url(PG_URL).set(database="pulsebot_no_such_database")
    env = {**cli_env, "DATABASE_URL": missing.render_as_string(hide_password=False)}

    line = one_line(runner.invoke(cli, ["run"], env=env))

    assert line.startswith('pulsebot: the database "pulsebot_no_such_database" does not exist on ')
    assert "createdb pulsebot_no_such_database" in line


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
def test_a_postgresql_user_that_does_not_exist_is_named_not_the_database(cli_env, fake_slack):
    stranger = make_url(PG_URL).set(username="pulsebot_no_such_user", password=None)
    env = {**cli_env, "DATABASE_URL": stranger.render_as_string(hide_password=False)}

    line = one_line(runner.invoke(cli, ["run"], env=env))

    assert line.startswith(
        "pulsebot: cannot reach the database at postgresql+psycopg://pulsebot_no_such_user@"
    )
    assert line.endswith('(DATABASE_URL): role "pulsebot_no_such_user" does not exist')
    assert "createdb" not in line


def test_every_missing_setting_is_named_at_once(settings):
    env = {"DATABASE_URL": settings.database_url, "SLACK_API_URL": settings.slack_api_url}
    line = one_line(runner.invoke(cli, ["run"], env=env))
    assert line == "pulsebot: SLACK_BOT_TOKEN, PULSEBOT_ANON_KEY, SLACK_SIGNING_SECRET are not set"


def test_a_port_already_taken_is_one_line_before_anything_is_created(cli_env, tmp_path, caplog):
    database = tmp_path / "fresh.db"
    env = {**cli_env, "DATABASE_URL": f"sqlite:///{database}"}
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line(runner.invoke(cli, ["run"], env={**env, "PULSEBOT_PORT": str(port)}))

    assert line == f"pulsebot: cannot listen on port {port} (PULSEBOT_PORT): Address already in use"
    assert not database.exists()
    assert not [record for record in caplog.records if record.name.startswith(("alembic", "apscheduler"))]


def test_metrics_open_to_other_machines_without_a_token_is_one_line(cli_env, tmp_path):
    database = tmp_path / "fresh.db"
    env = {**cli_env, "PULSEBOT_METRICS_HOST": "0.0.0.0", "PULSEBOT_METRICS_PORT": "9464"}

    line = one_line(runner.invoke(cli, ["run"], env={**env, "DATABASE_URL": f"sqlite:///{database}"}))

    assert line == (
        "pulsebot: PULSEBOT_METRICS_HOST is 0.0.0.0, reachable from other machines: set "
        "PULSEBOT_METRICS_TOKEN (16+ characters) for Prometheus to send as a bearer token, or leave the "
        "host at 127.0.0.1"
    )
    assert not database.exists()


def test_a_metrics_port_taken_is_one_line(cli_env, fake_slack):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line(runner.invoke(cli, ["run"], env={**cli_env, "PULSEBOT_METRICS_PORT": str(port)}))

    assert line.startswith(f"pulsebot: cannot serve metrics on 127.0.0.1:{port} (PULSEBOT_METRICS_HOST, ")


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
def test_a_missing_test_database_stops_the_suite_with_one_line():
    """Every PostgreSQL case would otherwise fail with the same traceback."""
    url = make_url(PG_URL).set(database="pulsebot_no_such_test_database")
    missing = url.render_as_string(hide_password=False)
    env = {**os.environ, "PULSEBOT_TEST_DATABASE_URL": missing, "PYTHONPATH": os.pathsep.join(sys.path)}
    this_test = f"{__file__}::test_every_missing_setting_is_named_at_once"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", this_test]

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert finished.returncode == 4
    assert "Traceback" not in finished.stdout + finished.stderr
    assert 'pulsebot: the database "pulsebot_no_such_test_database" does not exist on ' in finished.stdout
