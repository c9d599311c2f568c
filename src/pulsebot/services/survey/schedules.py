"""When a pulse opens, reaches each person, reminds them and closes: time arithmetic only.

A survey's `schedule` is a cron expression read in the survey's time zone. With
`per_person_local_time`, the cron's day and time of day are read in each person's own time zone
instead: the run is opened once, as soon as that day and time arrive anywhere on Earth (UTC+14),
and each delivery row is due when they arrive where its person is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

# POSIX signs are inverted: Etc/GMT-14 is UTC+14, where every calendar day starts first.
EARLIEST_ZONE = "Etc/GMT-14"
MAX_REMINDERS = 2

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_REMINDER = re.compile(r"^(\d{1,4})\s*([mhd])(?:\s+(after open|before close))?$")


@dataclass(frozen=True)
class Reminder:
    """A reminder time relative to when a person got the pulse, or to when it closes."""

    amount: int
    unit: str  # "m", "h" or "d"
    before_close: bool

    @property
    def offset(self) -> timedelta:
        return timedelta(**{_UNITS[self.unit]: self.amount})

    def due(self, *, delivered_at: datetime, closes_at: datetime) -> datetime:
        return closes_at - self.offset if self.before_close else delivered_at + self.offset

    def __str__(self) -> str:
        return f"{self.amount}{self.unit} {'before close' if self.before_close else 'after open'}"


def parse_reminder(text: str) -> Reminder:
    """`24h`, `24h after open`, `2h before close`, `1d`, `90m`; raise ValueError saying what is wrong."""
    match = _REMINDER.match(" ".join(text.lower().split()))
    if match is None:
        raise ValueError(
            f"{text!r} is not a reminder time; write e.g. '24h after open' or '2h before close' "
            "(units: m, h, d)"
        )
    amount, unit, anchor = int(match[1]), match[2], match[3]
    if amount == 0:
        raise ValueError(f"{text!r}: a reminder needs a time after opening or before closing")
    return Reminder(amount=amount, unit=unit, before_close=anchor == "before close")


def parse_reminders(lines: str | None) -> list[Reminder]:
    """The reminders as stored on a survey: one per line."""
    return [parse_reminder(line) for line in (lines or "").splitlines() if line.strip()]


def reminder_times(
    reminders: Iterable[Reminder], *, delivered_at: datetime, closes_at: datetime
) -> list[datetime]:
    """When each reminder is due for one person, earliest first; those outside the open window drop out."""
    times = (r.due(delivered_at=delivered_at, closes_at=closes_at) for r in reminders)
    return sorted(t for t in times if delivered_at < t < closes_at)


def open_trigger(*, schedule: str, timezone: str, per_person_local_time: bool) -> CronTrigger:
    """The cron trigger that opens a survey's runs."""
    return CronTrigger.from_crontab(schedule, timezone=EARLIEST_ZONE if per_person_local_time else timezone)


def next_open_times(trigger: CronTrigger, *, after: datetime, count: int = 1) -> list[datetime]:
    """The trigger's next `count` fire times after `after`, in UTC."""
    times: list[datetime] = []
    previous = None
    now = after
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        times.append(fire.astimezone(UTC))
        previous, now = fire, fire + timedelta(seconds=1)
    return times


def latest_fire_time(trigger: CronTrigger, *, now: datetime, lookback: timedelta) -> datetime | None:
    """The trigger's last fire time at or before `now` (within `lookback`): the run a late job is for."""
    latest, previous, cursor = None, None, now - lookback
    while (fire := trigger.get_next_fire_time(previous, cursor)) is not None and fire <= now:
        latest, previous, cursor = fire.astimezone(UTC), fire, fire + timedelta(seconds=1)
    return latest


def personal_due_times(
    *, scheduled_for: datetime, zones: Mapping[str, str | None], fallback_zone: str, now: datetime
) -> dict[str, datetime]:
    """When each person should get a per-person-local-time pulse fired at `scheduled_for`.

    The fire time, read in UTC+14, gives the day and time of day; each person gets the pulse at that
    day and time in their own Slack time zone (the survey's zone when Slack has none for them), or
    straight away if that moment has already passed.
    """
    wall = scheduled_for.astimezone(ZoneInfo(EARLIEST_ZONE)).replace(tzinfo=None)
    due: dict[str, datetime] = {}
    for user_id, zone in zones.items():
        local = wall.replace(tzinfo=_zone_or(zone, fallback_zone))
        due[user_id] = max(local.astimezone(UTC), now)
    return due


def local_day_of(scheduled_for: datetime) -> datetime:
    """The wall-clock day and time a per-person pulse is meant for (naive: it is everyone's local time)."""
    return scheduled_for.astimezone(ZoneInfo(EARLIEST_ZONE)).replace(tzinfo=None)


def _zone_or(zone: str | None, fallback: str) -> ZoneInfo:
    if zone:
        try:
            return ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass  # an odd value from Slack: fall back rather than skip the person
    return ZoneInfo(fallback)
