"""A pulse that waits (for working hours, or the weekly limit) is checked again when it falls due: someone
whose leave began, or who paused their pulses, in between is not sent it and leaves the run's people
asked, as if they had been paused when it opened, so its response rate counts only those it reached —
unless that would leave the cell its answers carry with fewer people than the run's minimum."""

import pytest
from freezegun import freeze_time
from sqlalchemy import func
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.pulse.pulses import run_view
from pulsebot.slack.publish import send_pulse
from pulsebot.store.models import Delivery, PulseRun, RunCell
from tests.asking.conftest import located, sent_to
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.people.conftest import pulsebot, write_csv
from tests.scheduling.conftest import apply, utc

ALICE, BOB, CAROL, DAVE, ERIN = TEAM  # in Europe/Berlin
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
delivery: dm
timezone: Europe/Berlin
open_days: 4
reminders: ["1d"]
questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""
SATURDAY = utc(2027, 3, 20, 10)  # a day off: the pulse waits for Monday 09:00 in Berlin
MONDAY_NINE = utc(2027, 3, 22, 8)


def asked(sessions, run_id: int) -> list[str]:
    with sessions() as session:
        return sorted(session.exec(select(Delivery.user_id).where(Delivery.run_id == run_id)).all())


@pytest.mark.usefixtures("office_runtime")
def test_leave_or_a_pause_that_begins_before_a_waiting_pulse_keeps_it_back(
    cli_env, slack, sessions, client, office_settings, fake_slack, tmp_path
):
    apply(sessions, SURVEY)  # nobody has an attribute recorded: the run has no cells
    with freeze_time(SATURDAY):
        run = send_pulse(client, sessions, settings=office_settings, survey_name="team-pulse", now=SATURDAY)
    assert sent_to(fake_slack) == [] and run.audience == 5

    # After the run opened: Alice's leave from Monday is imported, and Bob pauses on Sunday.
    leave = write_csv(tmp_path, f"user_id,from,to\n{ALICE},2027-03-22,2027-03-26\n")
    assert pulsebot(cli_env, "people", "leave", str(leave)).exit_code == 0
    with freeze_time(utc(2027, 3, 21, 12), tick=True):
        assert "paused" in slack.command("/pulse", "snooze 1w", user=BOB).text.lower()

    fake_slack.reset_calls()
    with freeze_time(MONDAY_NINE):
        scheduling.deliver_due_pulses()
    assert sent_to(fake_slack) == sorted([CAROL, DAVE, ERIN])

    # They are out of the run: its people asked, and so the response rate it will release, count the
    # three it reached; the weekly limit held no one.
    assert asked(sessions, run.run_id) == sorted([CAROL, DAVE, ERIN])
    with sessions() as session:
        assert run_view(session, run_id=run.run_id).audience == 3
        assert session.get(PulseRun, run.run_id).held == 0

    fake_slack.reset_calls()
    with freeze_time(utc(2027, 3, 23, 8)):  # a day later: the reminder reaches only those it was sent to
        scheduling.deliver_due_pulses()
        scheduling.send_due_reminders()
    assert sent_to(fake_slack) == sorted([CAROL, DAVE, ERIN])


@pytest.mark.usefixtures("office_runtime")
def test_a_waiting_pulse_is_still_sent_when_taking_it_back_would_leave_its_cell_under_the_minimum(
    slack, sessions, client, office_settings, fake_slack
):
    # One cell of exactly five (the minimum): an answer carrying it must stay one of five people's who
    # could have given it, so Bob's pause after the run opened does not take his waiting pulse back.
    located(sessions, dict.fromkeys(TEAM, "Lyon"))
    apply(sessions, SURVEY)
    with freeze_time(SATURDAY):
        run = send_pulse(client, sessions, settings=office_settings, survey_name="team-pulse", now=SATURDAY)
    with freeze_time(utc(2027, 3, 21, 12), tick=True):
        assert "paused" in slack.command("/pulse", "snooze 1w", user=BOB).text.lower()

    fake_slack.reset_calls()
    with freeze_time(MONDAY_NINE):
        scheduling.deliver_due_pulses()
    assert sent_to(fake_slack) == sorted(TEAM) and asked(sessions, run.run_id) == sorted(TEAM)
    with sessions() as session:
        assert session.exec(select(func.sum(RunCell.people)).where(RunCell.run_id == run.run_id)).one() == 5


@pytest.mark.usefixtures("office_runtime")
def test_a_pause_that_ends_before_the_pulse_falls_due_keeps_no_one_back(
    slack, sessions, client, office_settings, fake_slack
):
    apply(sessions, SURVEY)
    with freeze_time(SATURDAY):
        run = send_pulse(client, sessions, settings=office_settings, survey_name="team-pulse", now=SATURDAY)
    with freeze_time(utc(2027, 3, 20, 12), tick=True):  # Saturday: paused through Sunday
        assert "paused" in slack.command("/pulse", "snooze 2d", user=BOB).text.lower()

    with freeze_time(MONDAY_NINE):
        scheduling.deliver_due_pulses()
    assert sent_to(fake_slack) == sorted(TEAM) and asked(sessions, run.run_id) == sorted(TEAM)
