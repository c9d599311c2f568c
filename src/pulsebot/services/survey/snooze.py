"""Snooze: a person pauses their own pulses for a while (`/pulse snooze 2w`, App Home), or while they
are on leave (`/pulse snooze until 2027-01-15`), and resumes them (`/pulse snooze off`).

What is kept is their Slack id and the last day of the pause, nothing else: not why, not since when. A
run that opens on a day of the pause leaves them out of its audience (survey/audience.py), so it sends
them nothing, reminds them of nothing, and its response rate counts only the people it asked. A run
already open when they snooze keeps them in its audience (it was sent, or is being sent, and its
figures rest on who it asked when it opened), but reminds them of nothing; a pulse of it that has not
gone out yet (it waits for working hours or the weekly limit) is taken back when it falls due on a day
of the pause (services/pulse/outbox.py `withdraw`).

Nobody but the person is told who snoozed. A team's figures say only how many people a run asked, and
only for a run enough of them answered: the same count that moves when someone leaves the channel.
A snooze is deleted the night after it ends (privacy/retention.py) and when its person is forgotten.

Days are counted in UTC: `2w` pauses today and the thirteen days after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from pulsebot.i18n import N_, Translator
from pulsebot.services.errors import Invalid
from pulsebot.services.survey.leave import on_leave_among
from pulsebot.store.among import among
from pulsebot.store.models import Snooze
from pulsebot.store.scoping import SINGLE_WORKSPACE, TEAM
from pulsebot.store.upsert import upsert

LONGEST = timedelta(days=365)  # a pause longer than a year is better said by leaving the channel
USAGE = N_(
    "`/pulse snooze 2w` pauses your pulses for two weeks (or `1w`, `3d`…), "
    "`/pulse snooze until 2027-01-15` while you are on leave, and `/pulse snooze off` resumes them."
)
_DURATION = re.compile(r"(\d{1,3})\s*([dw])")
_UNIT_DAYS = {"d": 1, "w": 7}


@dataclass(frozen=True)
class SnoozeChange:
    """What `/pulse snooze …` asks for: a pause through a day, or the end of one (`through` None)."""

    through: date | None


def parse_snooze(text: str, *, today: date) -> SnoozeChange:
    """`2w`, `3d`, `off`, or `until YYYY-MM-DD`; anything else is refused with one line saying why."""
    words = text.strip().lower()
    if words in ("off", "stop", "resume"):
        return SnoozeChange(through=None)
    if match := _DURATION.fullmatch(words):
        days = int(match[1]) * _UNIT_DAYS[match[2]]
        if days < 1:
            raise Invalid(
                N_("Pause for at least one day, for example `/pulse snooze 3d`. {usage}"), usage=_usage
            )
        return SnoozeChange(through=_within_a_year(today + timedelta(days=days - 1), today))
    if words.startswith("until"):
        written = words.removeprefix("until").strip()
        try:
            through = date.fromisoformat(written)
        except ValueError:
            raise Invalid(
                N_(
                    "“{written}” is not a date I can read: write it as YYYY-MM-DD, for example "
                    "`/pulse snooze until 2027-01-15` (your last day away)."
                ),
                written=written or "(nothing)",
            ) from None
        if through < today:
            raise Invalid(
                N_("{day} has passed: give your last day away, today or later."),
                day=lambda tr: tr.day_month_year(through),
            )
        return SnoozeChange(through=_within_a_year(through, today))
    raise Invalid(N_("I don't understand “{text}”. {usage}"), text=text.strip(), usage=_usage)


def _usage(tr: Translator) -> str:
    return tr.gettext(USAGE)


def _within_a_year(through: date, today: date) -> date:
    if through - today >= LONGEST:
        last = today + LONGEST - timedelta(days=1)
        raise Invalid(
            N_(
                "A pause can last a year at most (until {day}). "
                "Someone away for longer can be taken out of the survey's channel."
            ),
            day=lambda tr: tr.day_month_year(last),
        )
    return through


def set_snooze(session: Session, *, user_id: str, change: SnoozeChange) -> bool:
    """Pause (or resume) the person's pulses; False when resuming someone who was not paused."""
    if change.through is None:
        return forget_snooze(session, user_id=user_id) > 0
    # One statement, so a double click cannot collide with itself; written outside the ORM, so the
    # session's workspace is set here rather than stamped on the row.
    team_id = session.info.get(TEAM) or SINGLE_WORKSPACE
    upsert(
        session,
        Snooze.__table__,
        [{"team_id": team_id, "user_id": user_id, "through": change.through}],
        key=("team_id", "user_id"),
        update=("through",),
    )
    return True


def snoozed_through(session: Session, *, user_id: str, today: date) -> date | None:
    """The last day of the person's pause, if they are paused today or later."""
    found = session.exec(select(Snooze.through).where(Snooze.user_id == user_id)).first()
    return found if found is not None and found >= today else None


def snoozed_among(session: Session, *, people: Iterable[str], on: date) -> set[str]:
    """Which of these people have paused their pulses on the day `on`, or are on leave then as an admin
    imported it (services/survey/leave.py): both are left alone alike."""
    people = sorted(set(people))
    if not people:
        return set()
    paused = session.exec(select(Snooze.user_id).where(among(Snooze.user_id, people), Snooze.through >= on))
    return set(paused.all()) | on_leave_among(session, people=people, on=on)


def forget_snooze(session: Session, *, user_id: str) -> int:
    return session.exec(
        delete(Snooze).where(Snooze.user_id == user_id).execution_options(synchronize_session=False)
    ).rowcount


def remove_ended(session: Session, *, today: date) -> int:
    """Delete the pauses that ended before `today` (retention, every night)."""
    return session.exec(
        delete(Snooze).where(Snooze.through < today).execution_options(synchronize_session=False)
    ).rowcount
