"""What a manager reads about their team's drivers: the digest, App Home, `pulsebot report` and
`pulsebot export --drivers`, under the same rules as the weekly figures."""

import csv
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from tests.attack_steps import every_view
from tests.conftest import MANAGER, PINNED_NOW
from tests.drivers.steps import library_run, library_team
from tests.drivers.test_driver_scores import favourable
from tests.pulse_data import people

pytestmark = pytest.mark.clock

runner = CliRunner()
NOW = PINNED_NOW
TEAM = people(6, "V")
BEFORE = {"customer": 4, "growth": 3, "autonomy": 3}
AFTER = {"customer": 3, "growth": 3, "autonomy": 4}


def support_team(sessions, comments=None) -> None:
    """Three drivers at two a pulse (N = 2): the last two weekly runs against the two before."""
    library_team(
        sessions,
        name="support",
        now=NOW - timedelta(days=60),
        library="[customer, growth, autonomy]",
        per_pulse=2,
        managers=(MANAGER,),
    )
    for weeks_ago, values in zip((4, 3, 2, 1), (BEFORE, BEFORE, AFTER, AFTER), strict=True):
        library_run(
            sessions,
            survey="support",
            opened=NOW - timedelta(weeks=weeks_ago),
            audience=TEAM,
            answers=favourable(values),
            comments=comments if weeks_ago <= 2 else None,
        )


def test_the_manager_sees_strongest_weakest_and_the_one_to_look_at_everywhere(
    sessions, slack, fake_slack, cli_env, tmp_path
):
    support_team(sessions)

    views = every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="support")

    for view in ("digest", "home"):
        assert (
            "Drivers over the last 2 pulses" in views[view] or "drivers over the last 2 pulses" in views[view]
        )
        assert "Strongest: Autonomy 4.0 ↑ 1.0" in views[view]
        assert "Look at: Customer enablement fell 1.0 to 3.0" in views[view]
    report = views["report"]
    assert "Drivers over the last 2 pulses" in report
    assert "Customer enablement │ 3.0 ↓ 1.0" in report
    assert "at least 6" in report


def test_export_writes_the_drivers_as_rows(sessions, cli_env, tmp_path):
    support_team(sessions)
    weeks, drivers = tmp_path / "weeks.csv", tmp_path / "drivers.csv"

    result = runner.invoke(
        cli, ["export", "support", "--csv", str(weeks), "--drivers", str(drivers)], env=cli_env
    )

    assert result.exit_code == 0, result.output
    assert "wrote 3 of 3 drivers" in result.stdout
    rows = list(csv.DictReader(drivers.read_text().splitlines()))
    by_driver = {row["driver"]: row for row in rows if not row["item"]}
    assert {d: (r["score"], r["change"], r["people"]) for d, r in by_driver.items()} == {
        "customer": ("3.00", "-1.0", "6"),
        "growth": ("3.00", "+0.0", "6"),
        "autonomy": ("4.00", "+1.0", "6"),
    }
    items = [row for row in rows if row["item"]]
    assert items and all(row["item"].startswith(row["driver"] + ".") for row in items)
    # The weekly file has a column per item a week asked, as for any question; the survey's own
    # current questions are the ones that always have one.
    header = weeks.read_text().splitlines()[0].split(",")
    assert "q_enps" in header


def test_export_of_drivers_for_a_survey_without_the_library_says_so_in_one_line(sessions, cli_env, tmp_path):
    from tests.pulse_data import make_team

    make_team(sessions, now=NOW)

    result = runner.invoke(
        cli,
        ["export", "team-pulse", "--csv", str(tmp_path / "w.csv"), "--drivers", str(tmp_path / "d.csv")],
        env=cli_env,
    )

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "pulsebot: “team-pulse” does not use the question library, so it has no driver scores (--drivers)"
    )


REFUND = "Our refund tool is broken."
OTHER = "Hard to get answers from billing this week."


def test_the_driver_to_look_at_says_what_its_comments_mention_most(
    sessions, slack, fake_slack, cli_env, tmp_path
):
    support_team(
        sessions,
        comments=lambda person, question: (
            (REFUND if person in TEAM[:3] else OTHER) if question.driver == "customer" else None
        ),
    )

    views = every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="support")

    for view in ("digest", "home"):
        assert (
            "Look at: Customer enablement fell 1.0 to 3.0; 3 of 6 comments mention refund tool" in views[view]
        )
