"""Driver scores in words, for the digest, App Home and the report (services/results/drivers.py makes them),
and the arrows every change in the digests is written with."""

from __future__ import annotations

from pulsebot.services.results.drivers import DriverScore, TeamDrivers

UP, DOWN, FLAT = "↑", "↓", "→"


def arrow(change: float | None, *, digits: int) -> str:
    """`↑ 0.4`, `↓ 12`, `→ 0.0`; empty when there is nothing to compare with."""
    if change is None:
        return ""
    if round(abs(change), digits) == 0:
        return f"{FLAT} {0:.{digits}f}"
    return f"{UP if change > 0 else DOWN} {abs(change):.{digits}f}"


def figure(driver: DriverScore) -> str:
    """`Customer enablement 2.9 ↓ 0.5 (organisation 3.4)`, or that it is hidden."""
    if not driver.shown:
        return f"{driver.name}: hidden"
    change = arrow(driver.change, digits=1)
    text = f"{driver.name} {driver.score:.1f}" + (f" {change}" if change else "")
    if driver.org is not None:
        text += f" (organisation {driver.org:.1f})"
    return text


def look_at(driver: DriverScore) -> str:
    """Why this driver is the one to look at, in words the figures beside it confirm."""
    if driver.change is not None and driver.change < 0:
        return f"{driver.name} fell {abs(driver.change):.1f} to {driver.score:.1f}"
    return f"{driver.name} is the lowest at {driver.score:.1f}"


def window(team: TeamDrivers) -> str:
    pulses = "pulse" if team.window_runs == 1 else f"{team.window_runs} pulses"
    if team.first_run is None:
        return f"the last {pulses}"
    if team.first_run == team.last_run:
        return f"the last {pulses} ({team.first_run:%-d %b})"
    return f"the last {pulses} ({team.first_run:%-d %b} – {team.last_run:%-d %b})"


def summary_lines(team: TeamDrivers, min_group: int) -> list[str]:
    """Strongest, weakest and the one to look at; or why there is nothing to show yet."""
    if not team.shown:
        return [
            f"No driver can be shown for {window(team)}: each needs at least {min_group} people "
            "answering its items in a closed pulse."
        ]
    lines = [f"Strongest: {figure(team.strongest)}"]
    if team.weakest is not team.strongest:
        lines.append(f"Weakest: {figure(team.weakest)}")
    if len(team.shown) > 1:
        line = f"Look at: {look_at(team.to_look_at)}"
        if (theme := team.look_at_theme) is not None:
            line += f"; {theme.mentioning} of {theme.comments} comments mention {theme.phrase}"
        lines.append(line)
    hidden = len(team.drivers) - len(team.shown)
    if hidden:
        lines.append(f"{hidden} of {len(team.drivers)} drivers hidden (fewer than {min_group} answered)")
    return lines


def home_line(team: TeamDrivers, min_group: int) -> str:
    return "drivers over " + window(team) + ": " + " · ".join(summary_lines(team, min_group))
