"""The organisation's other pages, beside its segments: participation before and after sharing
(services/loop/participation.py), every team's actions, and the audit log. Each reads what is stored or
was released: the participation report adds up only weeks already shown, and nothing is counted anew.

A leader (not an admin) sees the teams whose managers are at their node of the reporting line or below
it, and no total that also covers other teams: such a total, less their own teams, would give the rest.
Of their actions, a leader sees those shared with the team, as its channel does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from pulsebot.services.digest import digest_text as words
from pulsebot.services.loop import progress_text
from pulsebot.services.loop.actions import FINISHED_SHOWN_FOR, actions_of
from pulsebot.services.loop.participation import Line, Side, participation_effect
from pulsebot.services.privacy import audit

PARTICIPATION_WEEKS = 12
AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class ParticipationRow:
    team: str
    split: str
    before: str
    after: str
    change: str
    total: bool  # a group of teams


@dataclass(frozen=True)
class Participation:
    window: str
    rows: tuple[ParticipationRow, ...]
    hidden_weeks: int
    min_group: int


def participation(
    session: Session, *, now: datetime, min_group: int, teams: list[str] | None
) -> Participation:
    """Every team's response rate before and after it first shared its results (`teams`: only those, and
    no group's total)."""
    effect = participation_effect(session, now=now, min_group=min_group, weeks=PARTICIPATION_WEEKS)
    lines: list[Line] = [line for line in effect.teams if teams is None or line.name in teams]
    if teams is None:
        lines += [line for line in (effect.sharing, effect.never) if line is not None]
    return Participation(
        window=f"{words.short_week(effect.first_week)} – {words.short_week(effect.last_week)}",
        rows=tuple(_participation_row(line, min_group) for line in lines),
        hidden_weeks=effect.hidden_weeks if teams is None else 0,
        min_group=min_group,
    )


def _participation_row(line: Line, min_group: int) -> ParticipationRow:
    label = line.label
    if line.teams is not None:
        label += f" ({line.teams} team{'s' if line.teams != 1 else ''})"
    split = "each team's own"
    if line.split is not None:
        split = f"week of {words.short_week(line.split)}" + (" (the first team's)" if line.teams else "")
    change = line.change_points
    return ParticipationRow(
        team=label,
        split=split,
        before=_side(line.before, min_group),
        after=_side(line.after, min_group),
        change="–" if change is None else f"{change:+.0f} pts",
        total=line.teams is not None,
    )


def _side(side: Side, min_group: int) -> str:
    if not side.weeks:
        return f"— hidden: no week with a pulse that at least {min_group} answered"
    return (
        f"{words.percent(side.rate)} ({side.respondents} of {side.audience}, "
        f"{side.weeks} week{'s' if side.weeks != 1 else ''})"
    )


@dataclass(frozen=True)
class TeamActions:
    name: str
    title: str
    actions: tuple[str, ...]


def team_actions(session: Session, *, now: datetime, teams: list[str] | None) -> tuple[TeamActions, ...]:
    """The teams' actions, open or finished in the last 30 days (as App Home lists them), team by team.
    With `teams` (a leader's), only those shared with the team: one kept to its managers stays with them
    and pulsebot's admins."""
    by_team: dict[str, TeamActions] = {}
    for action in actions_of(session, survey_names=teams, finished_since=now - FINISHED_SHOWN_FOR):
        if teams is not None and not action.visible:
            continue
        found = by_team.setdefault(
            action.survey_name, TeamActions(name=action.survey_name, title=action.team_title, actions=())
        )
        line = f"{progress_text.headline(action, today=now.date())} · owner {action.owner_id}"
        if action.reason:
            line += f" · dropped because: {action.reason}"
        by_team[action.survey_name] = TeamActions(found.name, found.title, (*found.actions, line))
    return tuple(sorted(by_team.values(), key=lambda team: (team.title, team.name)))


@dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    action: str
    scope: str
    detail: str


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    first: bool  # the newest entries
    older: int | None  # the entry the next page starts below, when there is one


def audit_page(session: Session, *, before: int | None) -> AuditPage:
    entries, more = audit.newest_entries(session, before=before, limit=AUDIT_PAGE_SIZE)
    return AuditPage(
        rows=tuple(
            AuditRow(
                at=f"{entry.at:%Y-%m-%d %H:%M} UTC",
                actor=entry.actor,
                action=entry.action.value,
                scope=entry.scope,
                detail=entry.detail,
            )
            for entry in entries
        ),
        first=before is None,
        older=entries[-1].id if more else None,
    )


def entry_number(asked: str | None) -> int | None:
    """The audit log's `before` (an entry's number), or None (the newest) for anything else."""
    try:
        return max(1, int(asked)) if asked else None
    except ValueError:
        return None
