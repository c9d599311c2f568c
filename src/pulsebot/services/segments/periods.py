"""Releasing segments, one fixed period at a time: once, after the period has ended and every run opened in
it has closed and been released.

Periods are calendar months ("2027-06") or quarters ("2027-Q2"), PULSEBOT_SEGMENT_PERIOD, and never overlap:
two releases covering some of the same runs could be subtracted from each other. A run belongs to the
period of its `run_date` (its day in the survey's time zone). A period has ended, everywhere on Earth,
once the UTC day after its last day is over; only then can no run of it still open. Its release then
waits for its last run to close.

Only the latest period that has ended is released the first time (a workspace's older runs are left as
they are); from then on each period that follows, in order. A change of PULSEBOT_SEGMENT_PERIOD takes
effect with the first period of the new kind that starts after the last one released.

`release_due_periods` runs in the transaction that closes runs (services/pulse/closing.py), right after
their own figures are released, on whichever process closes them. Safe on two at once: each period's
release row is written first, under a unique key, so the second process waits for the first and then
finds the period released. Nothing is aggregated afterwards: every view reads `segment_figure`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func
from sqlmodel import Session, select

from pulsebot.services.segments import disclosure
from pulsebot.services.segments.base_cells import PARTICIPATION, read_base_cells
from pulsebot.services.segments.segment_figures import store_figures
from pulsebot.services.segments.segment_groups import period_groups
from pulsebot.store.db import add_once
from pulsebot.store.models import PulseRun, RunFigures, RunStatus, SegmentRelease
from pulsebot.store.scoping import TEAM

log = logging.getLogger(__name__)

MONTH, QUARTER = "month", "quarter"
# The UTC days after a period's last day before it has ended in every time zone (UTC−12 to UTC+14).
ENDED_AFTER = timedelta(days=2)
# The audit's time for one period's release, which runs inside the transaction that closes runs. Past it
# the period is released with every segment hidden, and the log says so (docs/segments.md). On SQLite
# that transaction holds the database's only write lock, so answers wait for it: a minute. On PostgreSQL
# it holds only the closed runs' rows, which nothing else writes: ten minutes, once a month.
AUDIT_SECONDS = {"sqlite": 60.0, "postgresql": 600.0}
_LABEL = re.compile(r"^(\d{4})-(?:(\d{2})|Q([1-4]))$")


@dataclass(frozen=True)
class Period:
    label: str  # "2027-06" or "2027-Q2"
    starts_on: date
    ends_on: date  # its last day

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class SegmentSettings:
    min_group: int
    period: str = MONTH
    crossings: tuple[tuple[str, str], ...] = (("department", "tenure"),)


def period_of(day: date, kind: str) -> Period:
    """The month or quarter `day` falls in."""
    if kind == QUARTER:
        quarter = (day.month - 1) // 3
        starts = date(day.year, 3 * quarter + 1, 1)
        return Period(f"{day.year}-Q{quarter + 1}", starts, _next_start(starts, 3) - timedelta(days=1))
    starts = date(day.year, day.month, 1)
    return Period(f"{day:%Y-%m}", starts, _next_start(starts, 1) - timedelta(days=1))


def parse_period(label: str) -> Period | None:
    """The period a label names ("2027-06", "2027-Q2"), or None if it names none."""
    found = _LABEL.match(label.strip().upper())
    if found is None:
        return None
    year, month, quarter = found.groups()
    if quarter:
        return period_of(date(int(year), 3 * int(quarter) - 2, 1), QUARTER)
    if not 1 <= int(month) <= 12:
        return None
    return period_of(date(int(year), int(month), 1), MONTH)


def _next_start(starts: date, months: int) -> date:
    month = starts.month - 1 + months
    return date(starts.year + month // 12, month % 12 + 1, 1)


def has_ended(period: Period, *, now: datetime) -> bool:
    return now.date() >= period.ends_on + ENDED_AFTER


def last_ended(*, now: datetime, kind: str) -> Period:
    """The latest period that has ended by `now`."""
    period = period_of(now.date() - ENDED_AFTER, kind)
    return period if has_ended(period, now=now) else period_of(period.starts_on - timedelta(days=1), kind)


def release_due_periods(session: Session, *, now: datetime, settings: SegmentSettings) -> list[str]:
    """Release every period due in each workspace the session sees; return their labels.

    A failure here never stops the runs from closing: the release is undone on its own (a savepoint),
    logged, and tried again at the next close."""
    released = []
    scope = session.info.get(TEAM)  # a workspace's session (store/scoping.py): that workspace alone
    teams = [scope] if scope is not None else session.exec(select(PulseRun.team_id).distinct()).all()
    for team_id in sorted(teams):
        for period in due_periods(session, team_id=team_id, now=now, kind=settings.period):
            try:
                with session.begin_nested():
                    if release_period(session, team_id=team_id, period=period, now=now, settings=settings):
                        released.append(period.label)
            except Exception:
                log.exception(
                    "the segments of %s were not released; the next close tries again", period.label
                )
                break
    return released


def due_periods(session: Session, *, team_id: str, now: datetime, kind: str) -> list[Period]:
    """The periods of this workspace to release now, in order: each has ended, has runs, and follows the
    last period released; the first whose runs have not all closed and been released stops the list."""
    last_end = session.exec(
        select(func.max(SegmentRelease.ends_on)).where(SegmentRelease.team_id == team_id)
    ).one()
    ended = (PulseRun.team_id == team_id, PulseRun.run_date <= last_ended(now=now, kind=kind).ends_on)
    if last_end is None:
        latest = session.exec(select(func.max(PulseRun.run_date)).where(*ended)).one()
        if latest is None:
            return []
        candidates = [period_of(latest, kind)]
    else:
        days = session.exec(
            select(PulseRun.run_date).where(*ended, PulseRun.run_date > last_end).distinct()
        ).all()
        candidates = sorted({period_of(day, kind) for day in days}, key=lambda period: period.starts_on)
        candidates = [period for period in candidates if period.starts_on > last_end]  # a change of kind
    due = []
    for period in candidates:
        if not has_ended(period, now=now):
            break
        if not _all_released(session, team_id=team_id, period=period):
            break
        due.append(period)
    return due


def _all_released(session: Session, *, team_id: str, period: Period) -> bool:
    released = exists().where(RunFigures.run_id == PulseRun.id)
    waiting = session.exec(
        select(func.count()).where(
            PulseRun.team_id == team_id,
            PulseRun.run_date >= period.starts_on,
            PulseRun.run_date <= period.ends_on,
            (PulseRun.status != RunStatus.closed) | ~released,
        )
    ).one()
    return waiting == 0


def release_period(
    session: Session, *, team_id: str, period: Period, now: datetime, settings: SegmentSettings
) -> bool:
    """Count and store one period's segment figures under the disclosure rules; False when another
    process released it meanwhile."""
    release = SegmentRelease(
        team_id=team_id,
        period=period.label,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        released_at=now,
        min_group=settings.min_group,
    )
    if not add_once(session, release):
        return False
    runs = _period_runs(session, team_id=team_id, period=period)
    base = read_base_cells(session, run_ids=runs)
    budget = AUDIT_SECONDS.get(session.get_bind().dialect.name, 60.0)
    built = period_groups(base.places, crossings=settings.crossings)
    released = disclosure.release(
        audited_cells(base.cells),
        built.groups,
        built.breakdowns,
        disclosure.Rules(min_group=settings.min_group, audit_seconds=budget),
    )
    if not released.complete:
        log.warning(
            "the audit of %s's segments did not finish within %.0f s or could not mend a hidden figure: "
            "every segment of it is hidden",
            period.label,
            budget,
        )
    store_figures(session, release_id=release.id, cells=base.cells, groups=built.groups, released=released)
    log.info("segments of %s released: %d groups over %d runs", period.label, len(built.groups), len(runs))
    return True


def audited_cells(cells: Sequence[disclosure.BaseCell]) -> list[disclosure.BaseCell]:
    """The cells the rules and the audit weigh: every measure but participation, whose count is of the
    people asked (a headcount), not of answers. A shown segment's participation is its respondents over
    those asked: counts only, shown where the segment is (docs/segments.md, "What the rules leave")."""
    return [
        disclosure.BaseCell(
            run=cell.run,
            people=cell.people,
            tallies={measure: tally for measure, tally in cell.tallies.items() if measure != PARTICIPATION},
        )
        for cell in cells
    ]


def _period_runs(session: Session, *, team_id: str, period: Period) -> Sequence[int]:
    return session.exec(
        select(PulseRun.id)
        .where(
            PulseRun.team_id == team_id,
            PulseRun.run_date >= period.starts_on,
            PulseRun.run_date <= period.ends_on,
            PulseRun.status == RunStatus.closed,
        )
        .order_by(PulseRun.id)
    ).all()
