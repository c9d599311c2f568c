"""Driver scores in words, for the digest, App Home and the report (services/results/drivers.py makes them),
and the arrows every change in the digests is written with; in the reader's language (`tr`) where one is
given. A driver's name is the library's, in English."""

from __future__ import annotations

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.results.drivers import DriverScore, TeamDrivers

UP, DOWN, FLAT = "↑", "↓", "→"


def arrow(change: float | None, *, digits: int, tr: Translator = ENGLISH) -> str:
    """`↑ 0.4`, `↓ 12`, `→ 0.0`; empty when there is nothing to compare with."""
    if change is None:
        return ""
    if round(abs(change), digits) == 0:
        return f"{FLAT} {tr.fixed(0, digits)}"
    return f"{UP if change > 0 else DOWN} {tr.fixed(abs(change), digits)}"


def figure(driver: DriverScore, tr: Translator = ENGLISH) -> str:
    """`Customer enablement 2.9 ↓ 0.5 (organisation 3.4)`, or that it is hidden."""
    if not driver.shown:
        return tr.gettext("{name}: hidden").format(name=driver.name)
    change = arrow(driver.change, digits=1, tr=tr)
    text = f"{driver.name} {tr.fixed(driver.score, 1)}" + (f" {change}" if change else "")
    if driver.org is not None:
        text += " " + tr.gettext("(organisation {score})").format(score=tr.fixed(driver.org, 1))
    return text


def look_at(driver: DriverScore, tr: Translator = ENGLISH) -> str:
    """Why this driver is the one to look at, in words the figures beside it confirm."""
    if driver.change is not None and driver.change < 0:
        return tr.gettext("{name} fell {change} to {score}").format(
            name=driver.name, change=tr.fixed(abs(driver.change), 1), score=tr.fixed(driver.score, 1)
        )
    return tr.gettext("{name} is the lowest at {score}").format(
        name=driver.name, score=tr.fixed(driver.score, 1)
    )


def window(team: TeamDrivers, tr: Translator = ENGLISH) -> str:
    pulses = tr.ngettext("the last pulse", "the last {count} pulses", team.window_runs).format(
        count=team.window_runs
    )
    if team.first_run is None:
        return pulses
    if team.first_run == team.last_run:
        return f"{pulses} ({tr.short_day(team.first_run)})"
    return f"{pulses} ({tr.short_day(team.first_run)} – {tr.short_day(team.last_run)})"


def summary_lines(team: TeamDrivers, min_group: int, tr: Translator = ENGLISH) -> list[str]:
    """Strongest, weakest and the one to look at; or why there is nothing to show yet."""
    _ = tr.gettext
    if not team.shown:
        return [
            _(
                "No driver can be shown for {window}: each needs at least {min_group} people answering its "
                "items in a closed pulse."
            ).format(window=window(team, tr), min_group=min_group)
        ]
    lines = [_("Strongest: {driver}").format(driver=figure(team.strongest, tr))]
    if team.weakest is not team.strongest:
        lines.append(_("Weakest: {driver}").format(driver=figure(team.weakest, tr)))
    if len(team.shown) > 1:
        line = _("Look at: {reason}").format(reason=look_at(team.to_look_at, tr))
        if (theme := team.look_at_theme) is not None:
            line += "; " + _("{mentioning} of {comments} comments mention {phrase}").format(
                mentioning=theme.mentioning, comments=theme.comments, phrase=theme.phrase
            )
        lines.append(line)
    hidden = len(team.drivers) - len(team.shown)
    if hidden:
        lines.append(
            _("{hidden} of {total} drivers hidden (fewer than {min_group} answered)").format(
                hidden=hidden, total=len(team.drivers), min_group=min_group
            )
        )
    return lines


def home_line(team: TeamDrivers, min_group: int) -> str:
    return "drivers over " + window(team) + ": " + " · ".join(summary_lines(team, min_group))
