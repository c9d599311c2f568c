"""`pulsebot demo`: a real digest from simulated answers, written to a folder, with no Slack at all."""

import csv
import json
import re
import shlex
import sys
from pathlib import Path

from typer.testing import CliRunner

from pulsebot.cli import cli

runner = CliRunner()


def test_demo_writes_block_kit_a_png_chart_and_text(tmp_path):
    folder = tmp_path / "out"

    result = runner.invoke(cli, ["demo", "--out", str(folder)], env={"PATH": ""})

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Customer Support pulse: week of")
    # the work of a minute shows its progress, apart from the digest on standard output
    steps = result.stderr.splitlines()
    assert steps[0] == "creating the simulated team's database…"
    assert [step for step in steps if step.startswith("simulating week")] == [
        f"simulating week {week} of 12: 40 people asked…" for week in range(1, 13)
    ]
    assert steps[-1] == "writing the digest, its chart and the heatmap…"
    assert sorted(path.name for path in folder.iterdir()) == [
        "digest.json",
        "digest.txt",
        "heatmap.csv",
        "heatmap.png",
        "pulse.json",
        "segments.csv",
        "segments.png",
        "segments.txt",
        "team-channel.txt",
        "trend.png",
    ]
    message = json.loads((folder / "digest.json").read_text())
    assert message["blocks"][0]["type"] == "header"
    assert (folder / "trend.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    text = (folder / "digest.txt").read_text()
    assert "hidden: fewer than 5 answered" in text  # the holiday week
    assert "Mood fell" in text and "comments mention" in text
    # The team's pulse rotates through the library: its drivers are in the digest.
    assert "Drivers over the last 4 pulses" in text and "Look at: Customer enablement fell" in text
    assert (folder / "heatmap.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    cells = list(csv.DictReader((folder / "heatmap.csv").read_text().splitlines()))
    assert len({row["team"] for row in cells}) == 5
    # Every row named alike, by its survey's title, as the organisation's digest lists the teams.
    assert sorted({row["title"] for row in cells}) == [
        "Billing pulse",
        "Customer Support pulse",
        "Legal pulse",
        "Logistics pulse",
        "Onboarding pulse",
    ]
    assert {row["status"] for row in cells if row["team"] == "legal"} == {"suppressed"}  # four people
    # Closing the loop: the clinic on the weakest driver, its trend, and what the team said of it.
    assert "“Refund-tool clinic every Thursday” · about Customer enablement · in progress" in text
    assert "Since it started on" in text and "Customer enablement went" in text
    assert "Is this helping? 22 answered: 8 yes, 11 not yet, 3 no." in text
    # Last month's segments (whichever month that is today), released like a real workspace's: by
    # department, Legal's four generalised away; a hidden segment keeps only its reason.
    segments = (folder / "segments.txt").read_text()
    assert re.match(r"Segments by department, \w+ \d{4} \(released ", segments)
    assert "Customer Service" in segments and "not recorded" in segments
    assert "Segments by department" in result.stdout
    assert (folder / "segments.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    figures = list(csv.DictReader((folder / "segments.csv").read_text().splitlines()))
    assert all(row["hidden"] == "" for row in figures if row["segment"] == "Customer Service")
    for row in figures:
        assert row["hidden"] in ("", "too few", "remainder", "overlap", "secondary", "audit")
        assert not row["hidden"] or (row["people"], row["answers"], row["value"]) == ("", "", "")
    assert "Your reporting line, " in text  # the support team's manager's line
    channel = (folder / "team-channel.txt").read_text()
    assert "What we will do\n• Refund-tool clinic every Thursday" in channel
    assert "• Weakest: Customer enablement" in channel and "In your words" not in channel
    assert "You said, we did:" in channel and "“Fair rotation of the weekend shifts”" in channel


def test_demo_keeps_its_database_on_request_and_the_report_agrees_with_its_digest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [".venv/bin/pulsebot", "demo"])  # as the README starts it

    result = runner.invoke(cli, ["demo", "--keep"], env={"PATH": ""})  # into demo-output/, as documented

    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo-output" / "demo.db").is_file()
    database = "DATABASE_URL=sqlite:///demo-output/demo.db"
    assert f"  {database} .venv/bin/pulsebot report support-team\n" in result.stdout
    report = runner.invoke(
        cli,
        ["report", "support-team"],
        env={"DATABASE_URL": "sqlite:///demo-output/demo.db", "COLUMNS": "160"},
    )
    assert report.exit_code == 0, report.output
    # The report's last week is the digest's week, with the same figures and the same arrows.
    digest = (tmp_path / "demo-output" / "digest.txt").read_text()
    mood = next(line for line in digest.splitlines() if line.startswith("  Mood (1–5)")).split(maxsplit=2)[2]
    week = digest.splitlines()[0].split("week of ")[1].split("–")[0]
    weekly = report.stdout.split("Questions, week of")[0]  # the drivers' table follows the questions
    last_row = [line for line in weekly.splitlines() if line.startswith("│")][-1]
    assert last_row.split("│")[1].strip().startswith(week.split()[0])
    assert last_row.split("│")[3].strip() == mood
    # Getting started's commands on the kept database, as written there.
    for command in getting_started_exploration():
        assignment, program, *arguments = shlex.split(command)
        name, value = assignment.split("=", 1)
        assert program == ".venv/bin/pulsebot", command
        explored = runner.invoke(cli, arguments, env={name: value, "COLUMNS": "160"})
        assert explored.exit_code == 0, (command, explored.output)
    assert (tmp_path / "support-team.csv").read_text().startswith("survey,week_start,")
    # The week the team's channel shows as shared is recorded as shared, as the real button records it.
    kept = {"DATABASE_URL": "sqlite:///demo-output/demo.db", "COLUMNS": "200"}
    participation = runner.invoke(cli, ["report", "--participation"], env=kept)
    assert participation.exit_code == 0, participation.output
    assert "No team has shared" not in participation.stdout
    support = next(line for line in participation.stdout.splitlines() if "Customer Support" in line)
    assert f"week of {week.split()[0]} " in support


def getting_started_exploration() -> list[str]:
    """The commands docs/getting-started.md gives to run on the demo's kept database."""
    page = (Path(__file__).parents[2] / "docs" / "getting-started.md").read_text()
    commands = [
        line.split("  #")[0].strip() for line in page.splitlines() if line.startswith("DATABASE_URL=")
    ]
    assert len(commands) >= 2
    return commands


def test_demo_in_german_asks_the_team_in_german_and_leaves_their_comments_sentiment_out(tmp_path):
    folder = tmp_path / "out"

    result = runner.invoke(cli, ["demo", "--out", str(folder), "--language", "de"], env={"PATH": ""})

    assert result.exit_code == 0, result.output
    pulse = json.loads((folder / "pulse.json").read_text())
    assert pulse["text"] == "Customer Support pulse: eine kurze anonyme Umfrage"
    headings = [block["text"]["text"] for block in pulse["blocks"] if block["type"] == "section"]
    assert "*1. Meine Arbeitsmenge war diese Woche gut zu bewältigen.*" in headings
    assert all("How likely" not in heading for heading in headings)
    # The comments are German: no score from an English model, and no English themes made of them.
    assert "sentiment is not computed for comments in other languages" in result.stdout
    assert "comments mention" not in result.stdout


def test_demo_refuses_a_language_it_does_not_speak_in_one_line(tmp_path):
    result = runner.invoke(cli, ["demo", "--out", str(tmp_path), "--language", "xx"], env={"PATH": ""})

    assert result.exit_code != 0
    assert "--language xx: pulsebot speaks en, de, fr, es" in result.output
