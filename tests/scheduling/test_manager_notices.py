"""The scheduler's part in digests: drop alerts when a run closes, weekly digests on the manager's Monday."""

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from pulsebot import scheduling
from tests.conftest import ADMIN
from tests.pulse_data import alike, make_team, people, run_week, scores

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
TEAM = people(6)
MANAGER = "U0MGRBER"


def three_weeks(sessions, *, last: list[int]) -> None:
    """Two steady weeks at 4, then a third week whose run is still open."""
    make_team(sessions, managers=(MANAGER,), now=MONDAY - timedelta(days=60))
    for offset, values in enumerate((alike(4, 6), alike(4, 6), last)):
        run_week(
            sessions,
            survey="team-pulse",
            opened=MONDAY + timedelta(weeks=offset),
            audience=TEAM,
            answers=scores(TEAM, values),
            close=offset < 2,
        )


def installed(client, sessions, settings) -> None:
    scheduling.install(scheduling.Runtime(client=client, sessions=sessions, settings=settings))


def test_the_close_job_alerts_the_managers_of_a_team_whose_mood_fell(client, sessions, settings, fake_slack):
    three_weeks(sessions, last=alike(3, 6))
    installed(client, sessions, settings)
    try:
        with freeze_time(MONDAY + timedelta(weeks=2, days=4), tick=True):  # past the third run's close
            scheduling.close_due_runs()
    finally:
        scheduling.install(None)

    alerts = fake_slack.posts_to(MANAGER)
    assert len(alerts) == 1 and "mood fell 1.0 to 3.0 of 5" in alerts[0]["text"]


def test_the_close_job_sends_no_alert_for_a_steady_week(client, sessions, settings, fake_slack):
    three_weeks(sessions, last=alike(4, 6))
    installed(client, sessions, settings)
    try:
        with freeze_time(MONDAY + timedelta(weeks=2, days=4), tick=True):
            scheduling.close_due_runs()
    finally:
        scheduling.install(None)

    assert fake_slack.posts_to(MANAGER) == []


def test_the_digest_job_sends_each_manager_one_digest_after_their_monday_nine(
    client, sessions, settings, fake_slack
):
    fake_slack.add_user(MANAGER, tz="Europe/Berlin")
    three_weeks(sessions, last=[5, 4, 4, 4, 3, 3])
    installed(client, sessions, settings)
    try:
        for moment in ("2026-03-23 07:55+00:00", "2026-03-23 08:05+00:00", "2026-03-23 08:10+00:00"):
            with freeze_time(moment, tick=True):
                scheduling.send_scheduled_digests()
    finally:
        scheduling.install(None)

    digests = [call["channel"] for call in fake_slack.calls_to("chat.postMessage")]
    assert sorted(digests) == sorted([MANAGER, ADMIN])
