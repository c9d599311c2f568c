"""The shell conventions every command follows: a usage mistake is one `pulsebot:` line and exit status
2, a failure one line and 1; `--help` reads as sentences; tables fit the terminal by wrapping."""

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from tests.conftest import PULSE_CHANNEL, SCALE_SURVEY

runner = CliRunner()


@pytest.mark.parametrize(
    ("command", "line"),
    [
        (["nosuch"], "pulsebot: no such command 'nosuch'; see `pulsebot --help`"),
        (["forget"], "pulsebot: missing argument 'USER_ID'; see `pulsebot forget --help`"),
        (["audit", "--bogus"], "pulsebot: no such option: --bogus; see `pulsebot audit --help`"),
        (["survey", "apply"], "pulsebot: missing argument 'FILE'; see `pulsebot survey apply --help`"),
        (
            ["audit", "--since", "yesterday"],
            "pulsebot: --since: “yesterday” is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01",
        ),
        (
            ["actions", "--status", "open"],
            "pulsebot: --status: “open” is not a status; use one of: planned, in-progress, done, dropped",
        ),
        (
            ["report", "team-pulse", "--participation"],
            "pulsebot: --participation covers every team: leave SURVEY out",
        ),
        (
            ["forget", "alice"],
            "pulsebot: USER_ID: “alice” is not a Slack user id; they look like U0123ABCD or W0123ABCD",
        ),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_status_2(cli_env, command, line):
    result = runner.invoke(cli, command, env=cli_env)

    assert (result.exit_code, result.stderr) == (2, line + "\n")
    assert result.stdout == ""


def test_a_value_of_the_wrong_type_is_one_line_naming_the_option(cli_env):
    result = runner.invoke(cli, ["export", "team-pulse", "--weeks", "abc"], env=cli_env)

    assert result.exit_code == 2
    assert result.stderr.startswith("pulsebot: invalid value for '--weeks': ")
    assert result.stderr.count("\n") == 1


def test_a_failure_is_one_line_and_exit_status_1(cli_env):
    result = runner.invoke(cli, ["actions", "no-such-team"], env=cli_env)

    assert (result.exit_code, result.stderr) == (
        1,
        "pulsebot: SURVEY: there is no survey called “no-such-team”\n",
    )


def test_help_shows_no_types_and_whole_sentences():
    top = runner.invoke(cli, ["--help"], env={"COLUMNS": "200"})
    forget = runner.invoke(cli, ["forget", "--help"], env={"COLUMNS": "200"})
    run = runner.invoke(cli, ["run", "--help"], env={"COLUMNS": "200"})

    for result in (top, forget, run):
        assert result.exit_code == 0
        assert "<bool>" not in result.stdout and "<str>" not in result.stdout and "{" not in result.stdout
    # a summary in the list of commands is not broken where its docstring wraps
    assert "the records of the pulses sent to them, their votes, their name on their ideas" in top.stdout
    assert "what will be done, owner, due date, status." in top.stdout
    assert "--yes" in forget.stdout
    for setting in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PULSEBOT_ANON_KEY", "DATABASE_URL"):
        assert setting in run.stdout


def columns(table: str, border: str) -> list[str]:
    """Each column's text, read down the rows drawn with `border`, its line breaks taken out."""
    rows = [line.split(border)[1:-1] for line in table.splitlines() if line.startswith(border)]
    return ["".join(row[index].strip() for row in rows) for index in range(len(rows[0]))]


def test_a_table_wider_than_the_terminal_wraps_rather_than_cutting_words(tmp_path, cli_env):
    survey = tmp_path / "team.yml"
    survey.write_text(SCALE_SURVEY.format(channel=PULSE_CHANNEL))
    runner.invoke(cli, ["survey", "apply", str(survey)], env=cli_env)

    result = runner.invoke(cli, ["survey", "list"], env={**cli_env, "COLUMNS": "80"})

    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "…" not in result.stdout
    headers = ["name", "title", "channel", "delivery", "schedule", "timezone", "questions", "state"]
    assert columns(result.stdout, "┃") == headers
    values = ["team-pulse", "Weeklyteampulse", PULSE_CHANNEL, "channel", "-", "Europe/Berlin", "1", "active"]
    assert columns(result.stdout, "│") == values
