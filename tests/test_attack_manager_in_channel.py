"""Attack: a manager who sits in their own team's channel answers the pulse, then subtracts their own
answer from the team's figures — a group of five with its manager in it is a group of four to them.

By default the survey's managers are not asked. A survey may ask them (`managers_answer: true`); then
the run's minimum grows by the managers it asked, so the team's figures still need five others.
Applying a survey whose manager is in the channel says so, in the CLI and in the `/pulse edit` form.
"""

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.digest.managers import managers_of
from pulsebot.services.results.analytics import team_trend
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery, PulseRun, Survey
from tests.attack_steps import apply_yaml, close_run, forget_me, wait_for_answers
from tests.conftest import MANAGER, PINNED_NOW, PULSE_CHANNEL, TEAM
from tests.listeners.views.test_survey_form import open_form, submit
from tests.pulse_steps import click_answer

pytestmark = pytest.mark.clock

NOW = PINNED_NOW
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
timezone: UTC
managers: [{MANAGER}]
managers_answer: {{managers_answer}}
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
"""


@pytest.fixture
def manager_in_channel(fake_slack):
    fake_slack.add_channel(PULSE_CHANNEL, [*TEAM, MANAGER, "UBOT"])


def asked(sessions, run_id: int) -> list[str]:
    with transaction(sessions) as session:
        return sorted(session.exec(select(Delivery.user_id).where(Delivery.run_id == run_id)).all())


def latest_week(sessions):
    with transaction(sessions) as session:
        trend = team_trend(
            session, survey_name="team-pulse", now=NOW, min_group=5, weeks=1, complete_only=False
        )
    return trend.latest


def test_the_team_s_manager_is_not_asked_and_cannot_answer(
    settings, manager_in_channel, slack, fake_slack, sessions, client
):
    apply_yaml(sessions, SURVEY.format(managers_answer="false"), now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    fake_slack.reset_calls()

    click_answer(slack, run, MANAGER, 1)

    assert asked(sessions, run.run_id) == sorted(TEAM) and run.audience == 5
    refusal = fake_slack.wait_for("response_url")[0]
    assert refusal["text"].startswith(f"This pulse is for the members of <#{PULSE_CHANNEL}>")
    with transaction(sessions) as session:
        assert session.get(PulseRun, run.run_id).managers_asked == 0


@pytest.mark.parametrize(("others", "shown"), [(4, False), (5, True)])
def test_a_manager_who_is_asked_does_not_count_toward_the_minimum(
    settings, manager_in_channel, slack, fake_slack, sessions, client, others, shown
):
    apply_yaml(sessions, SURVEY.format(managers_answer="true"), now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    assert MANAGER in asked(sessions, run.run_id)

    for count, person in enumerate([MANAGER, *TEAM[:others]], start=1):
        click_answer(slack, run, person, 3)
        wait_for_answers(sessions, run.run_id, count)
    close_run(client, sessions, run, settings=settings)

    week = latest_week(sessions)
    # Five answers with the manager's among them is four others: hidden. Six is five others: shown.
    assert week.shown is shown
    assert week.respondents == (6 if shown else None)


def test_forgetting_the_manager_does_not_lower_the_minimum(
    settings, manager_in_channel, slack, fake_slack, sessions, client
):
    apply_yaml(sessions, SURVEY.format(managers_answer="true"), now=NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=NOW)
    for count, person in enumerate([MANAGER, *TEAM[:4]], start=1):
        click_answer(slack, run, person, 3)
        wait_for_answers(sessions, run.run_id, count)
    close_run(client, sessions, run, settings=settings)

    forget_me(slack, fake_slack, MANAGER)
    with transaction(sessions) as session:
        session.exec(select(Survey)).one().managers_answer = False  # and the survey changed since

    assert MANAGER not in asked(sessions, run.run_id)
    assert latest_week(sessions).suppressed


def test_applying_a_survey_whose_manager_is_in_the_channel_says_so(
    manager_in_channel, sessions, cli_env, tmp_path
):
    lines = []
    for managers_answer in ("false", "true"):
        path = tmp_path / f"team-{managers_answer}.yml"
        path.write_text(SURVEY.format(managers_answer=managers_answer))
        result = CliRunner().invoke(cli, ["survey", "apply", str(path)], env={**cli_env, "COLUMNS": "300"})
        assert result.exit_code == 0, result.output
        lines.append(result.stdout.splitlines())

    left_out, asked_too = lines
    assert left_out[0] == "team-pulse: created" and len(left_out) == 2
    assert left_out[1].startswith(
        f"team-pulse: its manager {MANAGER} is in its channel and will not be asked"
    )
    assert asked_too[0] == "team-pulse: updated"
    assert asked_too[1].startswith(f"team-pulse: its manager {MANAGER} is in its channel and will be asked")
    assert "5 + 1 = 6 people" in asked_too[1]


def test_the_edit_form_asks_managers_too_keeps_them_and_says_they_are_in_the_channel(
    manager_in_channel, slack, fake_slack, sessions
):
    apply_yaml(sessions, SURVEY.format(managers_answer="false"), now=NOW)
    view = open_form(slack, fake_slack, "edit team-pulse")
    fake_slack.reset_calls()

    submit(slack, view, managers=["managers_answer"])

    notice = fake_slack.wait_for("chat.postMessage")[0]["text"]
    assert f"its manager <@{MANAGER}> is in its channel and will be asked too" in notice
    with transaction(sessions) as session:
        survey = session.exec(select(Survey)).one()
        assert survey.managers_answer is True
        assert managers_of(session, survey_id=survey.id) == [MANAGER]  # the form does not drop them
