"""Snooze: a person pauses their own pulses (`/pulse snooze 2w`, App Home), or says they are on leave
(`/pulse snooze until …`): they are sent nothing, reminded of nothing and asked in no run until the pause
ends or they resume (`/pulse snooze off`). Only they ever see it; it goes when it ends or they are forgotten.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from pulsebot.services.privacy.retention import run_retention
from pulsebot.slack.blocks.snooze import SNOOZE_ACTION
from pulsebot.slack.outbox import send_reminders
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery, Snooze
from tests.attack_steps import apply_yaml, forget_me
from tests.conftest import ANON_KEY, PINNED_NOW, PULSE_CHANNEL, TEAM
from tests.home_steps import open_home
from tests.idea_steps import next_call

pytestmark = pytest.mark.clock

NOW = PINNED_NOW  # Wednesday 16 June 2027
ALICE, BOB, CAROL, DAVE, ERIN = TEAM
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
delivery: dm
timezone: UTC
open_days: 3
reminders: ["24h"]
questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""


def snooze(slack, user: str, text: str) -> str:
    return slack.command("/pulse", f"snooze {text}".strip(), user=user).text


def send(client, sessions, settings, fake_slack, *, at=NOW):
    apply_yaml(sessions, SURVEY, now=at)
    fake_slack.reset_calls()
    return send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=at)


def asked(sessions, run) -> list[str]:
    with transaction(sessions) as session:
        return sorted(session.exec(select(Delivery.user_id).where(Delivery.run_id == run.run_id)).all())


def reminded(client, sessions, settings, fake_slack, run) -> list[str]:
    fake_slack.reset_calls()
    moment = NOW + timedelta(hours=25)
    send_reminders(client, sessions, settings=settings, now=moment, key=ANON_KEY.encode())
    return sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage"))


def pauses(sessions) -> dict[str, str]:
    with transaction(sessions) as session:
        return {row.user_id: row.through.isoformat() for row in session.exec(select(Snooze)).all()}


def test_a_snoozed_person_gets_nothing_and_is_in_no_audience(settings, slack, fake_slack, sessions, client):
    said = snooze(slack, ALICE, "2w")

    assert said.startswith(
        "Your pulses are paused through *Tuesday 29 June 2027*: until then no pulse is sent to you and no "
        "reminder, and from Wednesday 30 June 2027 you are asked again. Nobody else is told."
    )
    run = send(client, sessions, settings, fake_slack)
    assert run.audience == 4 and asked(sessions, run) == [BOB, CAROL, DAVE, ERIN]
    assert fake_slack.posts_to(ALICE) == []  # no pulse
    assert reminded(client, sessions, settings, fake_slack, run) == [BOB, CAROL, DAVE, ERIN]  # no reminder
    fake_slack.reset_calls()

    question = run.questions[0].id  # a button of someone else's pulse, clicked anyway
    slack.click(action_id=f"pulse_answer_{question}_3", value=f"{run.run_id}:{question}:3", user=ALICE)

    assert fake_slack.wait_for("response_url")[0]["text"] == (
        "You paused your pulses, so this one was not sent to you and takes no answer of yours. "
        "`/pulse snooze off` resumes them from the next pulse."
    )


def test_snooze_off_restores_the_next_pulse(settings, slack, fake_slack, sessions, client):
    snooze(slack, ALICE, "1w")
    assert snooze(slack, ALICE, "") == (
        "Your pulses are paused through *Tuesday 22 June 2027*. `/pulse snooze 2w` pauses your pulses for "
        "two weeks (or `1w`, `3d`…), `/pulse snooze until 2027-01-15` while you are on leave, and "
        "`/pulse snooze off` resumes them."
    )

    assert snooze(slack, ALICE, "off") == "Your pulses are on again: you are asked from the next pulse."
    assert snooze(slack, ALICE, "off") == "Your pulses were not paused, so nothing changed."
    assert snooze(slack, ALICE, "").startswith("Your pulses are not paused.")

    run = send(client, sessions, settings, fake_slack)
    assert run.audience == 5 and ALICE in asked(sessions, run)
    assert len(fake_slack.posts_to(ALICE)) == 1
    assert pauses(sessions) == {}


def test_on_leave_until_a_date_pulses_resume_the_day_after(settings, slack, fake_slack, sessions, client):
    said = snooze(slack, ALICE, "until 2027-06-20")

    assert said.startswith("Your pulses are paused through *Sunday 20 June 2027*")
    assert ALICE not in asked(sessions, send(client, sessions, settings, fake_slack))
    sunday, monday = NOW + timedelta(days=4), NOW + timedelta(days=5)
    assert ALICE not in asked(sessions, send(client, sessions, settings, fake_slack, at=sunday))
    assert ALICE in asked(sessions, send(client, sessions, settings, fake_slack, at=monday))


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("tomorrow", "I don't understand “tomorrow”. `/pulse snooze 2w` pauses your pulses for two weeks"),
        ("0d", "Pause for at least one day, for example `/pulse snooze 3d`."),
        ("53w", "A pause can last a year at most (until 14 June 2028)."),
        ("until 2027-13-01", "“2027-13-01” is not a date I can read: write it as YYYY-MM-DD"),
        ("until 15/01/2028", "“15/01/2028” is not a date I can read: write it as YYYY-MM-DD"),
        ("until", "“(nothing)” is not a date I can read"),
        ("until 2027-06-01", "1 June 2027 has passed: give your last day away, today or later."),
        ("<!channel>", "I don't understand “&lt;!channel&gt;”."),
    ],
)
def test_bad_input_gets_one_clear_line_and_changes_nothing(slack, sessions, typed, said):
    snooze(slack, BOB, "3d")

    reply = snooze(slack, BOB, typed)

    assert reply.startswith(said) and "\n" not in reply
    assert pauses(sessions) == {BOB: "2027-06-18"}


def test_a_pulse_already_open_reminds_no_one_who_paused_since(settings, slack, fake_slack, sessions, client):
    run = send(client, sessions, settings, fake_slack)
    snooze(slack, CAROL, "3d")

    assert CAROL in asked(sessions, run)  # the run asked her when it opened: its figures count her
    assert reminded(client, sessions, settings, fake_slack, run) == [ALICE, BOB, DAVE, ERIN]


def test_app_home_pauses_for_two_weeks_and_resumes(slack, fake_slack, sessions):
    assert "Pause for 2 weeks" in open_home(slack, fake_slack, DAVE)

    home = next_call(
        fake_slack, "views.publish", lambda: slack.click(action_id=SNOOZE_ACTION, value="2w", user=DAVE)
    )

    assert "*Paused* through Tuesday 29 June 2027" in str(home["view"]["blocks"])
    assert "Resume now" in str(home["view"]["blocks"])
    assert fake_slack.posts_to(DAVE)[-1]["text"].startswith("Your pulses are paused through *Tuesday 29 June")
    assert pauses(sessions) == {DAVE: "2027-06-29"}

    home = next_call(
        fake_slack, "views.publish", lambda: slack.click(action_id=SNOOZE_ACTION, value="off", user=DAVE)
    )

    assert "Pause for 2 weeks" in str(home["view"]["blocks"])
    assert fake_slack.posts_to(DAVE)[-1]["text"].startswith("Your pulses are on again")
    assert pauses(sessions) == {}


def test_forget_me_deletes_the_pause_and_retention_deletes_ended_ones(slack, fake_slack, sessions):
    snooze(slack, ALICE, "2w")
    snooze(slack, BOB, "1d")  # today only
    snooze(slack, ERIN, "until 2027-06-17")

    forget_me(slack, fake_slack, ALICE)
    assert pauses(sessions) == {BOB: "2027-06-16", ERIN: "2027-06-17"}

    run_retention(sessions, days=730, min_group=5, now=NOW + timedelta(hours=17))  # Thursday 03:00
    assert pauses(sessions) == {ERIN: "2027-06-17"}  # ends today: kept until it has
