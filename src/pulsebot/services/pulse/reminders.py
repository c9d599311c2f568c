"""Reminders: at most two per run, by DM, only to people who have answered nothing.

The reminder knows *whether* someone answered, never *what*: it recomputes each person's answer token
and looks for it. Nothing stored says who had answered by then: when a reminder time passes, every
delivery row of the run counts it, whether or not its person is sent a DM. Someone who paused their
pulses while the run was open (services/survey/snooze.py) is counted too, and sent nothing. A reminder
time that passes outside someone's working hours, or on a holiday of theirs (services/pulse/asking.py),
is counted for them at their next working moment, while the run is open.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from pulsebot.services.people.workspace_people import zones_of
from pulsebot.services.privacy.roles import sees_team_results
from pulsebot.services.pulse.answers import answered_among
from pulsebot.services.pulse.asking import ANY_TIME, AskingRules, calendars
from pulsebot.services.survey.schedules import parse_reminders, reminder_times
from pulsebot.services.survey.snooze import snoozed_among
from pulsebot.store.models import Delivery, DeliveryMode, DeliveryStatus, PulseRun, RunStatus, Survey


@dataclass(frozen=True)
class DueReminder:
    delivery_id: int
    run_id: int
    user_id: str
    title: str
    delivery: DeliveryMode
    channel_id: str  # the survey's channel, where a channel pulse is answered
    closes_at: datetime
    timezone: str
    reminders_due: int  # how many of the run's reminder times have passed for this person
    answered: bool  # then the reminder time is counted, and no DM goes out
    survey_id: int
    asks_viewers: bool  # the survey asks those who can see its results too (`managers_answer`)
    snoozed: bool = False  # paused their pulses since the run opened: counted, and no DM goes out


def due_reminders(
    session: Session, *, now: datetime, key: bytes, rules: AskingRules = ANY_TIME
) -> list[DueReminder]:
    """Deliveries whose reminder time has come, answered or not (only the unanswered get a DM). If two
    reminder times passed while pulsebot was down, one DM is owed. A person outside their working time
    now (`rules`, in their time zone as the directory holds it, else the survey's) is left for a later
    pass: their reminder time is counted, and any DM sent, at their next working moment."""
    rows = session.exec(
        select(Delivery, PulseRun, Survey)
        .join(PulseRun, PulseRun.id == Delivery.run_id)
        .join(Survey, Survey.id == PulseRun.survey_id)
        .where(
            PulseRun.status == RunStatus.open,
            PulseRun.closes_at > now,
            Survey.reminders.is_not(None),
            Delivery.status == DeliveryStatus.sent,
        )
        .order_by(Delivery.id)
    ).all()
    due = []
    for delivery, run, survey in rows:
        times = reminder_times(
            parse_reminders(survey.reminders),
            delivered_at=delivery.due_at or run.opened_at,
            closes_at=run.closes_at,
        )
        passed = sum(1 for moment in times if moment <= now)
        if passed > delivery.reminders_sent:
            due.append((delivery, run, survey, passed))
    if rules != ANY_TIME and due:
        due = _in_working_time(session, due, now=now, rules=rules)
    # Who of them answered: their tokens recomputed, one look-up per run rather than one per person.
    people: dict[int, list[str]] = defaultdict(list)
    for delivery, run, _survey, _passed in due:
        people[run.id].append(delivery.user_id)
    answered = {
        run_id: answered_among(session, run_id=run_id, people=members, key=key)
        for run_id, members in people.items()
    }
    paused: dict[str, set[str]] = {}  # by the survey's time zone: whose pause covers its today
    for delivery, _run, survey, _passed in due:
        paused.setdefault(survey.timezone, set()).add(delivery.user_id)
    for zone, members in paused.items():
        today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
        paused[zone] = snoozed_among(session, people=members, on=today)
    return [
        DueReminder(
            delivery_id=delivery.id,
            run_id=run.id,
            user_id=delivery.user_id,
            title=survey.title,
            delivery=survey.delivery,
            channel_id=survey.channel_id,
            closes_at=run.closes_at,
            timezone=survey.timezone,
            reminders_due=passed,
            answered=delivery.user_id in answered[run.id],
            survey_id=survey.id,
            asks_viewers=survey.managers_answer,
            snoozed=delivery.user_id in paused[survey.timezone],
        )
        for delivery, run, survey, passed in due
    ]


def _in_working_time(session: Session, due: list, *, now: datetime, rules: AskingRules) -> list:
    people = {delivery.user_id for delivery, *_ in due}
    zones = zones_of(session, people=people)
    by_zone: dict[str, set[str]] = defaultdict(set)  # the survey's zone stands in for a person without one
    for delivery, _run, survey, _passed in due:
        by_zone[survey.timezone].add(delivery.user_id)
    working = {
        (zone, person)
        for zone, members in by_zone.items()
        for person, calendar in calendars(
            session, people=members, zones=zones, fallback_zone=zone, rules=rules
        ).items()
        if calendar.working(now)
    }
    return [row for row in due if (row[2].timezone, row[0].user_id) in working]


def mark_reminded(session: Session, *, delivery_id: int, reminders_due: int) -> bool:
    """Count the reminder time as passed before sending anything; False if another sender counted it
    first. One conditional UPDATE, so two senders can never both send it."""
    counted = session.exec(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.reminders_sent < reminders_due)
        .values(reminders_sent=reminders_due)
    )
    return counted.rowcount == 1


def left_out(session: Session, reminder: DueReminder, *, is_admin: bool) -> bool:
    """Whether the person came to see the team's results while the run was open (and the survey does not
    ask such people): they keep their delivery, but are no longer asked to answer."""
    return not reminder.asks_viewers and sees_team_results(
        session, survey_id=reminder.survey_id, user_id=reminder.user_id, is_admin=is_admin
    )
