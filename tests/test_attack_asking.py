"""Attack: a manager learns who was held back by the weekly limit, waited out a holiday or the night, or
is on leave, by comparing what their team's weeks say.

A person the weekly limit or their working hours kept from a run before it closed is left out of its
audience, as a paused one is; one whose pulse came late is asked and may not answer. Either way the
week's count of people asked is shown only beside a response rate enough people answered for, and the
count of sends the limit held only when it is at least the minimum group. In a team of exactly the
minimum group, Alice held by the limit one week, kept by a holiday of hers another and on leave a third
reads, in the weekly digest and in every view of the team, like a week she simply did not answer.
"""

from datetime import time, timedelta

from freezegun import freeze_time

from pulsebot.slack.digest import send_digests
from pulsebot.slack.outbox import deliver_due
from pulsebot.slack.publish import send_pulse
from tests.asking.conftest import located
from tests.attack_steps import apply_yaml, close_run, every_view, export_rows, wait_for_answers
from tests.conftest import MANAGER, PULSE_CHANNEL, TEAM
from tests.people.conftest import pulsebot
from tests.pulse_steps import click_answer
from tests.scheduling.conftest import utc

ALICE = TEAM[0]
GUILD = "C0GUILD"
# Five Thursdays: everyone answers; Corpus Christi, a holiday in Munich, where Alice works; Alice has had
# her two pulses of the week from her guild by Thursday; Alice does not answer; Alice is on leave.
WEEKS = [utc(2027, 5, 20, 10), utc(2027, 5, 27, 10), utc(2027, 6, 3, 10), utc(2027, 6, 10, 10)]
WEEKS.append(utc(2027, 6, 17, 10))


def survey(name: str, channel: str, *, managers: str = "", open_days: int = 1) -> str:
    return f"""\
name: {name}
title: {name} pulse
channel: {channel}
delivery: dm
timezone: Europe/Berlin
open_days: {open_days}
{managers}questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
"""


def a_week(slack, sessions, client, settings, *, opened, answering: list[str]):
    with freeze_time(opened, tick=True):
        run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=opened)
    with freeze_time(opened + timedelta(hours=21), tick=True):  # the next morning: a late pulse goes out
        deliver_due(client, sessions)
        for count, (person, value) in enumerate(zip(answering, [2, 3, 4, 3, 3], strict=False), start=1):
            click_answer(slack, run, person, value)
            wait_for_answers(sessions, run.run_id, count)
    close_run(client, sessions, run, settings=settings)
    return run


def weekly_digest(client, sessions, settings, fake_slack, *, monday) -> str:
    fake_slack.reset_calls()
    with freeze_time(monday, tick=True):
        send_digests(client, sessions, settings, now=monday, survey_name="team-pulse")
    (post,) = fake_slack.posts_to(MANAGER)
    return str(post["blocks"])


def test_a_manager_cannot_tell_a_held_or_holiday_colleague_from_one_who_did_not_answer(
    slack, fake_slack, sessions, client, settings, cli_env, tmp_path
):
    office = settings.model_copy(
        update={
            "working_hours": (time(9, 0), time(18, 0)),
            "working_days": frozenset(range(5)),
            "holiday_locations": {"munich": "DE-BY"},
            "pulses_per_week": 2,
        }
    )
    fake_slack.add_channel(GUILD, [ALICE, "U0GUILD1", "U0GUILD2", "U0GUILD3", "U0GUILD4"])
    before = WEEKS[0] - timedelta(days=30)
    apply_yaml(sessions, survey("team-pulse", PULSE_CHANNEL, managers=f"managers: [{MANAGER}]\n"), now=before)
    for name in ("guild-a", "guild-b"):
        apply_yaml(sessions, survey(name, GUILD, open_days=10), now=before)
    located(sessions, {ALICE: "Munich"})

    weeks = [a_week(slack, sessions, client, office, opened=WEEKS[0], answering=TEAM)]
    weeks.append(a_week(slack, sessions, client, office, opened=WEEKS[1], answering=TEAM[1:]))
    for name, day in (("guild-a", 31), ("guild-b", 1)):  # Monday and Tuesday of the third week
        moment = utc(2027, 5 if day == 31 else 6, day, 10)
        with freeze_time(moment, tick=True):
            send_pulse(client, sessions, settings=office, survey_name=name, now=moment)
    weeks.append(a_week(slack, sessions, client, office, opened=WEEKS[2], answering=TEAM[1:]))
    weeks.append(a_week(slack, sessions, client, office, opened=WEEKS[3], answering=TEAM[1:]))
    leave = tmp_path / "leave.csv"
    leave.write_text(f"user_id,from,to\n{ALICE},2027-06-14,2027-06-18\n", encoding="utf-8")
    assert pulsebot(cli_env, "people", "leave", str(leave)).exit_code == 0
    weeks.append(a_week(slack, sessions, client, office, opened=WEEKS[4], answering=TEAM[1:]))
    # What the database knows: late on the holiday, not asked when held, asked and silent, not asked on leave.
    assert [run.audience for run in weeks] == [5, 5, 4, 5, 4]

    digests = [
        weekly_digest(client, sessions, settings, fake_slack, monday=opened + timedelta(days=4))
        for opened in WEEKS
    ]
    assert "100% (5 of 5)" in digests[0]
    later = ("24 May 2027", "31 May 2027", "7 June 2027", "14 June 2027")
    for digest, week in zip(digests[1:], later, strict=True):
        assert f"Fewer than 5 people answered in the week of {week}" in digest
        assert "of 4" not in digest and "80%" not in digest
        assert all(word not in digest.lower() for word in ("held", "holiday", "leave"))

    with freeze_time(WEEKS[-1] + timedelta(days=4), tick=True):
        views = every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="team-pulse")
    rows = {row["week_start"]: row for row in export_rows(views)}
    assert sorted(rows) == ["2027-05-24", "2027-05-31", "2027-06-07", "2027-06-14"]  # the last four weeks
    unlike = {"week_start": "", "iso_week": ""}
    assert (
        {**rows["2027-05-24"], **unlike}
        == {**rows["2027-05-31"], **unlike}
        == {**rows["2027-06-07"], **unlike}
    )
    for name, view in views.items():
        assert "of 4" not in view and ALICE not in view, name
        assert all(word not in view.lower() for word in ("held", "holiday", "on leave")), name


def test_the_held_count_is_shown_only_when_it_is_about_at_least_the_minimum_group(
    slack, fake_slack, sessions, client, settings
):
    office = settings.model_copy(update={"working_hours": (time(9, 0), time(18, 0)), "pulses_per_week": 2})
    before = utc(2027, 3, 1, 10)
    managers = f"managers: [{MANAGER}]\n"
    apply_yaml(sessions, survey("team-pulse", PULSE_CHANNEL, managers=managers, open_days=3), now=before)
    for name in ("one", "two"):
        apply_yaml(sessions, survey(name, PULSE_CHANNEL, open_days=10), now=before)
    for name, moment in (("one", utc(2027, 3, 22, 10)), ("two", utc(2027, 3, 23, 10))):
        with freeze_time(moment, tick=True):
            send_pulse(client, sessions, settings=office, survey_name=name, now=moment)
    friday = utc(2027, 3, 26, 10)
    fake_slack.reset_calls()
    with freeze_time(friday, tick=True):  # a third pulse this week: the whole team's waits for Monday
        run = send_pulse(client, sessions, settings=office, survey_name="team-pulse", now=friday)
    assert fake_slack.calls_to("chat.postMessage") == [] and run.audience == 5
    with freeze_time(utc(2027, 3, 29, 7, 30), tick=True):  # Monday 09:30 in Berlin
        deliver_due(client, sessions)
        for count, person in enumerate(TEAM, start=1):
            click_answer(slack, run, person, 3)
            wait_for_answers(sessions, run.run_id, count)
    close_run(client, sessions, run, settings=settings)

    digest = weekly_digest(client, sessions, settings, fake_slack, monday=utc(2027, 3, 29, 12))
    assert "100% (5 of 5)" in digest
    assert "Held by the weekly limit" in digest and "5 people's pulses" in digest
