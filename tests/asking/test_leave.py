"""`pulsebot people leave FILE.csv`: an admin imports who is on leave and when; nobody is sent a pulse or
a reminder on a day of their leave, nor asked by a run opening then; a bad file stores nothing and says
which file, line and field in one line."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.privacy.retention import run_retention
from pulsebot.slack.publish import send_pulse
from pulsebot.store.models import LeavePeriod
from tests.asking.conftest import sent_to
from tests.attack_steps import forget_me
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.people.conftest import pulsebot, write_csv
from tests.scheduling.conftest import apply, utc

ALICE, BOB, CAROL, DAVE, ERIN = TEAM
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
delivery: dm
timezone: Europe/Berlin
open_days: 4
reminders: ["2d"]
questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""


def stored(sessions) -> list[tuple[str, date, date]]:
    with sessions() as session:
        rows = session.exec(select(LeavePeriod).order_by(LeavePeriod.user_id, LeavePeriod.starts)).all()
        return [(row.user_id, row.starts, row.ends) for row in rows]


@pytest.mark.usefixtures("office_runtime")
def test_someone_on_leave_is_neither_asked_nor_reminded(
    cli_env, sessions, client, office_settings, fake_slack, tmp_path
):
    leave = write_csv(
        tmp_path, f"user_id,from,to\n{ALICE},2027-03-22,2027-03-26\n{BOB},2027-03-25,2027-04-02\n"
    )
    done = pulsebot(cli_env, "people", "leave", str(leave))
    assert done.exit_code == 0, done.output
    assert done.stdout == "people.csv: 2 periods of leave stored\n"
    apply(sessions, SURVEY)

    with freeze_time(utc(2027, 3, 23, 10)):  # Alice is away; Bob's leave begins on Thursday
        run = send_pulse(
            client, sessions, settings=office_settings, survey_name="team-pulse", now=utc(2027, 3, 23, 10)
        )
    assert sent_to(fake_slack) == sorted([BOB, CAROL, DAVE, ERIN]) and run.audience == 4

    fake_slack.reset_calls()
    with freeze_time(utc(2027, 3, 25, 10)):  # the reminder: Bob is on leave by now
        scheduling.send_due_reminders()
    assert sent_to(fake_slack) == sorted([CAROL, DAVE, ERIN])


def test_a_bad_row_names_its_file_line_and_field_and_stores_nothing(cli_env, sessions, tmp_path):
    good = write_csv(tmp_path, f"user_id,from,to\n{ALICE},2027-03-22,2027-03-26\n", name="leave.csv")
    assert pulsebot(cli_env, "people", "leave", str(good)).exit_code == 0

    for rows, said in [
        (f"{BOB},2027-04-01,2027-04-02\n{CAROL},2027-04-31,2027-05-02\n", "leave.csv, line 3, from: "),
        (f"{BOB},2027-04-05,2027-04-02\n", "leave.csv, line 2, to: 2027-04-02 is before 2027-04-05"),
        ("carol,2027-04-01,2027-04-02\n", "leave.csv, line 2, user_id: 'carol' is not a Slack user id"),
        (f"{BOB},,2027-04-02\n", "leave.csv, line 2, from: empty"),
    ]:
        bad = write_csv(tmp_path, "user_id,from,to\n" + rows, name="leave.csv")
        result = pulsebot(cli_env, "people", "leave", str(bad))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"pulsebot: {said}") and result.stderr.count("\n") == 1, result.stderr
        assert stored(sessions) == [(ALICE, date(2027, 3, 22), date(2027, 3, 26))]


def test_forget_me_deletes_someones_leave_and_retention_deletes_ended_leave(
    cli_env, slack, fake_slack, sessions, tmp_path
):
    leave = write_csv(
        tmp_path,
        f"user_id,from,to\n{ALICE},2027-06-01,2027-06-30\n{BOB},2027-06-01,2027-06-15\n"
        f"{ERIN},2027-06-10,2027-06-16\n",
    )
    assert pulsebot(cli_env, "people", "leave", str(leave)).exit_code == 0

    forget_me(slack, fake_slack, ALICE)
    assert [row[0] for row in stored(sessions)] == [BOB, ERIN]

    run_retention(sessions, days=730, min_group=5, now=utc(2027, 6, 16, 3))
    assert stored(sessions) == [(ERIN, date(2027, 6, 10), date(2027, 6, 16))]  # ends today: kept until it has
