"""The Me page's parts in words: what the person's teams were told in their channels (read by
services/loop/told_the_team.py from what was posted there), and what pulsebot keeps tied to them
(services/privacy/inventory.py)."""

from __future__ import annotations

from dataclasses import dataclass

from pulsebot.i18n import LANGUAGES
from pulsebot.services.digest import digest_text as words
from pulsebot.services.loop.sharing import WillDo
from pulsebot.services.loop.told_the_team import SharedWeek, ToldTheTeam
from pulsebot.services.loop.you_said import DoneItem
from pulsebot.services.privacy.inventory import Kept


@dataclass(frozen=True)
class WeekShown:
    week: str
    by: str
    figures: tuple[tuple[str, str], ...]  # the post's headline pairs
    highlights_title: str
    highlights: tuple[str, ...]
    themes: tuple[str, ...]
    comments_note: str
    hidden: bool  # today's minimum hides the week: its figures are not repeated


@dataclass(frozen=True)
class TeamShown:
    title: str
    weeks: tuple[WeekShown, ...]
    will_do: tuple[str, ...]


def teams_shown(told: ToldTheTeam) -> tuple[TeamShown, ...]:
    return tuple(
        TeamShown(
            title=team.title,
            weeks=tuple(_week(shared) for shared in team.shared),
            will_do=tuple(_will_do(action) for action in team.will_do),
        )
        for team in told.teams
    )


def done_lines(told: ToldTheTeam) -> tuple[str, ...]:
    return tuple(_done(item) for item in told.done)


def kept_lines(kept: Kept) -> tuple[tuple[str, str], ...]:
    ideas = kept.signed_ideas + kept.anonymous_ideas
    lines = [
        (
            "Pulses sent to you",
            _count(kept.pulses_sent, "record") + " of who was asked and whether they answered",
        ),
        ("Your votes on ideas", _count(kept.votes, "vote") + ", each under a code of you and the idea"),
        (
            "Your ideas",
            _count(ideas, "idea")
            + (
                f", {kept.anonymous_ideas} of them anonymous (linked to you only by pulsebot's key)"
                if ideas
                else ""
            ),
        ),
        ("Digests and alerts sent to you", _count(kept.notices, "record")),
        ("Conversations you held as a manager", _count(kept.conversations, "conversation")),
        ("Pulses open now that note your group", _count(kept.run_cells, "pulse")),
        ("Dashboard sessions", _count(kept.sessions, "session") + ", this one included"),
    ]
    if kept.onboarding_pulses:  # only for new joiners: nobody else is told there is such a thing
        lines.append(
            (
                "Onboarding pulses for you",
                _count(kept.onboarding_pulses, "record")
                + " of when each is due; never whether or what you answered",
            )
        )
    if kept.exit_surveys:
        lines.append(
            (
                "Your exit survey",
                _count(kept.exit_surveys, "survey")
                + ", with your answers and your name: not anonymous, for HR",
            )
        )
    if kept.teams_managed:
        lines.append(("Teams whose survey names you as a manager", ", ".join(kept.teams_managed)))
    if kept.language is not None:
        lines.append(
            (
                "The language you chose for your pulses",
                f"{LANGUAGES[kept.language]} (/pulse language auto forgets it)",
            )
        )
    if kept.slack_locale is not None:
        lines.append(("Your Slack language, as Slack lists it", kept.slack_locale))
    if kept.attributes is not None:
        held = kept.attributes
        source = "HR's export" if held.source == "csv" else "your Slack profile"
        parts = [
            ("department", held.department),
            ("division", held.division),
            ("site", held.site),
            ("region", held.region),
            ("start date", held.start_date.isoformat() if held.start_date else None),
            ("last day", held.end_date.isoformat() if held.end_date else None),
            ("level", held.level),
            ("manager", held.manager_id),
        ]
        shown = ", ".join(f"{name} {value}" for name, value in parts if value) or "none"
        lines.append((f"HR attributes (from {source})", shown))
    else:
        lines.append(("HR attributes", "none"))
    return tuple(lines)


def _week(shared: SharedWeek) -> WeekShown:
    by = "automatically, as every week" if shared.automatically else "by a manager, from the weekly digest"
    summary = shared.summary
    if summary is None:
        return WeekShown(words.week_label(shared.week), by, (), "", (), (), "", hidden=True)
    highlights: tuple[str, ...] = ()
    title = ""
    if summary.strongest is not None:
        title = f"Drivers over {summary.driver_window}" if summary.highlights_of == "drivers" else "Questions"
        if summary.weakest is None:
            highlights = (summary.strongest.text,)
        else:
            highlights = (f"Strongest: {summary.strongest.text}", f"Weakest: {summary.weakest.text}")
    return WeekShown(
        week=words.week_label(summary.week),
        by=by,
        figures=tuple((label, value) for label, value in summary.headline() if value != "–"),
        highlights_title=title,
        highlights=highlights,
        themes=tuple(f"{t.phrase} ({_count(t.comments, 'comment')})" for t in summary.themes),
        comments_note="It quoted some of the week's comments: they are in the channel's post."
        if shared.with_comments
        else "",
        hidden=False,
    )


def _will_do(action: WillDo) -> str:
    return f"{action.text} — {action.owner_id}, by {action.due_on.day} {action.due_on:%b %Y}"


def _done(item: DoneItem) -> str:
    who = f" · {item.owner_id}" if item.owner_id else ""
    team = f" · {item.team}" if item.team else ""
    verb = "shipped" if item.idea_id is not None else "done"
    return f"“{item.what}”, for {item.answered}{who}{team} · {verb} {item.done_on:%-d %b}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
