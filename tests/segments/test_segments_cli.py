"""`pulsebot segments`: a released period's segments × measures in the terminal and as CSV, hidden cells as
— with why, and who stands out only where the gap is beyond its noise."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from tests.segments.segment_data import june_organisation, release

pytestmark = pytest.mark.clock

runner = CliRunner()


def pulsebot(cli_env, *args: str):
    return runner.invoke(cli, list(args), env={**cli_env, "COLUMNS": "200"})


def row_of(output: str, segment: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(f"│ {segment} "))
    return [cell.strip() for cell in line.strip("│").split("│")]


def test_the_latest_period_by_department_with_hidden_cells_and_who_stands_out(sessions, cli_env):
    june_organisation(sessions)
    release(sessions)

    result = pulsebot(cli_env, "segments")

    assert result.exit_code == 0, result.output
    assert "Segments by department, June 2027 (released 2 Jul 2027)" in result.stdout
    assert row_of(result.stdout, "Sales") == ["Sales", "11", "100%", "4.5", "3.5", "+45"]
    assert row_of(result.stdout, "Engineering") == ["Engineering", "9", "90%", "1.6", "3.4", "-33"]
    # Legal and Finance (3 people each): every cell a dash with its reason, and no figure anywhere.
    assert row_of(result.stdout, "Legal") == ["Legal"] + ["— too few"] * 5
    assert row_of(result.stdout, "Finance") == ["Finance"] + ["— too few"] * 5
    assert "fewer than 5 people answered" in result.stdout
    # Manager support: 4.5 against 1.6 is far beyond the noise of 11 and 9 people; colleagues' 3.4–3.6 is not.
    assert "Manager support: strongest Sales (4.5), weakest Engineering (1.6)" in result.stdout
    assert "No segment stands out on Colleagues: every gap there is within its noise." in result.stdout


def test_a_crossing_and_a_named_period_as_csv(sessions, cli_env, tmp_path):
    june_organisation(sessions)
    release(sessions)
    written = tmp_path / "segments.csv"

    result = pulsebot(
        cli_env, "segments", "--by", "department x tenure", "--period", "2027-06", "--csv", str(written)
    )

    assert result.exit_code == 0, result.output
    assert "Segments by department × tenure, June 2027" in result.stdout
    rows = {(row["segment"], row["measure"]): row for row in csv.DictReader(written.read_text().splitlines())}
    assert f"wrote {len(rows)} figures to {written}" in result.stdout
    five = rows["Sales × 1–2 years", "manager"]
    assert (five["period"], five["people"], five["answers"], five["value"], five["hidden"]) == (
        "2027-06",
        "5",
        "5",
        "4.8000",
        "",
    )
    hidden = [row for (segment, _), row in rows.items() if segment == "Sales × < 3 months"]
    assert [
        (row["measure"], row["people"], row["answers"], row["value"], row["hidden"]) for row in hidden
    ] == [("respondents", "", "", "", "too few")]


def test_wrong_tables_and_periods_are_named_in_one_line(sessions, cli_env):
    result = pulsebot(cli_env, "segments")
    assert result.exit_code == 1
    assert result.stderr.startswith("pulsebot: No period's segments are released yet")

    june_organisation(sessions)
    release(sessions)

    result = pulsebot(cli_env, "segments", "--by", "shoe size")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(
        "pulsebot: --by: 2027-06 has no segments by “shoe size”; it has: department,"
    )
    result = pulsebot(cli_env, "segments", "--period", "2027-05")
    assert (result.exit_code, result.stderr.strip()) == (
        1,
        "pulsebot: No segments are released for 2027-05 (released: 2027-06).",
    )


def test_a_minimum_raised_since_the_release_hides_more_at_once(sessions, cli_env):
    june_organisation(sessions)
    release(sessions)

    result = pulsebot({**cli_env, "PULSEBOT_MIN_GROUP": "8"}, "segments")

    assert result.exit_code == 0, result.output
    assert row_of(result.stdout, "Support") == ["Support"] + ["— too few"] * 5  # 7 answered
    assert row_of(result.stdout, "Sales")[:2] == ["Sales", "11"]
    assert "— too few: fewer than 8 people answered" in result.stdout
