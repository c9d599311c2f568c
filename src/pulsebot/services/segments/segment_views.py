"""Reading released segment figures for the views: the CLI table, its CSV, the heatmap, a leader's roll-up.

Every view is a look-up into `segment_figure` (segment_figures.py), never an aggregate of answers: what a
view shows was fixed when the period was released.

Which segment is strongest or weakest on a driver is said only when the gap between them is larger than
its noise: the difference of their means must exceed two standard errors of that difference. The spread
of the answers is not released, so each mean's standard error is the largest one its released figures
allow: a mean m of answers on the 1–5 scale has a variance of at most (m − 1)(5 − m) (the Bhatia–Davis
bound), over n = the fewest people the figure can stand for (its people, or its answers if fewer). So a
segment is named only when no spread of the answers could explain the gap; a smaller real gap goes
unnamed rather than a chance one being named.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from pulsebot.services.errors import NotFound
from pulsebot.services.segments.base_cells import ENPS, PARTICIPATION, SCALE
from pulsebot.services.segments.segment_figures import RESPONDENTS
from pulsebot.services.segments.segment_groups import DIMENSIONS, LINE, NOT_RECORDED
from pulsebot.services.survey.library import driver_name, engagement_library
from pulsebot.store.among import among
from pulsebot.store.models import SegmentFigure, SegmentRelease, Survey, SurveyManager

STANDARD_ERRORS = 2.0
TOO_FEW = "too few"
# A period released within this long before a digest is sent is new to it: with weekly digests, each
# release reaches each reader once.
NEW_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Figure:
    people: int | None = None
    answers: int | None = None
    value: float | None = None
    hidden: str | None = None  # why, when hidden

    @property
    def shown(self) -> bool:
        return self.hidden is None and self.value is not None


@dataclass(frozen=True)
class SegmentRow:
    key: str
    people: int | None  # responses (one per person a pulse); None when the segment is hidden
    hidden: str | None  # why the whole segment is hidden
    figures: dict[str, Figure]  # by measure; a measure the segment was not asked is missing

    def figure(self, measure: str) -> Figure | None:
        if self.hidden is not None:
            return Figure(hidden=self.hidden)
        return self.figures.get(measure)


@dataclass(frozen=True)
class Standout:
    driver: str
    strongest: tuple[str, float] | None  # (segment, mean), None when no gap is beyond its noise
    weakest: tuple[str, float] | None
    gap: float  # the largest difference between two shown segments
    noise: float  # two standard errors of that difference, at their largest


@dataclass(frozen=True)
class SegmentTable:
    period: str
    starts_on: date
    ends_on: date
    released_at: datetime
    min_group: int
    table: str
    measures: tuple[str, ...]  # participation, the drivers in library order, eNPS
    rows: tuple[SegmentRow, ...]

    @property
    def drivers(self) -> tuple[str, ...]:
        return tuple(measure for measure in self.measures if measure not in (PARTICIPATION, ENPS))

    def standouts(self) -> list[Standout]:
        return [standout for driver in self.drivers if (standout := _standout(self, driver)) is not None]


def released_periods(session: Session) -> list[SegmentRelease]:
    """The workspace's released periods, newest first."""
    return list(session.exec(select(SegmentRelease).order_by(SegmentRelease.starts_on.desc())).all())


def find_release(session: Session, *, period: str | None) -> SegmentRelease:
    """The release of `period` ("2027-06"), or the newest one."""
    query = select(SegmentRelease).order_by(SegmentRelease.starts_on.desc())
    if period is not None:
        query = query.where(SegmentRelease.period == period.strip().upper())
    found = session.exec(query.limit(1)).first()
    if found is not None:
        return found
    if period is None:
        raise NotFound(
            "No period's segments are released yet: a month's (or quarter's) are released once it has "
            "ended and its pulses have closed."
        )
    known = ", ".join(release.period for release in released_periods(session)[:6]) or "none yet"
    raise NotFound(f"No segments are released for {period} (released: {known}).")


def tables_of(session: Session, *, release_id: int) -> list[str]:
    return sorted(
        session.exec(
            select(SegmentFigure.table_name).where(SegmentFigure.release_id == release_id).distinct()
        ).all()
    )


def segment_table(
    session: Session, *, release: SegmentRelease, table: str, min_group: int | None = None
) -> SegmentTable:
    """A released table. With `min_group` (the one in force now), a segment fewer answered is hidden as
    too few, as if released under it: raising the minimum hides more at once, and hiding more never
    reveals anything."""
    rows = session.exec(
        select(SegmentFigure).where(SegmentFigure.release_id == release.id, SegmentFigure.table_name == table)
    ).all()
    by_key: dict[str, dict[str, SegmentFigure]] = {}
    for row in rows:
        by_key.setdefault(row.group_key, {})[row.measure] = row
    segments = []
    for key in sorted(by_key, key=lambda key: (key.endswith(NOT_RECORDED), key)):
        figures = by_key[key]
        whole = figures.get(RESPONDENTS)
        hidden = whole.hidden if whole is not None else None
        if hidden is None and whole is not None and min_group is not None and (whole.people or 0) < min_group:
            hidden = TOO_FEW
        segments.append(
            SegmentRow(
                key=key,
                people=None if whole is None or hidden is not None else whole.people,
                hidden=hidden,
                figures={
                    measure: Figure(people=f.people, answers=f.answers, value=f.value, hidden=f.hidden)
                    for measure, f in figures.items()
                    if measure != RESPONDENTS and hidden is None
                },
            )
        )
    measures = {measure for row in rows for measure in [row.measure] if measure != RESPONDENTS}
    return SegmentTable(
        period=release.period,
        starts_on=release.starts_on,
        ends_on=release.ends_on,
        released_at=release.released_at,
        min_group=max(release.min_group, min_group or 0),
        table=table,
        measures=_ordered(measures),
        rows=tuple(segments),
    )


@dataclass(frozen=True)
class RollUp:
    """A leader's reporting line over a released period: the line node released for them."""

    table: SegmentTable  # the period's "line" table
    row: SegmentRow  # their node


def newly_released(session: Session, *, now: datetime) -> SegmentRelease | None:
    """The newest period released in the week before `now`, if any (what a digest sent now announces)."""
    return session.exec(
        select(SegmentRelease)
        .where(SegmentRelease.released_at > now - NEW_FOR, SegmentRelease.released_at <= now)
        .order_by(SegmentRelease.starts_on.desc())
        .limit(1)
    ).first()


def digest_table(session: Session, *, now: datetime, min_group: int | None = None) -> SegmentTable | None:
    """For the admins' organisation digest: a newly released period's drivers by department (or the first
    attribute people have recorded), None when no period is new or no attribute was recorded."""
    release = newly_released(session, now=now)
    if release is None:
        return None
    for dimension in DIMENSIONS:
        table = segment_table(session, release=release, table=dimension, min_group=min_group)
        if table.drivers and any(not row.key.endswith(NOT_RECORDED) for row in table.rows):
            return table
    return None


def leader_roll_ups(
    session: Session, *, users: Iterable[str], now: datetime, min_group: int | None = None
) -> dict[str, RollUp]:
    """The line node of each of `users` who has people below them in a newly released period."""
    release = newly_released(session, now=now)
    wanted = set(users)
    if release is None or not wanted:
        return {}
    table = segment_table(session, release=release, table=LINE, min_group=min_group)
    return {
        manager: RollUp(table=table, row=row)
        for row in table.rows
        if (manager := row.key.rsplit("/", 1)[-1]) in wanted
    }


def line_node_of(session: Session, *, release: SegmentRelease, user: str) -> str | None:
    """The reporting line's node of `user` in a released period (its path, "U0CEO/U0VP/U0MGR"), None when
    no one released in that period has them in their line."""
    # A line's path ends with its manager: read that node alone, not every node of the line.
    return session.exec(
        select(SegmentFigure.group_key)
        .where(
            SegmentFigure.release_id == release.id,
            SegmentFigure.table_name == LINE,
            SegmentFigure.measure == RESPONDENTS,
            (SegmentFigure.group_key == user) | SegmentFigure.group_key.endswith(f"/{user}", autoescape=True),
        )
        .order_by(SegmentFigure.group_key)
        .limit(1)
    ).first()


def latest_line_node(session: Session, *, user: str) -> str | None:
    """`user`'s node of the reporting line in the latest released period, if any."""
    latest = session.exec(select(SegmentRelease).order_by(SegmentRelease.starts_on.desc()).limit(1)).first()
    return None if latest is None else line_node_of(session, release=latest, user=user)


def teams_in_line(session: Session, *, user: str) -> list[str] | None:
    """The teams (survey names) whose managers are at `user`'s node of the reporting line, or below it, in
    the latest released period; None when that period has no node of theirs. Read from the line's
    released groups, which name the managers whatever their figures (a hidden group is still a node)."""
    node = latest_line_node(session, user=user)
    if node is None:
        return None
    latest = session.exec(select(SegmentRelease).order_by(SegmentRelease.starts_on.desc()).limit(1)).one()
    keys = session.exec(
        select(SegmentFigure.group_key)
        .where(
            SegmentFigure.release_id == latest.id,
            SegmentFigure.table_name == LINE,
            SegmentFigure.measure == RESPONDENTS,
            (SegmentFigure.group_key == node)
            | SegmentFigure.group_key.startswith(f"{node}/", autoescape=True),
        )
        .distinct()
    ).all()
    managers = {key.rsplit("/", 1)[-1] for key in keys}
    return sorted(
        set(
            session.exec(
                select(Survey.name)
                .join(SurveyManager, SurveyManager.survey_id == Survey.id)
                .where(among(SurveyManager.user_id, managers))
            ).all()
        )
    )


def within_line(table: SegmentTable, node: str) -> SegmentTable:
    """A line table cut to one node and the nodes below it: what its leader sees. A part of one release,
    all of whose figures an admin sees already, so nothing new can be subtracted from it."""
    rows = tuple(row for row in table.rows if row.key == node or row.key.startswith(f"{node}/"))
    return replace(table, rows=rows)


def _ordered(measures: set[str]) -> tuple[str, ...]:
    library = [driver for driver in engagement_library().driver_ids if driver in measures]
    others = sorted(measures - set(library) - {PARTICIPATION, ENPS})
    first = [PARTICIPATION] if PARTICIPATION in measures else []
    last = [ENPS] if ENPS in measures else []
    return (*first, *library, *others, *last)


def measure_name(measure: str) -> str:
    if measure == PARTICIPATION:
        return "Participation"
    if measure == ENPS:
        return "eNPS"
    return driver_name(measure)


def largest_standard_error(mean: float, n: int) -> float:
    """The largest standard error a mean of n answers on the 1–5 scale can have (Bhatia–Davis)."""
    low, high = SCALE
    return math.sqrt(max(0.0, (mean - low) * (high - mean)) / n)


def _standout(table: SegmentTable, driver: str) -> Standout | None:
    shown = []
    for row in table.rows:
        figure = row.figure(driver)
        if row.key.endswith(NOT_RECORDED) or figure is None or not figure.shown:
            continue
        n = min(filter(None, (figure.people, figure.answers)), default=0)
        if n:
            shown.append((row.key, figure.value, n))
    if len(shown) < 2:
        return None
    high = max(shown, key=lambda item: item[1])
    low = min(shown, key=lambda item: item[1])
    gap = high[1] - low[1]
    noise = STANDARD_ERRORS * math.hypot(
        largest_standard_error(high[1], high[2]), largest_standard_error(low[1], low[2])
    )
    if gap > noise:
        return Standout(driver=driver, strongest=high[:2], weakest=low[:2], gap=gap, noise=noise)
    return Standout(driver=driver, strongest=None, weakest=None, gap=gap, noise=noise)
