"""The sample survey in the documentation (and in examples/) applies as it stands."""

from pathlib import Path

from typer.testing import CliRunner

from pulsebot.cli import cli

ROOT = Path(__file__).parents[2]


def test_the_documented_sample_is_the_example_file_and_it_applies(cli_env, fake_slack):
    example = ROOT / "examples" / "team-pulse.yml"
    assert example.read_text() in (ROOT / "docs" / "surveys.md").read_text()
    fake_slack.add_channel("G0123ABCD", ["U0ALICE", "U0BOB"])  # its manager, U0123MGR, is not in it

    result = CliRunner().invoke(cli, ["survey", "apply", str(example)], env=cli_env)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "team-pulse: created"


def test_applying_when_slack_cannot_show_the_channel_says_so_in_one_line(cli_env):
    example = ROOT / "examples" / "team-pulse.yml"

    result = CliRunner().invoke(cli, ["survey", "apply", str(example)], env=cli_env)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "team-pulse: created",
        "team-pulse: could not read G0123ABCD's members to check for its managers (channel_not_found)",
    ]
