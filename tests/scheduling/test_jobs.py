"""The scheduler's jobs: stable ids and triggers in each survey's time zone, built from the surveys,
in step with pauses and edits, and opening runs at the right instant across DST changes."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.survey.schedules import next_open_times
from pulsebot.services.survey.surveys import set_paused
from pulsebot.store.db import transaction
from pulsebot.store.models import PulseRun, Survey
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.scheduling.conftest import apply, utc

NY_CHANNEL = "G0NEWYORK"

SURVEYS = f"""\
surveys:
  - name: berlin
    channel: {PULSE_CHANNEL}
    schedule: "0 10 * * tue"
    timezone: Europe/Berlin
    questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
  - name: newyork
    channel: {NY_CHANNEL}
    schedule: "0 10 * * tue"
    timezone: America/New_York
    questions: [{{key: enps, kind: enps}}]
  - name: local
    channel: {PULSE_CHANNEL}
    delivery: dm
    per_person_local_time: true
    schedule: "0 10 * * tue"
    timezone: Europe/Berlin
    questions: [{{key: enps, kind: enps}}]
  - name: adhoc
    channel: {PULSE_CHANNEL}
    questions: [{{key: enps, kind: enps}}]
"""


def jobs_by_id(scheduler) -> dict:
    return {job.id: job for job in scheduler.get_jobs()}


def test_each_active_scheduled_survey_gets_a_stable_job_in_its_own_time_zone(paused_scheduler, sessions):
    with freeze_time("2027-03-20 12:00:00"):
        apply(sessions, SURVEYS)
        scheduling.register_jobs(paused_scheduler, sessions)

    jobs = jobs_by_id(paused_scheduler)

    assert set(jobs) == {
        *scheduling.SWEEPS,
        scheduling.DIGEST_JOB,
        scheduling.RETENTION_JOB,
        scheduling.ONBOARDING_JOB,
        "pulse-open:berlin",
        "pulse-open:newyork",
        "pulse-open:local",
    }
    berlin, newyork, local = jobs["pulse-open:berlin"], jobs["pulse-open:newyork"], jobs["pulse-open:local"]
    assert (berlin.func_ref, berlin.args) == ("pulsebot.scheduling:open_scheduled_run", ("berlin",))
    assert str(berlin.trigger.timezone) == "Europe/Berlin"
    assert str(newyork.trigger.timezone) == "America/New_York"
    assert str(local.trigger.timezone) == "Etc/GMT-14"  # opens as the day begins anywhere on Earth
    assert berlin.next_run_time == utc(2027, 3, 23, 9)  # 10:00 CET
    assert newyork.next_run_time == utc(2027, 3, 23, 14)  # 10:00 EDT: the US changed on 14 March
    assert local.next_run_time == utc(2027, 3, 22, 20)  # 10:00 on Tuesday in UTC+14
    for job in (berlin, newyork, local):
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert job.misfire_grace_time == scheduling.OPEN_GRACE.total_seconds()
    for job_id, func in scheduling.SWEEPS.items():
        assert jobs[job_id].func_ref == func
        assert jobs[job_id].trigger.interval == timedelta(minutes=1)
        assert jobs[job_id].coalesce is True
    digests = jobs[scheduling.DIGEST_JOB]
    assert digests.func_ref == "pulsebot.scheduling:send_scheduled_digests"
    assert digests.trigger.interval == timedelta(minutes=5)
    purge = jobs[scheduling.RETENTION_JOB]
    assert purge.func_ref == "pulsebot.scheduling:purge_old_data"
    assert purge.next_run_time == utc(2027, 3, 21, 3, 17)  # daily, the next 03:17 UTC
    assert (purge.coalesce, purge.misfire_grace_time) == (True, scheduling.OPEN_GRACE.total_seconds())
    onboarding = jobs[scheduling.ONBOARDING_JOB]
    assert onboarding.func_ref == "pulsebot.scheduling:send_onboarding_pulses"
    assert onboarding.next_run_time == utc(2027, 3, 20, 12, 7)  # hourly, at a fixed minute


def test_sync_follows_pause_resume_and_edits_but_leaves_a_due_job_alone(paused_scheduler, sessions):
    apply(sessions, SURVEYS)
    scheduling.register_jobs(paused_scheduler, sessions)
    overdue = datetime.now(UTC) - timedelta(hours=1)
    paused_scheduler.modify_job("pulse-open:berlin", next_run_time=overdue)  # fell due while stopped

    with transaction(sessions) as session:
        set_paused(session, name="newyork", paused=True, now=datetime.now(UTC))
    assert scheduling.sync_jobs(paused_scheduler, sessions) == {"pulse-open:newyork": "removed"}
    assert jobs_by_id(paused_scheduler)["pulse-open:berlin"].next_run_time == overdue  # not recomputed

    with transaction(sessions) as session:
        set_paused(session, name="newyork", paused=False, now=datetime.now(UTC))
    apply(
        sessions,
        SURVEYS.replace(
            'schedule: "0 10 * * tue"\n    timezone: Europe/Berlin\n    questions: [{key: w',
            'schedule: "30 9 * * mon"\n    timezone: Europe/Berlin\n    questions: [{key: w',
        ),
    )
    assert scheduling.sync_jobs(paused_scheduler, sessions) == {
        "pulse-open:newyork": "added",
        "pulse-open:berlin": "rescheduled",
    }
    assert "day_of_week='mon'" in repr(jobs_by_id(paused_scheduler)["pulse-open:berlin"].trigger)
    assert scheduling.sync_jobs(paused_scheduler, sessions) == {}


def daily_an_hour_ago() -> str:
    """A survey whose daily fire time passed an hour ago (UTC), as if while nothing was running."""
    fire = datetime.now(UTC) - timedelta(hours=1)
    return f"""\
surveys:
  - name: daily
    channel: {PULSE_CHANNEL}
    schedule: "{fire.minute} {fire.hour} * * *"
    timezone: UTC
    questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""


def test_a_run_due_while_no_scheduler_ran_opens_when_one_starts_and_only_once(
    client, sessions, settings, fake_slack
):
    apply(sessions, daily_an_hour_ago())

    for _ in range(2):  # a restart, then a takeover by another process: the jobs are built anew each time
        scheduler = scheduling.start(client=client, sessions=sessions, settings=settings)  # as `pulsebot run`
        try:
            fake_slack.wait_for("chat.postMessage")
            time.sleep(0.5)  # long enough for a second post, were there one
            assert jobs_by_id(scheduler)["pulse-open:daily"].next_run_time > datetime.now(UTC)
        finally:
            scheduler.shutdown(wait=True)
            scheduling.install(None)

    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    with sessions() as session:
        assert len(session.exec(select(PulseRun)).all()) == 1


def test_a_new_survey_whose_time_has_passed_today_is_not_opened_by_a_sync(paused_scheduler, sessions):
    apply(sessions, daily_an_hour_ago())
    scheduling.sync_jobs(paused_scheduler, sessions)
    assert jobs_by_id(paused_scheduler)["pulse-open:daily"].next_run_time > datetime.now(UTC)


def test_runs_open_at_ten_local_in_berlin_and_new_york_across_the_march_dst_changes(
    paused_scheduler, sessions, fake_slack
):
    fake_slack.add_channel(NY_CHANNEL, TEAM[:3])
    with freeze_time("2027-03-06 12:00:00"):
        apply(sessions, SURVEYS)
        scheduling.register_jobs(paused_scheduler, sessions)
    jobs = jobs_by_id(paused_scheduler)
    for name in ("berlin", "newyork"):
        # The stored job's trigger says when; the job, run at that frozen instant, opens the run.
        for fire in next_open_times(jobs[f"pulse-open:{name}"].trigger, after=utc(2027, 3, 6), count=4):
            with freeze_time(fire):
                scheduling.open_scheduled_run(name)
    with sessions() as session:
        runs = session.exec(select(Survey.name, PulseRun).join(Survey).order_by(PulseRun.id)).all()
    opened = {
        name: [run.opened_at for survey, run in runs if survey == name] for name in ("berlin", "newyork")
    }
    assert {run.run_date.weekday() for _, run in runs} == {1}  # all on Tuesdays, local time

    # Berlin: CET until Sunday 28 March. New York: EST until Sunday 14 March.
    assert opened["berlin"] == [
        utc(2027, 3, 9, 9),
        utc(2027, 3, 16, 9),
        utc(2027, 3, 23, 9),
        utc(2027, 3, 30, 8),
    ]
    assert opened["newyork"] == [
        utc(2027, 3, 9, 15),
        utc(2027, 3, 16, 14),
        utc(2027, 3, 23, 14),
        utc(2027, 3, 30, 14),
    ]
    channels = [post["channel"] for post in fake_slack.calls_to("chat.postMessage")]
    assert channels == [PULSE_CHANNEL] * 4 + [NY_CHANNEL] * 4


@pytest.mark.usefixtures("runtime")
def test_a_paused_survey_opens_no_run_on_its_schedule(sessions, fake_slack):
    apply(sessions, SURVEYS)
    with transaction(sessions) as session:
        set_paused(session, name="berlin", paused=True, now=datetime.now(UTC))

    with freeze_time("2027-03-23 09:00:00"):
        scheduling.open_scheduled_run("berlin")

    assert fake_slack.calls_to("chat.postMessage") == []
    with sessions() as session:
        assert session.exec(select(PulseRun)).all() == []
