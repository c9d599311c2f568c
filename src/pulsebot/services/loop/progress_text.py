"""Actions and their progress in words, for the digest (Block Kit and plain text alike)."""

from __future__ import annotations

from datetime import date

from pulsebot.services.loop.actions import LABELS
from pulsebot.services.loop.helping import LABELS as HELPING_LABELS
from pulsebot.services.loop.helping import Helping, HelpingRound
from pulsebot.services.loop.progress import ActionProgress, FocusTrend
from pulsebot.services.privacy.distributions import TELLS
from pulsebot.store.models import ActionStatus, FocusKind


def day(value: date) -> str:
    return f"{value.day} {value:%b}"


def headline(action: ActionProgress, *, today: date) -> str:
    """`“Weekly backlog triage” · about Workload · in progress, due 12 Dec` (the owner is added by the
    caller, as a mention where Slack renders one)."""
    if action.status in (ActionStatus.planned, ActionStatus.in_progress):
        when = f"overdue since {day(action.due_on)}" if action.due_on < today else f"due {day(action.due_on)}"
        state = f"{LABELS[action.status].lower()}, {when}"
    else:
        state = LABELS[action.status].lower()
    shared = "" if action.visible else " · not shared with the team"
    return f"“{action.text}” · about {action.focus_label} · {state}{shared}"


def trend_line(action: ActionProgress) -> str:
    if action.trend is None:
        return f"No trend yet: {action.no_trend}."
    trend = action.trend
    since = f"Since it started on {day(action.started_on)}"
    span = f"over {trend.weeks} weeks"
    if action.focus_kind is FocusKind.theme:
        return (
            f"{since}, comments mentioning {action.focus_label} went {trend.before_detail} "
            f"({_percent(trend.before)}) → {trend.now_detail} ({_percent(trend.now)}) {span}."
        )
    before, now = _figure(trend.before, trend), _figure(trend.now, trend)
    return f"{since}, {action.focus_label} went {before} → {now} {span}."


def helping_line(round_: HelpingRound, *, min_group: int) -> str:
    question = "Did it help?" if round_.for_status is ActionStatus.done else "Is this helping?"
    if round_.open:
        return f"{question} The team is being asked until {day(round_.closes_at.date())}."
    return f"{question} {outcome(round_, min_group=min_group)}"


def outcome(round_: HelpingRound, *, min_group: int) -> str:
    """A closed round: its counts, or that they stay hidden."""
    if round_.too_alike:
        return f"{round_.answered} answered; the answers are not shown: they {TELLS}."
    if round_.counts is None:
        return f"Fewer than {round_.minimum(min_group)} answered, so the answers stay hidden."
    parts = ", ".join(f"{round_.counts[choice]} {HELPING_LABELS[choice].lower()}" for choice in Helping)
    return f"{round_.answered} answered: {parts}."


def progress_lines(action: ActionProgress, *, min_group: int) -> list[str]:
    """The lines under an action's headline: its trend, then its latest round of "Is this helping?"."""
    lines = [trend_line(action)]
    if action.rounds:
        lines.append(helping_line(action.rounds[-1], min_group=min_group))
    return lines


def _figure(value: float, trend: FocusTrend) -> str:
    if trend.unit == "enps":
        return f"{value:+.0f}"
    if trend.unit == "share":
        return _percent(value)
    return f"{value:.1f}"


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"
