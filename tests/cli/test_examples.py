"""The sample survey in the documentation (and in examples/) applies as it stands."""

from pathlib import Path

from typer.testing import CliRunner

from pulsebot.cli import cli

ROOT = Path(__file__).parents[2]


def test_the_documented_sample_is_the_example_file_and_it_applies(cli_env):
    example = ROOT / "examples" / "team-pulse.yml"
    assert example.read_text() in (ROOT / "docs" / "surveys.md").read_text()

    result = CliRunner().invoke(cli, ["survey", "apply", str(example)], env=cli_env)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "team-pulse: created"
