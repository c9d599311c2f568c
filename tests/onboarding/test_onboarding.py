"""New joiners get an onboarding pulse at day 30, 60 and 90 after their start date; their answers are
pooled by the quarter they started in and released once, when that quarter's last pulse is over, and
only where at least the minimum group answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from pulsebot.services.onboarding.cohort_figures import released_cohorts
from pulsebot.services.onboarding.questions import onboarding_questions
from pulsebot.store.models import (
    Answer,
    OnboardingAnswer,
    OnboardingCohort,
    OnboardingFigure,
    OnboardingPulse,
    RunFigures,
)
from tests.cli.conftest import pulsebot
from tests.onboarding.steps import (
    CLOSES_ON,
    COHORT,
    TODAY,
    answer_all,
    import_joiners,
    joiners,
    onboarding_job,
)

pytestmark = pytest.mark.clock

VALUES = [3, 4, 4, 5, 2, 3]  # spread enough for the rule for distributions to show each mean


def count(sessions, table) -> int:
    with sessions() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_each_joiner_gets_their_day_30_pulse_once_and_it_says_how_it_is_pooled(
    client, sessions, settings, fake_slack
):
    people = joiners(5)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    for user_id in people:
        (dm,) = fake_slack.posts_to(user_id)
        assert "30 days in" in dm["text"]
        said = str(dm["blocks"])
        assert "pooled with everyone who started in the same quarter" in said
        assert "Never your name, your start date or when you answered" in said
        assert all(question.prompt in said for question in onboarding_questions())
    onboarding_job(client, sessions, settings, on=TODAY + timedelta(days=1))
    assert all(len(fake_slack.posts_to(user_id)) == 1 for user_id in people)
    # Day 60 comes a month later, for each on their own day.
    first = next(iter(people))
    onboarding_job(client, sessions, settings, on=people[first] + timedelta(days=60))
    assert "60 days in" in fake_slack.posts_to(first)[-1]["text"]


def test_a_cohort_of_five_is_released_once_it_closes_and_never_changes(
    slack, client, sessions, settings, fake_slack, cli_env, engine
):
    people = joiners(5)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    for user_id, value in zip(people, VALUES, strict=False):
        answer_all(slack, sessions, user_id, value)
    thanks = fake_slack.wait_for("response_url", 5 * len(onboarding_questions()))
    assert all("anonymously" in reply["text"] for reply in thanks)
    assert count(sessions, OnboardingAnswer) == 5 * len(onboarding_questions())
    # An onboarding answer is in no team's weekly figure: none of the pulses' tables holds it.
    assert count(sessions, Answer) == 0 and count(sessions, RunFigures) == 0

    onboarding_job(client, sessions, settings, on=CLOSES_ON - timedelta(days=1))
    with sessions() as session:
        assert released_cohorts(session, min_group=settings.min_group) == []
        assert session.exec(select(OnboardingFigure)).all() == []
    said = pulsebot(cli_env, "onboarding")
    assert said.exit_code == 0 and "No cohort of new joiners is released yet" in said.output

    onboarding_job(client, sessions, settings, on=CLOSES_ON)
    with sessions() as session:
        (cohort,) = released_cohorts(session, min_group=settings.min_group)
        stored = session.exec(select(OnboardingCohort)).one()
        figures = sorted(
            (f.milestone, f.question_key, f.answers, f.value) for f in session.exec(select(OnboardingFigure))
        )
    assert cohort.cohort == COHORT
    day30, day60, day90 = cohort.milestones
    assert day30.respondents == 5
    assert day30.means == dict.fromkeys((q.key for q in onboarding_questions()), 3.6)
    assert day60.respondents is None and day90.respondents is None  # nobody answered those
    assert stored.secret is None and stored.min_group == settings.min_group
    # Answers, key material and who was asked when are gone, in the files too.
    assert count(sessions, OnboardingAnswer) == 0 and count(sessions, OnboardingPulse) == 0

    said = pulsebot(cli_env, "onboarding")
    assert said.exit_code == 0, said.output
    assert COHORT in said.output and "3.6" in said.output and "fewer than 5" in said.output

    # Released once: a later pass, and people imported since, change nothing.
    import_joiners(sessions, joiners(1, prefix="LATE"), also=people)
    onboarding_job(client, sessions, settings, on=CLOSES_ON + timedelta(days=1))
    with sessions() as session:
        again = sorted(
            (f.milestone, f.question_key, f.answers, f.value) for f in session.exec(select(OnboardingFigure))
        )
    assert again == figures


def test_with_onboarding_off_nobody_is_asked(client, sessions, settings, fake_slack):
    people = joiners(5)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY, onboarding=False)
    assert fake_slack.calls_to("chat.postMessage") == []
    assert count(sessions, OnboardingPulse) == 0


def test_a_cohort_of_four_releases_nothing(slack, client, sessions, settings, fake_slack):
    people = joiners(4)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    for user_id, value in zip(people, VALUES, strict=False):
        answer_all(slack, sessions, user_id, value)
    fake_slack.wait_for("response_url", 4 * len(onboarding_questions()))
    onboarding_job(client, sessions, settings, on=CLOSES_ON)
    with sessions() as session:
        (cohort,) = released_cohorts(session, min_group=settings.min_group)
        figures = session.exec(select(OnboardingFigure)).all()
    assert [m.respondents for m in cohort.milestones] == [None, None, None]
    assert {(f.answers, f.value, f.hidden) for f in figures} == {(None, None, "few")}  # not even how many
    assert count(sessions, OnboardingAnswer) == 0


def test_a_pulse_takes_only_its_own_joiner_s_answers_while_open(
    slack, client, sessions, settings, fake_slack
):
    people = joiners(2)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    mine, theirs = list(people)
    from tests.onboarding.steps import pulse_of

    pulse_id = pulse_of(sessions, mine)
    slack.click(action_id="onboarding_answer_welcomed_2", value=f"{pulse_id}:welcomed:3", user=theirs)
    slack.click(action_id="onboarding_answer_welcomed_2", value=f"{pulse_id}:welcomed:9", user=mine)
    slack.click(action_id="onboarding_answer_welcomed_2", value=f"{pulse_id}:nosuch:3", user=mine)
    slack.click(action_id="onboarding_answer_welcomed_2", value=f"x{pulse_id}:welcomed:3", user=mine)
    replies = [reply["text"] for reply in fake_slack.wait_for("response_url", 4)]
    assert sum("sent to someone else" in text for text in replies) == 1
    assert sum("not one pulsebot recognises" in text for text in replies) == 3
    assert count(sessions, OnboardingAnswer) == 0
