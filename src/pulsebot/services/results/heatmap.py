"""The organisation's drivers for admins: a teams × drivers grid (the heatmap) and "what moves eNPS".

Every cell is a team's own driver figure as its managers see it (services/results/drivers.py): a hidden
one stays hidden, labelled as such, never zero, and the grid adds nothing the teams' own views do not
show.

A picture of more than DRAWN_ROWS teams cannot be read in a DM (2,000 rows are a PNG 64,000 pixels
tall, and took 53 s to draw), so a larger organisation's picture shows the teams at both ends: those with
the lowest average of their shown driver scores, and those with the highest (`drawn_teams`). The choice
reads only shown cells, so it tells nothing a full grid would not; every team stays in the CSV.

"What moves eNPS" correlates, across every team's recent windows, each driver's score with the eNPS of
the same team and window, using only figures that are shown. It is given only once at least
MIN_TEAM_WINDOWS such pairs exist, with its sample size, and says what it means and what it does not.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from pulsebot.collector import collector_paused
from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.results.drivers import DriverScores, driver_scores, team_windows
from pulsebot.services.results.released_figures import ReleasedFigures
from pulsebot.services.survey.library import driver_name, engagement_library

MIN_TEAM_WINDOWS = 20
DRAWN_ROWS = 30  # the most teams a picture of the grid shows
DRAWN_LOWEST = 20  # of them, those with the lowest average driver score; the rest the highest
HISTORY_WINDOWS = 8  # how many windows back each team contributes to "what moves eNPS"


class CellStatus(enum.StrEnum):
    shown = "shown"
    suppressed = "suppressed"  # asked, but too few answered
    not_asked = "not_asked"  # the team's survey does not rotate through this driver


@dataclass(frozen=True)
class Cell:
    status: CellStatus
    score: float | None = None
    people: int | None = None


@dataclass(frozen=True)
class Heatmap:
    drivers: tuple[str, ...]  # driver ids, library order
    teams: tuple[tuple[str, str], ...]  # (survey name, title), by title
    cells: dict[tuple[str, str], Cell]  # (survey name, driver)
    through: date

    @property
    def shown_cells(self) -> int:
        return sum(cell.status is CellStatus.shown for cell in self.cells.values())


def heatmap(scores: DriverScores, *, through: date) -> Heatmap:
    used = {d.driver for team in scores.teams.values() for d in team.drivers}
    drivers = tuple(driver for driver in engagement_library().driver_ids if driver in used)
    teams = tuple(sorted(((name, t.title) for name, t in scores.teams.items()), key=lambda nt: nt[1]))
    cells = {}
    for name, team in scores.teams.items():
        by_driver = {d.driver: d for d in team.drivers}
        for driver in drivers:
            score = by_driver.get(driver)
            if score is None:
                cells[name, driver] = Cell(CellStatus.not_asked)
            elif not score.shown:
                cells[name, driver] = Cell(CellStatus.suppressed)
            else:
                cells[name, driver] = Cell(CellStatus.shown, score=score.score, people=score.people)
    return Heatmap(drivers=drivers, teams=teams, cells=cells, through=through)


@dataclass(frozen=True)
class DrawnTeams:
    teams: tuple[tuple[str, str], ...]  # (survey name, title), lowest average first
    of: int  # every team of the grid
    lowest: int  # how many of `teams` were picked as the lowest (the rest as the highest)

    @property
    def all(self) -> bool:
        return len(self.teams) == self.of


def drawn_teams(grid: Heatmap, *, rows: int = DRAWN_ROWS, lowest: int = DRAWN_LOWEST) -> DrawnTeams:
    """The teams a picture of the grid shows: all of them up to `rows`, otherwise the `lowest` with the
    lowest average of their shown driver scores and the rest of `rows` with the highest (a team with no
    shown cell has no average and is left out). Ties go by title."""
    if len(grid.teams) <= rows:
        return DrawnTeams(teams=grid.teams, of=len(grid.teams), lowest=0)
    averages = []
    for name, title in grid.teams:
        scores = [grid.cells[name, driver].score for driver in grid.drivers]
        shown = [score for score in scores if score is not None]
        if shown:
            averages.append((sum(shown) / len(shown), title, name))
    averages.sort()
    low = averages[:lowest]
    high = averages[max(lowest, len(averages) - (rows - lowest)) :]
    return DrawnTeams(
        teams=tuple((name, title) for _, title, name in low + high), of=len(grid.teams), lowest=len(low)
    )


def organisation_heatmap(session: Session, *, min_group: int, through: date) -> Heatmap:
    return heatmap(driver_scores(session, min_group=min_group, through=through), through=through)


HEATMAP_COLUMNS = ("team", "title", "driver", "status", "score", "people")


def heatmap_rows(grid: Heatmap) -> tuple[list[str], list[dict[str, str]]]:
    rows = []
    for name, title in grid.teams:
        for driver in grid.drivers:
            cell = grid.cells[name, driver]
            rows.append(
                {
                    "team": name,
                    "title": title,
                    "driver": driver,
                    "status": cell.status.value,
                    "score": "" if cell.score is None else f"{cell.score:.2f}",
                    "people": "" if cell.people is None else str(cell.people),
                }
            )
    return list(HEATMAP_COLUMNS), rows


@dataclass(frozen=True)
class EnpsLink:
    driver: str
    name: str
    correlation: float  # Pearson's r between the driver's score and eNPS, −1 … 1
    team_windows: int  # the sample size


@dataclass(frozen=True)
class EnpsDrivers:
    team_windows: int  # windows with a shown eNPS
    links: tuple[EnpsLink, ...]  # drivers with at least MIN_TEAM_WINDOWS pairs, strongest link first

    @property
    def enough(self) -> bool:
        return bool(self.links)


@collector_paused()  # eight windows of every team: hundreds of thousands of small objects (collector.py)
def what_moves_enps(
    session: Session, *, min_group: int, through: date, figures: ReleasedFigures | None = None
) -> EnpsDrivers:
    """`figures`: the released figures a pass over the organisation reads once (a fresh read without)."""
    windows = team_windows(
        session, min_group=min_group, through=through, depth=HISTORY_WINDOWS, figures=figures
    )
    with_enps = [window for window in windows if window.enps is not None]
    pairs: dict[str, list[tuple[float, float]]] = {}
    for window in with_enps:
        for driver, score in window.drivers.items():
            pairs.setdefault(driver, []).append((score, window.enps))
    links = []
    for driver, points in pairs.items():
        r = _pearson(points)
        if len(points) >= MIN_TEAM_WINDOWS and r is not None:
            links.append(
                EnpsLink(driver=driver, name=driver_name(driver), correlation=r, team_windows=len(points))
            )
    links.sort(key=lambda link: -link.correlation)
    return EnpsDrivers(team_windows=len(with_enps), links=tuple(links))


def _pearson(points: list[tuple[float, float]]) -> float | None:
    n = len(points)
    if n < 3:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    syy = sum((y - mean_y) ** 2 for _, y in points)
    if sxx == 0 or syy == 0:
        return None  # one of them never varied: nothing to say
    return sxy / math.sqrt(sxx * syy)


def enps_lines(result: EnpsDrivers, tr: Translator = ENGLISH) -> list[str]:
    """The ranked list in words, with what it means and what it does not (in `tr`'s language)."""
    _ = tr.gettext
    if not result.enough:
        return [
            _(
                "Not enough data yet: this needs at least {needed} team-windows with both a driver and eNPS "
                "shown (there are {count} with eNPS)."
            ).format(needed=MIN_TEAM_WINDOWS, count=result.team_windows)
        ]
    lines = [
        _("{name}: r = {r} over {count} team-windows").format(
            name=link.name, r=tr.fixed(link.correlation, 2, signed=True), count=link.team_windows
        )
        for link in result.links
    ]
    lines.append(
        _(
            "Higher r: where this driver scored higher, eNPS tended to be higher too, across teams and "
            "windows. It is a correlation, not a cause: it does not say that raising the driver will raise "
            "eNPS, and with a few dozen team-windows small differences between drivers mean little."
        )
    )
    return lines
