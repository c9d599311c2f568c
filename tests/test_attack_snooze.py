"""Attack: a manager learns who paused their pulses by comparing what their team's weeks say about the
people asked.

A snoozed person is left out of a run's audience, so the count of people asked moves. But that count is
shown only for a week enough people answered, as "N of M" beside the response rate; a week too few
answered shows nothing of it. In a team of exactly the minimum group, Alice pausing for a week makes that
week's run ask four people; the week after, everyone is asked again and Alice does not answer. Both weeks
read the same to the manager, in the weekly digest and in every view of the team (App Home,
`/pulse digest`, `pulsebot report`, `pulsebot export`): hidden, fewer than five answered, no count of
who was asked. Nothing anywhere names a paused person or counts them.
"""

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from pulsebot.slack.digest import send_digests
from pulsebot.slack.publish import send_pulse
from tests.attack_steps import apply_yaml, close_run, every_view, export_rows, wait_for_answers
from tests.conftest import MANAGER, PULSE_CHANNEL, TEAM
from tests.pulse_steps import click_answer

ALICE = TEAM[0]
WEEKS = [datetime(2027, 6, day, 10, tzinfo=UTC) for day in (2, 9, 16)]  # three Wednesdays
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
timezone: UTC
managers: [{MANAGER}]
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
"""


def a_week(slack, sessions, client, settings, *, opened: datetime, answering: list[str]):
    """The week's pulse goes out; `answering` answer it (alike enough to be shown); it closes."""
    with freeze_time(opened, tick=True):
        run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=opened)
        for count, (person, value) in enumerate(zip(answering, [2, 3, 4, 3, 3], strict=False), start=1):
            click_answer(slack, run, person, value)
            wait_for_answers(sessions, run.run_id, count)
    close_run(client, sessions, run, settings=settings)
    return run


def weekly_digest(client, sessions, settings, fake_slack, *, monday: datetime) -> str:
    fake_slack.reset_calls()
    with freeze_time(monday, tick=True):
        send_digests(client, sessions, settings, now=monday, survey_name="team-pulse")
    (post,) = fake_slack.posts_to(MANAGER)
    return str(post["blocks"])


def test_a_manager_cannot_tell_a_paused_colleague_from_one_who_did_not_answer(
    slack, fake_slack, sessions, client, settings, cli_env, tmp_path
):
    apply_yaml(sessions, SURVEY, now=WEEKS[0] - timedelta(days=30))
    first = a_week(slack, sessions, client, settings, opened=WEEKS[0], answering=TEAM)
    with freeze_time(WEEKS[1] - timedelta(days=1), tick=True):
        assert "paused" in slack.command("/pulse", "snooze until 2027-06-13", user=ALICE).text
    paused = a_week(slack, sessions, client, settings, opened=WEEKS[1], answering=TEAM[1:])
    back = a_week(slack, sessions, client, settings, opened=WEEKS[2], answering=TEAM[1:])
    assert (first.audience, paused.audience, back.audience) == (5, 4, 5)  # what the database knows

    digests = [
        weekly_digest(client, sessions, settings, fake_slack, monday=opened + timedelta(days=5))
        for opened in WEEKS
    ]

    assert "100% (5 of 5)" in digests[0]
    hidden = "Fewer than 5 people answered in the week of {}"
    assert hidden.format("7 June 2027") in digests[1] and hidden.format("14 June 2027") in digests[2]
    for digest in digests[1:]:
        assert "of 4" not in digest and "80%" not in digest and "paused" not in digest.lower()
    with freeze_time(WEEKS[2] + timedelta(days=5), tick=True):
        views = every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="team-pulse")
    rows = {row["week_start"]: row for row in export_rows(views)}
    assert rows["2027-05-31"]["audience"] == "5"
    week_of_the_pause, week_after = rows["2027-06-07"], rows["2027-06-14"]
    assert {**week_of_the_pause, "week_start": "", "iso_week": ""} == {
        **week_after,
        "week_start": "",
        "iso_week": "",
    }
    assert week_of_the_pause["audience"] == "" and week_of_the_pause["status"] == "suppressed"
    for name, view in views.items():
        assert "of 4" not in view and ALICE not in view and "paused" not in view.lower(), name
