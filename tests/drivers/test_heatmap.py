"""The organisation's drivers for admins: the heatmap (PNG in the admin's digest DM, `pulsebot heatmap`
as PNG and CSV) with hidden cells grey and labelled, and "what moves eNPS" once there is enough data."""

import csv
import struct
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.heatmap_chart import heatmap_figure, heatmap_png
from pulsebot.services.results.heatmap import Cell, CellStatus, Heatmap, what_moves_enps
from pulsebot.services.survey.library import engagement_library
from pulsebot.store.db import transaction
from tests.conftest import ADMIN, PINNED_NOW
from tests.drivers.steps import alike_for, library_run, library_team
from tests.pulse_data import people

pytestmark = pytest.mark.clock

runner = CliRunner()
NOW = PINNED_NOW


def answers_scoring(value: int, enps: int):
    """The drivers' items average `value`; eNPS: three people 6, 8 and 10, the others `enps`."""

    def answer(person, question):
        if question.driver is None:
            return {0: 6, 1: 8, 2: 10}.get(int(person[-3:]), enps)
        answered = alike_for(person, value)
        return 6 - answered if question.reversed else answered

    return answer


def teams_with_enps(sessions, teams: int) -> None:
    """`teams` teams of two drivers and eNPS, three pulses each: 3 × `teams` team-windows (two drivers at
    two a pulse, N = 1: every run is a window)."""
    for number in range(teams):
        name = f"t{number}"
        library_team(
            sessions,
            name=name,
            now=NOW - timedelta(days=60),
            library="[customer, growth]",
            per_pulse=2,
            channel=f"G0ENPS{number}",
        )
        for week, value in enumerate((2, 3, 4)):
            score = 2 + (value + number) % 3
            library_run(
                sessions,
                survey=name,
                opened=NOW - timedelta(weeks=3 - week),
                audience=people(6, f"E{number}"),
                answers=answers_scoring(score, enps=2 * score + 2),
            )


def three_teams(sessions) -> None:
    """north and south are shown; east's last pulse had four people, so its cells are hidden."""
    for code, (name, drivers, size) in enumerate(
        (("north", "[customer, growth]", 6), ("south", "[customer, workload]", 6), ("east", "[customer]", 4))
    ):
        library_team(
            sessions,
            name=name,
            now=NOW - timedelta(days=30),
            library=drivers,
            per_pulse=1 + (code < 2),
            channel=f"G0HEAT{code}",
        )
        library_run(
            sessions,
            survey=name,
            opened=NOW - timedelta(days=8),
            audience=people(size, name[0].upper()),
            answers=answers_scoring(4 - code, 9),
        )


def test_the_heatmap_grid_as_csv_and_png_with_hidden_cells_labelled(sessions, cli_env, tmp_path):
    three_teams(sessions)
    png, table = tmp_path / "drivers.png", tmp_path / "drivers.csv"

    result = runner.invoke(cli, ["heatmap", "--png", str(png), "--csv", str(table)], env=cli_env)

    assert result.exit_code == 0, result.output
    assert "3 teams × 3 drivers: 4 cells shown" in result.stdout
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    cells = {(row["team"], row["driver"]): row for row in csv.DictReader(table.read_text().splitlines())}
    assert (cells["north", "customer"]["status"], cells["north", "customer"]["score"]) == ("shown", "4.00")
    assert (cells["south", "workload"]["score"], cells["south", "workload"]["people"]) == ("3.00", "6")
    hidden = cells["east", "customer"]
    assert (hidden["status"], hidden["score"], hidden["people"]) == ("suppressed", "", "")
    assert cells["north", "workload"]["status"] == "not_asked"
    assert "Not enough data yet" in result.stdout


def test_the_admin_s_organisation_digest_carries_the_heatmap_and_what_moves_enps(sessions, slack, fake_slack):
    three_teams(sessions)

    slack.command("/pulse", "digest", user=ADMIN)

    asked = fake_slack.wait_for("files.getUploadURLExternal", 1)
    assert any(call["filename"].startswith("drivers-") for call in asked)
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert "What moves eNPS" in str(post["blocks"])
    assert "Not enough data yet" in str(post["blocks"])


def two_thousand_teams() -> Heatmap:
    """Team n scores 1 + ((n × 7919) mod 2000) / 500 on every driver of the library, shown on the even
    drivers and, when n is even, on the odd ones too (hidden otherwise); every tenth team has every cell
    hidden."""
    drivers = engagement_library().driver_ids
    teams = tuple((f"team-{n:04d}", f"Team {n:04d}") for n in range(2000))
    cells = {}
    for n, (name, _title) in enumerate(teams):
        shown = Cell(CellStatus.shown, score=1 + (n * 7919 % 2000) / 500, people=6)
        for index, driver in enumerate(drivers):
            visible = n % 10 and (index % 2 == 0 or n % 2 == 0)
            cells[name, driver] = shown if visible else Cell(CellStatus.suppressed)
    return Heatmap(drivers=drivers, teams=teams, cells=cells, through=NOW.date())


def test_the_heatmap_of_two_thousand_teams_shows_the_thirty_at_both_ends_in_a_picture_of_bounded_size():
    grid = two_thousand_teams()
    ranked = sorted(
        (1 + (n * 7919 % 2000) / 500, f"Team {n:04d}") for n in range(2000) if n % 10
    )  # each drawn team's average of its shown cells is its score; a team with none shown has none
    expected = [title for _, title in ranked[:20] + ranked[-10:]]

    png = heatmap_png(grid, min_group=5)
    rows = [label.get_text() for label in heatmap_figure(grid, min_group=5).axes[0].get_yticklabels()]

    width, height = struct.unpack(">II", png[16:24])  # the PNG's header: its size in pixels
    assert width <= 1500 and height <= 1500  # what 30 rows take; 2,000 rows were 64,000 pixels tall
    assert rows == expected
    assert "Team 0000" not in rows  # all its cells hidden: never picked, at either end


@pytest.mark.parametrize(("teams", "enough"), [(7, True), (6, False)])
def test_what_moves_enps_needs_twenty_team_windows_and_gives_its_sample_size(sessions, teams, enough):
    teams_with_enps(sessions, teams)

    with transaction(sessions) as session:
        result = what_moves_enps(session, min_group=5, through=NOW.date())

    assert result.team_windows == 3 * teams
    if enough:
        assert [link.team_windows for link in result.links] == [21, 21]
        assert result.links[0].correlation > 0.8
    else:
        assert result.links == ()
