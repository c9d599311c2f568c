"""Attack: a manager or an admin ties an onboarding answer to the new joiner who gave it.

A single new hire cannot be anonymous, so every way in is tried: watching the figures while pulses fall
due one joiner at a time (milestone timing), reading a cohort too small or a question too few answered
(cohort size), comparing the cohort's figures before and after a joiner added late (differencing),
following one person's answers from day 30 to day 60 by their token, and reading the database's files
once the cohort is released. Answers carry only the cohort (a quarter) and the milestone; figures exist
only once, for the whole quarter, after its last pulse is over.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.services.onboarding.cohort_figures import released_cohorts
from pulsebot.services.onboarding.questions import onboarding_questions
from pulsebot.store.models import OnboardingAnswer, OnboardingCohort, OnboardingFigure
from tests.cli.conftest import pulsebot
from tests.onboarding.steps import (
    CLOSES_ON,
    TODAY,
    answer_all,
    import_joiners,
    joiners,
    onboarding_job,
    pulse_of,
)
from tests.stored_bytes import where_found

pytestmark = pytest.mark.clock

KEYS = [question.key for question in onboarding_questions()]
VALUES = [3, 4, 4, 5, 2]


def figures(sessions) -> list[tuple]:
    with sessions() as session:
        rows = session.exec(select(OnboardingFigure)).all()
    return sorted((f.milestone, f.question_key, f.answers, f.value, f.hidden) for f in rows)


def test_milestone_timing_shows_nothing_until_the_whole_quarter_has_closed(
    slack, client, sessions, settings, fake_slack, cli_env
):
    people = joiners(5)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    tokens_by_milestone = {}
    for user_id, value in zip(
        people, VALUES, strict=True
    ):  # one joiner at a time: the admin looks after each
        answer_all(slack, sessions, user_id, value)
        fake_slack.wait_for("response_url", len(KEYS) * (list(people).index(user_id) + 1))
        assert figures(sessions) == []
        assert "No cohort of new joiners is released yet" in pulsebot(cli_env, "onboarding").output
    with sessions() as session:
        tokens_by_milestone[30] = set(session.exec(select(OnboardingAnswer.respondent)).all())
    # Day 60, each on their own day: the admin runs the report every day of the quarter and after.
    day = TODAY
    while day < CLOSES_ON - timedelta(days=1):
        day += timedelta(days=1)
        onboarding_job(client, sessions, settings, on=day)
        for user_id, start in people.items():
            if start + timedelta(days=60) == day:
                with freeze_time(datetime.combine(day, time(10), tzinfo=UTC), tick=True):
                    answer_all(slack, sessions, user_id, VALUES[list(people).index(user_id)], milestone=60)
        if day.weekday() == 0 or day == CLOSES_ON - timedelta(days=1):
            assert figures(sessions) == [], day
    with sessions() as session:
        all_tokens = set(session.exec(select(OnboardingAnswer.respondent)).all())
    # A person's day-60 answers do not carry their day-30 token: the milestones cannot be joined up.
    assert len(all_tokens) == 10 and tokens_by_milestone[30] < all_tokens

    onboarding_job(client, sessions, settings, on=CLOSES_ON)
    with sessions() as session:
        (cohort,) = released_cohorts(session, min_group=settings.min_group)
    # One figure per milestone for the whole quarter: no day, no week, nobody's own date.
    assert [m.respondents for m in cohort.milestones] == [5, 5, None]
    assert {m.milestone for m in cohort.milestones} == {30, 60, 90}


def test_cohort_size_a_question_too_few_answered_or_too_alike_is_hidden(
    slack, client, sessions, settings, fake_slack
):
    people = joiners(5)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    for number, user_id in enumerate(people):
        pulse_id = pulse_of(sessions, user_id)
        for key in KEYS:
            if key == "welcomed" and number == 0:
                continue  # one of five leaves it out: four answers, below the minimum group
            value = 4 if key == "tools_ready" else VALUES[number]  # everyone alike on this one
            slack.click(
                action_id=f"onboarding_answer_{key}_{value - 1}",
                value=f"{pulse_id}:{key}:{value}",
                user=user_id,
            )
    fake_slack.wait_for("response_url", 5 * len(KEYS) - 1)
    onboarding_job(client, sessions, settings, on=CLOSES_ON)
    shown = {(m, key): (answers, value, hidden) for m, key, answers, value, hidden in figures(sessions)}
    assert shown[(30, "respondents")] == (5, None, None)
    assert shown[(30, "welcomed")] == (None, None, "few")
    assert shown[(30, "tools_ready")] == (None, None, "alike")  # 4.0 would tell each one the others' 4s
    assert shown[(30, "role_clear")] == (5, 3.6, None)


def test_a_joiner_added_late_is_never_asked_so_no_two_releases_can_be_subtracted(
    slack, client, sessions, settings, fake_slack, engine
):
    people = joiners(5)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    for user_id, value in zip(people, VALUES, strict=True):
        answer_all(slack, sessions, user_id, value)
    fake_slack.wait_for("response_url", 5 * len(KEYS))
    with sessions() as session:
        secret = session.exec(select(OnboardingCohort.secret)).one()
        tokens = set(session.exec(select(OnboardingAnswer.respondent)).all())
    onboarding_job(client, sessions, settings, on=CLOSES_ON)
    released = figures(sessions)

    late = joiners(1, prefix="LATE")  # a start in the same quarter, imported after its release
    import_joiners(sessions, late, also=people)
    for day in range(0, 100, 10):
        onboarding_job(client, sessions, settings, on=CLOSES_ON + timedelta(days=day))
    assert fake_slack.posts_to(next(iter(late))) == []
    assert figures(sessions) == released  # released once: there is no "after" to subtract

    # The database reader finds no token and no key material left to match against people.
    for needle in [secret, *tokens]:
        assert where_found(engine, needle, ("onboarding_answer", "onboarding_cohort")) == []


def test_a_closed_pulse_takes_no_answer(slack, client, sessions, settings, fake_slack):
    people = joiners(1)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    user_id = next(iter(people))
    pulse_id = pulse_of(sessions, user_id)
    with freeze_time(datetime.combine(TODAY + timedelta(days=8), time(10), tzinfo=UTC), tick=True):
        slack.click(action_id="onboarding_answer_welcomed_2", value=f"{pulse_id}:welcomed:3", user=user_id)
        (reply,) = fake_slack.wait_for("response_url", 1)
    assert "has closed" in reply["text"]
    with sessions() as session:
        assert session.exec(select(OnboardingAnswer)).all() == []


def test_a_cohort_released_under_a_lower_minimum_is_hidden_under_today_s(
    slack, client, sessions, settings, fake_slack, cli_env
):
    people = joiners(5)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    for user_id, value in zip(people, VALUES, strict=True):
        answer_all(slack, sessions, user_id, value)
    fake_slack.wait_for("response_url", 5 * len(KEYS))
    onboarding_job(client, sessions, settings, on=CLOSES_ON)
    raised = pulsebot({**cli_env, "PULSEBOT_MIN_GROUP": "6"}, "onboarding")
    assert raised.exit_code == 0, raised.output
    assert "fewer than 6" in raised.output and "3.6" not in raised.output
