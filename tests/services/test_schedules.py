"""Schedule arithmetic: cron in a survey's time zone across DST changes, per-person local times, reminders."""

from datetime import UTC, datetime, timedelta

import pytest

from pulsebot.services.survey.schedules import (
    latest_fire_time,
    next_open_times,
    open_trigger,
    parse_reminder,
    personal_due_times,
    reminder_times,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def tuesdays_at_ten(zone: str, after: datetime, count: int = 2) -> list[datetime]:
    trigger = open_trigger(schedule="0 10 * * tue", timezone=zone, per_person_local_time=False)
    return next_open_times(trigger, after=after, count=count)


def test_berlin_keeps_ten_oclock_local_across_both_dst_changes():
    # Summer time starts on Sunday 28 March 2027 and ends on Sunday 25 October 2026.
    assert tuesdays_at_ten("Europe/Berlin", utc(2027, 3, 20)) == [utc(2027, 3, 23, 9), utc(2027, 3, 30, 8)]
    assert tuesdays_at_ten("Europe/Berlin", utc(2026, 10, 17)) == [utc(2026, 10, 20, 8), utc(2026, 10, 27, 9)]


def test_new_york_keeps_ten_oclock_local_across_both_dst_changes():
    # Daylight time starts on Sunday 14 March 2027 and ends on Sunday 1 November 2026.
    assert tuesdays_at_ten("America/New_York", utc(2027, 3, 6)) == [utc(2027, 3, 9, 15), utc(2027, 3, 16, 14)]
    assert tuesdays_at_ten("America/New_York", utc(2026, 10, 24)) == [
        utc(2026, 10, 27, 14),
        utc(2026, 11, 3, 15),
    ]


def test_between_the_two_changes_berlin_and_new_york_are_five_hours_apart_not_six():
    berlin = tuesdays_at_ten("Europe/Berlin", utc(2027, 3, 20), count=1)[0]
    new_york = tuesdays_at_ten("America/New_York", utc(2027, 3, 20), count=1)[0]

    assert new_york - berlin == timedelta(hours=5)
    assert tuesdays_at_ten("America/New_York", utc(2027, 3, 27), count=1)[0] - tuesdays_at_ten(
        "Europe/Berlin", utc(2027, 3, 27), count=1
    )[0] == timedelta(hours=6)


def test_a_per_person_survey_opens_when_the_day_and_time_first_arrive_anywhere():
    trigger = open_trigger(schedule="0 10 * * tue", timezone="Europe/Berlin", per_person_local_time=True)

    # 10:00 on Tuesday 23 March in UTC+14 is 20:00 UTC on Monday 22 March.
    assert next_open_times(trigger, after=utc(2027, 3, 20)) == [utc(2027, 3, 22, 20)]


def test_each_person_is_due_at_ten_in_their_own_zone_on_the_same_day():
    zones = {
        "U0BERLIN": "Europe/Berlin",
        "U0NY": "America/New_York",
        "U0TOKYO": "Asia/Tokyo",
        "U0NOZONE": None,
        "U0ODD": "Not/AZone",
    }

    due = personal_due_times(
        scheduled_for=utc(2027, 3, 22, 20),
        zones=zones,
        fallback_zone="Europe/London",
        now=utc(2027, 3, 22, 20),
    )

    assert due == {
        "U0BERLIN": utc(2027, 3, 23, 9),  # CET, summer time starts five days later
        "U0NY": utc(2027, 3, 23, 14),  # EDT since 14 March
        "U0TOKYO": utc(2027, 3, 23, 1),
        "U0NOZONE": utc(2027, 3, 23, 10),  # no zone in Slack: the survey's (London, still GMT)
        "U0ODD": utc(2027, 3, 23, 10),
    }


def test_a_late_run_delivers_at_once_to_those_whose_time_has_passed():
    due = personal_due_times(
        scheduled_for=utc(2027, 3, 22, 20),
        zones={"U0TOKYO": "Asia/Tokyo", "U0NY": "America/New_York"},
        fallback_zone="UTC",
        now=utc(2027, 3, 23, 5),
    )

    assert due == {"U0TOKYO": utc(2027, 3, 23, 5), "U0NY": utc(2027, 3, 23, 14)}


def test_a_late_job_finds_the_fire_time_it_is_for():
    trigger = open_trigger(schedule="0 10 * * tue", timezone="Europe/Berlin", per_person_local_time=False)

    assert latest_fire_time(trigger, now=utc(2027, 3, 23, 13), lookback=timedelta(hours=12)) == utc(
        2027, 3, 23, 9
    )
    assert latest_fire_time(trigger, now=utc(2027, 3, 24, 13), lookback=timedelta(hours=12)) is None


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("24h", "24h after open"),
        ("2h before close", "2h before close"),
        ("1d  after   open", "1d after open"),
        ("90m Before Close", "90m before close"),
    ],
)
def test_reminders_are_read_in_one_spelling(text, spelled):
    assert str(parse_reminder(text)) == spelled


@pytest.mark.parametrize("text", ["soon", "24", "2 weeks before close", "0h", "3h after close"])
def test_a_reminder_that_is_not_a_time_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="reminder"):
        parse_reminder(text)


def test_reminder_times_are_relative_to_delivery_and_close():
    opened, closes = utc(2027, 3, 23, 9), utc(2027, 3, 26, 9)
    reminders = [parse_reminder("2h before close"), parse_reminder("24h")]

    assert reminder_times(reminders, delivered_at=opened, closes_at=closes) == [
        utc(2027, 3, 24, 9),
        utc(2027, 3, 26, 7),
    ]
    # Someone who got the pulse late (their local time) is reminded 24 hours after *they* got it.
    assert reminder_times(reminders, delivered_at=utc(2027, 3, 23, 14), closes_at=closes)[0] == utc(
        2027, 3, 24, 14
    )
