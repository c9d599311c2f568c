"""Without a start date from HR's export, Slack's `team_join` stands in for it (PULSEBOT_ONBOARDING on):
the day someone joins the workspace starts their day-30, -60 and -90 pulses; guests, bots and anyone HR
gives a start date are left to the export."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from pulsebot.store.models import OnboardingPulse
from tests.conftest import SIGNING_SECRET, serving_app
from tests.onboarding.steps import TODAY, import_joiners, onboarding_job
from tests.slack_requests import SlackRequests
from tests.test_directory import directory, until, user

pytestmark = pytest.mark.clock

NEWCOMER, GUEST, HIRED = "U0NEWCOMER", "U0GUEST", "U0HIRED"


def owed(sessions) -> dict[str, list[tuple[int, date, bool]]]:
    with sessions() as session:
        rows = session.exec(select(OnboardingPulse).order_by(OnboardingPulse.milestone)).all()
    found: dict[str, list[tuple[int, date, bool]]] = {}
    for row in rows:
        found.setdefault(row.user_id, []).append((row.milestone, row.due_on, row.from_join))
    return found


@pytest.fixture
def joining(settings, sessions, engine, client, sender, fake_slack):
    on = settings.model_copy(update={"onboarding": True})
    with serving_app(on, sessions, engine, client=client, sender=sender) as url:
        yield SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url())


def test_the_join_day_starts_the_pulses_of_someone_hr_gives_no_start_date(
    joining, client, sessions, settings, fake_slack
):
    import_joiners(sessions, {HIRED: TODAY - timedelta(days=3)})
    joining.event({"type": "team_join", "user": user(NEWCOMER)})
    joining.event({"type": "team_join", "user": user(GUEST, is_restricted=True)})
    joining.event({"type": "team_join", "user": user(HIRED)})
    until(lambda: NEWCOMER in owed(sessions))
    plan = owed(sessions)
    assert plan[NEWCOMER] == [(m, TODAY + timedelta(days=m), True) for m in (30, 60, 90)]
    assert GUEST not in plan and HIRED not in plan  # a guest is no joiner; HR's start date is HIRED's

    onboarding_job(client, sessions, settings, on=TODAY + timedelta(days=30))
    (dm,) = fake_slack.posts_to(NEWCOMER)
    assert "30 days in" in dm["text"]
    # HR's export gives them a start date later: it wins over the join day for what is not sent yet.
    import_joiners(sessions, {NEWCOMER: TODAY - timedelta(days=10)}, also={HIRED: TODAY - timedelta(days=3)})
    onboarding_job(client, sessions, settings, on=TODAY + timedelta(days=31))
    after = owed(sessions)[NEWCOMER]
    assert (30, TODAY + timedelta(days=30), True) in after  # sent: kept until the cohort's release
    assert (60, TODAY + timedelta(days=50), False) in after and (
        90,
        TODAY + timedelta(days=80),
        False,
    ) in after
    assert all(not from_join for milestone, _, from_join in after if milestone != 30)


def test_with_onboarding_off_a_join_owes_nothing(slack, sessions):
    slack.event({"type": "team_join", "user": user(NEWCOMER)})
    until(lambda: NEWCOMER in directory(sessions))
    assert owed(sessions) == {}
