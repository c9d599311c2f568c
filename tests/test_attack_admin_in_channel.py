"""Attack: a pulsebot admin who sits in a team's channel (every Slack owner, with PULSEBOT_SLACK_ADMINS)
answers its pulse, then subtracts their own answer from the figures they can read: they gave the 5, the
week reads "4 · 0 · 0 · 0 · 1", so all four colleagues answered 1.

Whoever can see a team's results is treated like its managers (services/privacy/roles.py): left out of
its audience — of the pulse, of its reminders and of "Is this helping?" — or, when the survey opts them in
(`managers_answer: true`), counted into a raised minimum, so that taking their own answer out of any
figure shown still leaves the minimum group. Someone who comes to see the results while a run is open is
counted when it closes.
"""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.pulse.pulses import run_view
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionCheck, ActionStatus, Delivery, FocusKind, PulseRun, Survey, TeamAction
from tests.attack_steps import apply_yaml, close_run, people_who_answered, wait_for_answers
from tests.conftest import ADMIN, MANAGER, PULSE_CHANNEL, TEAM
from tests.loop.steps import run_job
from tests.pulse_steps import click_answer

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # a Wednesday: the run closes on Saturday, in the same week
DIGEST_DAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)  # the Monday after, when that week is the digest's
SLACK_OWNER = "U0OWNER"
TEAM_DMS = sorted(TEAM)  # a DM is posted to the person's user id
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
delivery: {{delivery}}
timezone: UTC
managers: [{MANAGER}]
managers_answer: {{managers_answer}}
reminders: [24h after open]
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
"""


@pytest.fixture(autouse=True)
def clock():
    """The app's clock, and everything it reads, at NOW and running."""
    with freeze_time(NOW, tick=True) as frozen:
        yield frozen


@pytest.fixture(params=["PULSEBOT_ADMINS", "PULSEBOT_SLACK_ADMINS"])
def admin_in_channel(request, settings, fake_slack) -> str:
    """A pulsebot admin who is a member of the team's channel: named in PULSEBOT_ADMINS, or the Slack
    workspace's owner with PULSEBOT_SLACK_ADMINS=true."""
    if request.param == "PULSEBOT_ADMINS":
        admin = ADMIN
    else:
        admin = SLACK_OWNER
        fake_slack.add_user(SLACK_OWNER)
        fake_slack.users[SLACK_OWNER]["is_owner"] = True
        settings.slack_admins = True
    fake_slack.add_channel(PULSE_CHANNEL, [*TEAM, admin, "UBOT"])
    return admin


def send_from_slack(slack, fake_slack, sessions):
    """An admin sends the team's pulse with `/pulse send`, as in Slack; the run as its buttons show it."""
    fake_slack.reset_calls()
    slack.command("/pulse", "send team-pulse", user=ADMIN)
    assert "now" in fake_slack.wait_for("response_url")[0]["text"]
    with transaction(sessions) as session:
        run_id = session.exec(select(PulseRun.id)).one()
        return run_view(session, run_id=run_id)


def asked(sessions, run_id: int) -> list[str]:
    with transaction(sessions) as session:
        return sorted(session.exec(select(Delivery.user_id).where(Delivery.run_id == run_id)).all())


def answer_and_close(slack, client, sessions, settings, run, answers: dict[str, int]) -> None:
    already = people_who_answered(sessions, run.run_id)  # a close while a batch is written waits a sweep
    for count, (person, value) in enumerate(answers.items(), start=1):
        click_answer(slack, run, person, value)
        wait_for_answers(sessions, run.run_id, already + count)
    close_run(client, sessions, run, settings=settings)


def digest_read_by(slack, fake_slack, clock, user: str) -> str:
    """What `/pulse digest team-pulse` shows this person, the Monday after, about the week just closed."""
    clock.move_to(DIGEST_DAY)
    fake_slack.reset_calls()
    slack.command("/pulse", "digest team-pulse", user=user)
    return str(fake_slack.wait_for("chat.postMessage")[0]["blocks"])


@pytest.mark.parametrize("delivery", ["channel", "dm"])
def test_an_admin_in_the_channel_is_not_asked_reminded_or_let_answer(
    admin_in_channel, slack, fake_slack, sessions, client, settings, delivery
):
    apply_yaml(sessions, SURVEY.format(managers_answer="false", delivery=delivery), now=NOW)
    run = send_from_slack(slack, fake_slack, sessions)
    assert asked(sessions, run.run_id) == sorted(TEAM) and run.audience == len(TEAM)
    if delivery == "dm":  # one DM each, posted by the app's sender
        assert (
            sorted(post["channel"] for post in fake_slack.wait_for("chat.postMessage", len(TEAM))) == TEAM_DMS
        )

    fake_slack.reset_calls()
    click_answer(slack, run, admin_in_channel, 5)
    refusal = fake_slack.wait_for("response_url")[0]
    assert refusal["text"].startswith(f"This pulse is for the members of <#{PULSE_CHANNEL}>")

    run_job(
        "send_due_reminders",
        at=NOW + timedelta(hours=25),
        client=client,
        sessions=sessions,
        settings=settings,
    )
    assert sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage")) == TEAM_DMS


@pytest.mark.parametrize(("colleagues", "shown"), [(4, False), (5, True)])
def test_an_admin_asked_too_raises_the_minimum_so_subtracting_their_answer_leaves_the_group(
    admin_in_channel, slack, fake_slack, sessions, client, settings, clock, colleagues, shown
):
    apply_yaml(sessions, SURVEY.format(managers_answer="true", delivery="channel"), now=NOW)
    run = send_from_slack(slack, fake_slack, sessions)
    assert admin_in_channel in asked(sessions, run.run_id)

    # The admin gives the only 5; the colleagues answer 1 or 2 (not all alike, which the rule for
    # distributions would hide whatever the minimum).
    said = {person: 1 + index % 2 for index, person in enumerate(TEAM[:colleagues])}
    answer_and_close(slack, client, sessions, settings, run, {admin_in_channel: 5, **said})

    digest = digest_read_by(slack, fake_slack, clock, admin_in_channel)
    ones = sum(1 for value in said.values() if value == 1)
    spread = f"answers 1 to 5: {ones} · {colleagues - ones} · 0 · 0 · 1"
    # Four colleagues and the admin: four others once the admin takes their own answer out, so hidden.
    # Five colleagues: shown, and five others are still the minimum group.
    assert (spread in digest) is shown, digest
    with transaction(sessions) as session:
        assert session.get(PulseRun, run.run_id).managers_asked == 1


def test_someone_who_becomes_an_admin_while_the_run_is_open_is_counted_when_it_closes(
    slack, fake_slack, sessions, client, settings, clock
):
    apply_yaml(sessions, SURVEY.format(managers_answer="false", delivery="channel"), now=NOW)
    run = send_from_slack(slack, fake_slack, sessions)
    promoted, colleagues = TEAM[0], TEAM[1:]
    click_answer(slack, run, promoted, 5)
    wait_for_answers(sessions, run.run_id, 1)
    # The reply to that click is posted after the answer is stored: wait for it, or it can land after the
    # reset below and be taken for the reply to the second click.
    fake_slack.wait_for("response_url")

    settings.admins = settings.admins | {promoted}  # made an admin before the run closed

    fake_slack.reset_calls()
    click_answer(slack, run, promoted, 4)  # their delivery stays, but it takes no answer of theirs now
    assert fake_slack.wait_for("response_url")[0]["text"].startswith("You can now see this team's results")
    run_job(
        "send_due_reminders",
        at=NOW + timedelta(hours=25),
        client=client,
        sessions=sessions,
        settings=settings,
    )
    assert promoted not in [post["channel"] for post in fake_slack.calls_to("chat.postMessage")]

    answer_and_close(slack, client, sessions, settings, run, dict.fromkeys(colleagues, 1))
    # Five answered, one of them now an admin who knows their 5: four others, so the week stays hidden.
    assert "answers 1 to 5: 4 · 0 · 0 · 0 · 1" not in digest_read_by(slack, fake_slack, clock, promoted)
    with transaction(sessions) as session:
        assert session.get(PulseRun, run.run_id).managers_asked == 1


# --- "Is this helping?" -----------------------------------------------------------------------------


def shared_action(sessions) -> int:
    with transaction(sessions) as session:
        survey = session.exec(select(Survey).where(Survey.name == "team-pulse")).one()
        action = TeamAction(
            survey_id=survey.id,
            focus_kind=FocusKind.question,
            focus_key="workload",
            focus_label="My workload this week was manageable.",
            text="Weekly backlog triage",
            owner_id=MANAGER,
            due_on=NOW.date() + timedelta(days=30),
            visible=True,
            status=ActionStatus.in_progress,
            created_by=MANAGER,
            started_on=NOW.date(),
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(action)
        session.flush()
        return action.id


def open_round(slack, fake_slack, sessions, client, settings, *, managers_answer: str) -> int:
    """The team's pulse has run; a shared action started, and its round of "Is this helping?" opens."""
    apply_yaml(sessions, SURVEY.format(managers_answer=managers_answer, delivery="channel"), now=NOW)
    run = send_from_slack(slack, fake_slack, sessions)
    close_run(client, sessions, run, settings=settings)
    action_id = shared_action(sessions)
    run_job("ask_if_actions_help", at=NOW, client=client, sessions=sessions, settings=settings)
    with transaction(sessions) as session:
        return session.exec(select(ActionCheck.id).where(ActionCheck.action_id == action_id)).one()


def answer_helping(slack, check_id: int, user: str, choice: str):
    return slack.click(
        action_id=f"action_helping_{choice}", value=f"{check_id}:{choice}", user=user, channel=PULSE_CHANNEL
    )


def test_an_admin_in_the_channel_is_not_asked_if_it_is_helping(
    admin_in_channel, slack, fake_slack, sessions, client, settings
):
    check_id = open_round(slack, fake_slack, sessions, client, settings, managers_answer="false")
    fake_slack.reset_calls()

    answer_helping(slack, check_id, admin_in_channel, "yes")

    refusal = fake_slack.wait_for("response_url")[0]
    assert refusal["text"].startswith("Only the team this action is for can answer")


@pytest.mark.parametrize(("colleagues", "shown"), [(4, False), (5, True)])
def test_an_admin_asked_too_raises_the_minimum_of_is_this_helping(
    admin_in_channel, slack, fake_slack, sessions, client, settings, colleagues, shown
):
    check_id = open_round(slack, fake_slack, sessions, client, settings, managers_answer="true")
    fake_slack.reset_calls()
    answer_helping(slack, check_id, admin_in_channel, "yes")
    for index, person in enumerate(TEAM[:colleagues]):
        answer_helping(slack, check_id, person, ("no", "yes")[index % 2])
    thanks = fake_slack.wait_for("response_url", colleagues + 1)
    assert all("Thanks" in reply["text"] for reply in thanks), thanks

    run_job(
        "ask_if_actions_help", at=NOW + timedelta(days=8), client=client, sessions=sessions, settings=settings
    )

    (update,) = fake_slack.calls_to("chat.update")
    # With four colleagues, "5 answered: 3 yes, 2 no" would be four others once the admin takes out their own.
    yes = 1 + colleagues // 2
    assert (
        f"{colleagues + 1} answered: {yes} yes, 0 not yet, {colleagues + 1 - yes} no" in update["text"]
    ) is shown
    if not shown:
        assert f"Fewer than {settings.min_group + 1} answered" in update["text"]


def test_applying_a_survey_whose_admin_is_in_the_channel_says_so_with_the_raised_minimum(
    admin_in_channel, settings, cli_env, tmp_path
):
    env = {**cli_env, "COLUMNS": "300", "PULSEBOT_ADMINS": ADMIN}
    if settings.slack_admins:
        env["PULSEBOT_SLACK_ADMINS"] = "true"
    lines = []
    for managers_answer in ("false", "true"):
        path = tmp_path / f"team-{managers_answer}.yml"
        path.write_text(SURVEY.format(managers_answer=managers_answer, delivery="channel"))
        result = CliRunner().invoke(cli, ["survey", "apply", str(path)], env=env)
        assert result.exit_code == 0, result.output
        lines.append(result.stdout.splitlines()[1])

    left_out, asked_too = lines
    assert left_out.startswith(
        f"team-pulse: its admin {admin_in_channel} is in its channel and will not be asked"
    )
    assert asked_too.startswith(
        f"team-pulse: its admin {admin_in_channel} is in its channel and will be asked"
    )
    assert "5 + 1 = 6 people" in asked_too
