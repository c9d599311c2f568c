"""When a person is asked: inside their working hours, in their own time zone, never on a public holiday
of their location, and never more often than the weekly limit across every survey.

Each DM pulse's due time is decided when its run opens (services/pulse/pulses.py), from the time the
schedule gives:

- outside the person's working hours, on a day off or on a public holiday of their location, it moves to
  their next working moment (09:00 local the next working day, with the default hours);
- when the person already has the weekly limit of pulses due or sent in that week (Monday to Sunday in
  their time zone), it moves to the first working moment of the next week with room: it is *held*;
- when the moment found is not before the run closes, the person is not sent it at all, and is left out
  of the run's audience, as a paused person is (services/survey/snooze.py).

A channel pulse is one message in its channel and goes out when its schedule says; its reminders are
DMs and follow the same hours. A reminder due at a quiet time waits for the person's next working
moment, while the run is open (services/pulse/reminders.py).

Two runs opening at once (two surveys, or two processes on PostgreSQL) would each count the pulses
already due and both find room: `count_under_lock` makes the counting and the writing of a run's
deliveries one step per workspace (a transaction-scoped advisory lock on PostgreSQL, the write lock on
SQLite), so the second run counts the first's pulses.

How many of a run's people the limit held is kept on the run as a count (`pulse_run.held`), never who,
and released with the run's figures only when those are and the count is at least the minimum group
(services/results/release.py).
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import text
from sqlmodel import Session, select

from pulsebot.store.among import among
from pulsebot.store.db import write_lock
from pulsebot.store.models import Delivery, DeliveryStatus, Person
from pulsebot.store.scoping import SINGLE_WORKSPACE, TEAM

# pg_advisory_xact_lock's first key: the weekly limit's count ("pbweekly" would not fit: "pbwk" in ASCII);
# the second is the workspace's.
WEEKLY_LIMIT_LOCK = 0x7062776B
# A calendar with no working day in two years (all days off) is not looked through further.
LOOK_AHEAD_DAYS = 2 * 366


@dataclass(frozen=True)
class AskingRules:
    """The workspace's rules (PULSEBOT_WORKING_HOURS, _WORKING_DAYS, _HOLIDAY_LOCATIONS, _PULSES_PER_WEEK)."""

    hours: tuple[time, time] | None = None  # None: any time of a working day
    days: frozenset[int] = frozenset(range(7))  # date.weekday() numbers
    locations: Mapping[str, str] = field(default_factory=dict)  # site or region (casefolded) -> "DE-BE"
    per_week: int = 0  # 0: no limit


ANY_TIME = AskingRules()


@lru_cache(maxsize=256)
def public_holidays(code: str) -> holidays.HolidayBase:
    """The public holidays of a country ("DE") or one of its subdivisions ("DE-BE"), every year."""
    country, _, subdivision = code.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None)


@dataclass(frozen=True)
class Calendar:
    """One person's working time: their zone, the workspace's hours and days, their location's holidays."""

    zone: zoneinfo.ZoneInfo
    rules: AskingRules
    days_off: holidays.HolidayBase | None = None

    def working_day(self, day: date) -> bool:
        return day.weekday() in self.rules.days and (self.days_off is None or day not in self.days_off)

    def working(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        if not self.working_day(local.date()):
            return False
        if self.rules.hours is None:
            return True
        start, end = self.rules.hours
        return start <= local.time() < end

    def next_working(self, moment: datetime) -> datetime:
        """`moment` if it is working time, else the start of the next working time (in UTC)."""
        if self.working(moment):
            return moment
        local = moment.astimezone(self.zone)
        start = self.rules.hours[0] if self.rules.hours else time(0)
        day = local.date()
        if not (self.working_day(day) and local.time() < start):
            day += timedelta(days=1)
            for _ in range(LOOK_AHEAD_DAYS):
                if self.working_day(day):
                    break
                day += timedelta(days=1)
            else:
                return moment
        return datetime.combine(day, start, tzinfo=self.zone).astimezone(moment.tzinfo)

    def week_of(self, moment: datetime) -> date:
        """The Monday of the moment's week, in the person's zone."""
        local = moment.astimezone(self.zone).date()
        return local - timedelta(days=local.weekday())

    def next_week(self, moment: datetime) -> datetime:
        """Monday 00:00 of the week after the moment's, in the person's zone."""
        monday = self.week_of(moment) + timedelta(days=7)
        return datetime.combine(monday, time(0), tzinfo=self.zone).astimezone(moment.tzinfo)


def calendars(
    session: Session,
    *,
    people: Iterable[str],
    zones: Mapping[str, str | None],
    fallback_zone: str,
    rules: AskingRules,
) -> dict[str, Calendar]:
    """Each person's calendar: their Slack time zone (`zones`; the survey's `fallback_zone` without one),
    and the public holidays of their `site`, or else their `region`, when the rules map it to a country."""
    people = sorted(set(people))
    located: dict[str, str] = {}
    if rules.locations and people:
        rows = session.exec(
            select(Person.user_id, Person.site, Person.region).where(among(Person.user_id, people))
        ).all()
        for user_id, site, region in rows:
            for place in (site, region):
                if place and (code := rules.locations.get(place.casefold())):
                    located[user_id] = code
                    break
    return {
        person: Calendar(
            zone=_zone(zones.get(person), fallback_zone),
            rules=rules,
            days_off=public_holidays(located[person]) if person in located else None,
        )
        for person in people
    }


def _zone(name: str | None, fallback: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or fallback)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # a zone this machine does not know
        return zoneinfo.ZoneInfo(fallback)


@dataclass(frozen=True)
class SendPlan:
    due: dict[str, datetime]  # when each person's pulse goes out
    skipped: frozenset[str]  # no working moment with room before the run closes: not sent, not asked
    held: int  # how many the weekly limit moved (sent later, or skipped)


def count_under_lock(session: Session) -> None:
    """Hold the workspace's weekly count until this transaction ends, so no other run opening meanwhile
    plans from the same count: on PostgreSQL an advisory lock per workspace (every process opening a run
    of it waits here for the one before to commit), on SQLite the database's one write lock."""
    if session.get_bind().dialect.name != "postgresql":
        write_lock(session)
        return
    workspace = session.info.get(TEAM) or SINGLE_WORKSPACE
    session.connection().execute(
        text("SELECT pg_advisory_xact_lock(:space, hashtext(:workspace))"),
        {"space": WEEKLY_LIMIT_LOCK, "workspace": workspace},
    )


def plan_sends(
    session: Session,
    *,
    due: Mapping[str, datetime],
    closes_at: datetime,
    calendars: Mapping[str, Calendar],
    per_week: int,
) -> SendPlan:
    """When each person's pulse goes out, from the time the schedule gives (`due`): at their next working
    moment, in a week of theirs with room under the limit (`per_week`, 0 for none), before the run closes.
    Under a limit, the count is locked (`count_under_lock`) until the caller's transaction, which writes
    the deliveries planned, ends."""
    if per_week:
        count_under_lock(session)
    planned = _planned_weeks(session, due=due, calendars=calendars) if per_week else Counter()
    sends: dict[str, datetime] = {}
    skipped: set[str] = set()
    held = 0
    for person in sorted(due):
        calendar = calendars[person]
        moment = calendar.next_working(due[person])
        was_held = False
        while per_week and moment < closes_at and planned[person, calendar.week_of(moment)] >= per_week:
            moment, was_held = calendar.next_working(calendar.next_week(moment)), True
        held += was_held
        if moment >= closes_at:
            skipped.add(person)
            continue
        sends[person] = moment
        planned[person, calendar.week_of(moment)] += 1
    return SendPlan(due=sends, skipped=frozenset(skipped), held=held)


def _planned_weeks(
    session: Session, *, due: Mapping[str, datetime], calendars: Mapping[str, Calendar]
) -> Counter[tuple[str, date]]:
    """How many DM pulses each person has due or sent in each of their weeks, from the week before the
    earliest due time on (a week begins at most a day apart across zones)."""
    if not due:
        return Counter()
    since = min(due.values()) - timedelta(days=8)
    rows = session.exec(
        select(Delivery.user_id, Delivery.due_at).where(
            among(Delivery.user_id, sorted(due)),
            Delivery.due_at.is_not(None),
            Delivery.due_at >= since,
            Delivery.status != DeliveryStatus.failed,
        )
    ).all()
    return Counter((user_id, calendars[user_id].week_of(moment)) for user_id, moment in rows)
