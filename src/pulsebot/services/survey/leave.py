"""Leave an admin imports (`pulsebot people leave FILE.csv`): who is away from one day through another.

A person on leave is treated as one who paused their own pulses (services/survey/snooze.py): a run
opening on a day of their leave leaves them out of its audience, so it sends them nothing and reminds
them of nothing, and a reminder of a run already open is not sent them while they are away. Nobody but
the admin who imported the file is told; the team's figures move only as they do for a pause.

The file is the whole list (`user_id,from,to`, days as YYYY-MM-DD, both included): an import replaces
every stored period. A file with any problem stores nothing, and the first problem is named in one line
with its file, line and field. What is kept is the Slack id and the two days, not why; a period is
deleted the night after it ends and when its person is forgotten.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import Session, select

from pulsebot.services.people.attributes import BadValue, date_value, user_id_value
from pulsebot.store.among import among
from pulsebot.store.models import LeavePeriod

COLUMNS = ("user_id", "from", "to")
LONGEST = timedelta(days=366)  # longer than a year is better said by taking them out of the channel


class LeaveFileError(Exception):
    """The first problem of a leave file, as one line naming its file, line and field."""


@dataclass(frozen=True)
class Leave:
    user_id: str
    starts: date
    ends: date


def read_leave_file(path: Path) -> list[Leave]:
    """Read and check the whole file; LeaveFileError on the first problem."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LeaveFileError(f"{source}: no such file") from None
    except UnicodeDecodeError:
        raise LeaveFileError(f"{source}: not UTF-8 text; save it as CSV UTF-8") from None
    except OSError as error:
        raise LeaveFileError(f"{source}: cannot be read ({error.strerror})") from None
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().lower() for name in next(reader, [])]
    if tuple(header) != COLUMNS:
        raise LeaveFileError(f"{source}, line 1: the columns must be {','.join(COLUMNS)}")
    periods: list[Leave] = []
    seen: set[tuple[str, date]] = set()
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(COLUMNS):
            raise LeaveFileError(f"{source}, line {line}: {len(values)} fields, expected {len(COLUMNS)}")
        fields = dict(zip(COLUMNS, values, strict=True))
        try:
            leave = _row(fields)
        except _Bad as bad:
            raise LeaveFileError(f"{source}, line {line}, {bad.field}: {bad.text}") from None
        if (leave.user_id, leave.starts) in seen:
            raise LeaveFileError(
                f"{source}, line {line}, from: {leave.user_id}'s leave from that day is listed twice"
            )
        seen.add((leave.user_id, leave.starts))
        periods.append(leave)
    return periods


class _Bad(Exception):
    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field, self.text = field, text


def _row(fields: dict[str, str]) -> Leave:
    values: dict[str, object] = {}
    for name, read in (("user_id", user_id_value), ("from", date_value), ("to", date_value)):
        try:
            values[name] = read(fields[name])
        except BadValue as error:
            raise _Bad(name, str(error)) from None
        if values[name] is None:
            raise _Bad(name, "empty")
    starts, ends = values["from"], values["to"]
    if ends < starts:
        raise _Bad("to", f"{ends.isoformat()} is before {starts.isoformat()}")
    if ends - starts >= LONGEST:
        raise _Bad("to", "leave of more than a year; take them out of the survey's channel instead")
    return Leave(user_id=values["user_id"], starts=starts, ends=ends)


def import_leave(session: Session, *, periods: list[Leave]) -> int:
    """Make the stored leave the file's: every earlier period goes. Returns how many are stored."""
    session.exec(delete(LeavePeriod).execution_options(synchronize_session=False))
    session.add_all(LeavePeriod(user_id=p.user_id, starts=p.starts, ends=p.ends) for p in periods)
    session.flush()
    return len(periods)


def on_leave_among(session: Session, *, people: Iterable[str], on: date) -> set[str]:
    """Which of these people are on leave on the day `on`."""
    people = sorted(set(people))
    if not people:
        return set()
    return set(
        session.exec(
            select(LeavePeriod.user_id).where(
                among(LeavePeriod.user_id, people), LeavePeriod.starts <= on, LeavePeriod.ends >= on
            )
        ).all()
    )


def forget_leave(session: Session, *, user_id: str) -> int:
    statement = delete(LeavePeriod).where(LeavePeriod.user_id == user_id)
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount


def remove_ended_leave(session: Session, *, today: date) -> int:
    """Delete the periods that ended before `today` (retention, every night)."""
    statement = delete(LeavePeriod).where(LeavePeriod.ends < today)
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount
