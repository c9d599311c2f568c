"""The exit survey: sent on someone's last day by an admin's command, saying in the message itself that it
is confidential to HR and not anonymous; read by admins only, in no anonymous figure, and gone when the
person is forgotten or after the retention period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from pulsebot.services.onboarding.exits import exit_report
from pulsebot.store.models import Answer, ExitAnswer, ExitSurvey, OnboardingFigure, RunFigures
from tests.cli.conftest import pulsebot
from tests.loop.steps import run_job
from tests.stored_bytes import where_found

pytestmark = pytest.mark.clock

LEAVER = "U0LEAVER1"


def exit_id_of(sessions, user_id: str) -> int:
    with sessions() as session:
        return session.exec(select(ExitSurvey.id).where(ExitSurvey.user_id == user_id)).one()


def answer_exit(slack, sessions, *, user: str, owner: str = LEAVER) -> None:
    exit_id = exit_id_of(sessions, owner)
    slack.click(action_id="exit_answer_reason_0", value=f"{exit_id}:reason:Career growth", user=user)
    slack.click(action_id="exit_answer_recommend_3", value=f"{exit_id}:recommend:4", user=user)


def count(sessions, table) -> int:
    with sessions() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_the_exit_survey_says_it_is_not_anonymous_and_only_admins_read_it(
    slack, sessions, fake_slack, cli_env
):
    sent = pulsebot(cli_env, "exit", "send", LEAVER)
    assert sent.exit_code == 0, sent.output
    assert "not anonymous" in sent.output
    (dm,) = fake_slack.posts_to(LEAVER)
    for said in (dm["text"], str(dm["blocks"])):  # the notification and the message itself
        assert "Confidential to HR, not anonymous" in said
        assert "kept with your name" in said
    answer_exit(slack, sessions, user=LEAVER)
    replies = fake_slack.wait_for("response_url", 2)
    assert all("recorded with your name, for HR only" in reply["text"] for reply in replies)

    report = pulsebot(cli_env, "exit", "report")
    assert report.exit_code == 0, report.output
    assert LEAVER in report.output and "Career growth" in report.output and "4" in report.output
    # In no anonymous figure: the pulses' answers and figures, and onboarding's, hold nothing of it.
    assert count(sessions, Answer) == count(sessions, RunFigures) == count(sessions, OnboardingFigure) == 0
    assert count(sessions, ExitAnswer) == 2


def test_only_the_leaver_answers_their_exit_survey(slack, sessions, fake_slack, cli_env):
    assert pulsebot(cli_env, "exit", "send", LEAVER).exit_code == 0
    answer_exit(slack, sessions, user="U0SOMEONE")
    exit_id = exit_id_of(sessions, LEAVER)
    slack.click(action_id="exit_answer_reason_0", value=f"{exit_id}:reason:Because", user=LEAVER)
    replies = [reply["text"] for reply in fake_slack.wait_for("response_url", 3)]
    assert sum("sent to someone else" in text for text in replies) == 2
    assert sum("not one pulsebot recognises" in text for text in replies) == 1
    assert count(sessions, ExitAnswer) == 0


def test_a_bad_user_id_is_one_line_and_sends_nothing(cli_env, fake_slack, sessions):
    said = pulsebot(cli_env, "exit", "send", "bob")
    assert said.exit_code == 2 and "is not a Slack user id" in said.output
    assert fake_slack.calls_to("chat.postMessage") == [] and count(sessions, ExitSurvey) == 0


def test_forget_me_removes_a_person_s_exit_answers(slack, sessions, fake_slack, cli_env, engine):
    assert pulsebot(cli_env, "exit", "send", LEAVER).exit_code == 0
    assert pulsebot(cli_env, "exit", "send", "U0STAYS").exit_code == 0
    answer_exit(slack, sessions, user=LEAVER)
    fake_slack.wait_for("response_url", 2)
    forgot = pulsebot(cli_env, "forget", LEAVER, "--yes")
    assert forgot.exit_code == 0, forgot.output
    assert "1 exit surveys" in forgot.output
    with sessions() as session:
        assert [kept.user_id for kept in exit_report(session)] == ["U0STAYS"]
    assert count(sessions, ExitAnswer) == 0
    assert where_found(engine, LEAVER, ("exit_survey", "exit_answer")) == []


def test_retention_removes_old_exit_surveys(slack, client, sessions, settings, fake_slack, cli_env):
    assert pulsebot(cli_env, "exit", "send", LEAVER).exit_code == 0
    answer_exit(slack, sessions, user=LEAVER)
    fake_slack.wait_for("response_url", 2)
    now = datetime.now(UTC)
    run_job(
        "purge_old_data",
        at=now + timedelta(days=settings.retention_days - 1),
        client=client,
        sessions=sessions,
        settings=settings,
    )
    assert count(sessions, ExitSurvey) == 1
    run_job(
        "purge_old_data",
        at=now + timedelta(days=settings.retention_days + 1),
        client=client,
        sessions=sessions,
        settings=settings,
    )
    assert count(sessions, ExitSurvey) == 0 and count(sessions, ExitAnswer) == 0


def test_the_people_import_s_last_day_sends_the_exit_survey_that_day_once(
    client, sessions, settings, fake_slack
):
    from pulsebot.services.people.people import import_people
    from pulsebot.services.people.people_file import parse_people_file, resolve
    from pulsebot.store.db import transaction
    from tests.onboarding.steps import TODAY, onboarding_job

    text = f"user_id,end_date\n{LEAVER},{TODAY + timedelta(days=1)}\nU0STAYS,\n"
    people = resolve(parse_people_file(text, source="people.csv"), found={})
    with transaction(sessions) as session:
        import_people(session, people=people, now=datetime.now(UTC))
    onboarding_job(client, sessions, settings, on=TODAY)
    assert fake_slack.posts_to(LEAVER) == []
    for day in (1, 1, 2):  # their last day, a second pass that day, the day after
        onboarding_job(client, sessions, settings, on=TODAY + timedelta(days=day))
    (dm,) = fake_slack.posts_to(LEAVER)
    assert "Confidential to HR, not anonymous" in dm["text"]
    assert fake_slack.posts_to("U0STAYS") == []
    with sessions() as session:
        assert [kept.user_id for kept in exit_report(session)] == [LEAVER]


def test_an_end_date_that_is_not_a_date_is_named_and_nothing_is_imported():
    from pulsebot.services.people.people_file import parse_people_file

    found = parse_people_file(f"user_id,end_date\n{LEAVER},31/12/2027\n", source="people.csv")
    assert [problem.text for problem in found.problems] == [
        "people.csv, line 2, end_date: '31/12/2027' is not a date (YYYY-MM-DD)"
    ]
