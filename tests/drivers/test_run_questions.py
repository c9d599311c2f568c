"""A library survey's runs, sent for real: each asks its own questions and the rotation's items, the whole
team sees the same ones, eNPS comes at its cadence, and an item of another run cannot be answered."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.services.survey.library import engagement_library
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer, PulseRun, Question, RunQuestion, RunStatus
from tests.conftest import ADMIN, PULSE_CHANNEL, TEAM
from tests.pulse_data import close_and_release

SURVEY = f"""\
name: drivers
channel: {PULSE_CHANNEL}
delivery: dm
library: engagement
questions_per_pulse: 4
enps: monthly
questions:
  - {{key: better, kind: text, prompt: "What would make next week better?"}}
"""
ITEM_TEXT = {item.text: item for driver in engagement_library().drivers for item in driver.items}


@pytest.fixture
def library_survey(sessions):
    with transaction(sessions) as session:
        for spec in parse_surveys(SURVEY, source="drivers.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))


def send_and_read_dms(slack, fake_slack, sessions) -> dict[str, list[str]]:
    """`/pulse send drivers`, then each person's DM as the list of question texts it shows; closes the run."""
    fake_slack.reset_calls()
    slack.command("/pulse", "send drivers", user=ADMIN)
    posts = fake_slack.wait_for("chat.postMessage", count=len(TEAM))
    shown = {}
    for post in posts:
        text = json.dumps(post.get("blocks"), ensure_ascii=False)
        asked = [t for t in ITEM_TEXT if t in text]
        asked += ["enps"] * ("recommend working here" in text) + ["better"] * ("next week better" in text)
        shown[post["channel"]] = sorted(asked)
    with transaction(sessions) as session:
        close_and_release(
            session, *session.exec(select(PulseRun.id).where(PulseRun.status == RunStatus.open))
        )
    return shown


@pytest.mark.usefixtures("library_survey")
def test_runs_rotate_through_every_driver_with_the_same_items_for_the_whole_team(slack, fake_slack, sessions):
    runs = []
    with freeze_time("2027-03-02 09:00:00", tick=True) as clock:
        for _ in range(4):
            runs.append(send_and_read_dms(slack, fake_slack, sessions))
            clock.move_to(datetime.now(UTC) + timedelta(days=7))

    for shown in runs:
        assert len(shown) == len(TEAM)
        assert len({tuple(asked) for asked in shown.values()}) == 1  # every DM asks the same
    asked_per_run = [next(iter(shown.values())) for shown in runs]
    items_per_run = [[t for t in asked if t in ITEM_TEXT] for asked in asked_per_run]
    assert [len(items) for items in items_per_run] == [4, 4, 4, 4]
    assert all("better" in asked for asked in asked_per_run)
    # Three runs (N = 3 for eleven drivers at four a pulse) cover every driver; the fourth repeats no item.
    drivers = {ITEM_TEXT[t].driver for items in items_per_run[:3] for t in items}
    assert drivers == set(engagement_library().driver_ids)
    assert not set(items_per_run[3]) & {t for items in items_per_run[:3] for t in items}
    # eNPS monthly: in March's first pulse only; runs of 2, 9, 16 and 23 March.
    assert ["enps" in asked for asked in asked_per_run] == [True, False, False, False]


@pytest.mark.usefixtures("library_survey")
def test_the_first_pulse_of_the_next_month_asks_enps_again(slack, fake_slack, sessions):
    with freeze_time("2027-03-30 09:00:00", tick=True) as clock:
        march = send_and_read_dms(slack, fake_slack, sessions)
        clock.move_to("2027-04-06 09:00:00")
        april = send_and_read_dms(slack, fake_slack, sessions)

    assert "enps" in next(iter(march.values())) and "enps" in next(iter(april.values()))


@pytest.mark.usefixtures("library_survey")
def test_an_item_this_run_does_not_ask_is_refused(slack, fake_slack, sessions):
    with freeze_time("2027-03-02 09:00:00", tick=True):
        slack.command("/pulse", "send drivers", user=ADMIN)
        fake_slack.wait_for("chat.postMessage", count=len(TEAM))
        with sessions() as session:
            run = session.exec(select(PulseRun)).one()
            asked = set(session.exec(select(RunQuestion.question_id).where(RunQuestion.run_id == run.id)))
            other = session.exec(
                select(Question).where(Question.from_library, Question.driver.is_not(None))
            ).all()
            not_asked = next(q for q in other if q.id not in asked)
            asked_item = next(q for q in other if q.id in asked)

        refused = slack.click(
            action_id=f"pulse_answer_{not_asked.id}_4", value=f"{run.id}:{not_asked.id}:4", user=TEAM[0]
        )
        taken = slack.click(
            action_id=f"pulse_answer_{asked_item.id}_4", value=f"{run.id}:{asked_item.id}:4", user=TEAM[0]
        )

    assert refused.status == 200 and taken.status == 200
    replies = [call.get("text", "") for call in fake_slack.wait_for("response_url", count=3)]
    assert sum("not part of this pulse" in text for text in replies) == 1
    with sessions() as session:
        stored = {a.question_id for a in session.exec(select(Answer)).all()}
    assert stored == {asked_item.id}  # the thank-you above comes once its answer is stored


def test_the_mood_counts_a_reversed_item_turned_round(sessions):
    from pulsebot.services.results.analytics import compute_trends
    from tests.drivers.steps import alike_for, library_run, library_team
    from tests.pulse_data import people

    now = datetime(2027, 3, 15, 12, tzinfo=UTC)
    library_team(sessions, name="autonomy", now=now, library="[autonomy]", per_pulse=3, enps="off")
    # The team agrees (4 on average) with all three autonomy items, one of which is reversed ("checked
    # too closely").
    library_run(
        sessions,
        survey="autonomy",
        opened=now - timedelta(days=7),
        audience=people(6),
        answers=lambda person, question: alike_for(person, 4),
    )

    with transaction(sessions) as session:
        trends = compute_trends(session, now=now, min_group=5, weeks=1, complete_only=True)
    week = trends.teams["autonomy"].latest
    assert week.score == pytest.approx((4 + 4 + 2) / 3)
    reversed_item = next(q for q in week.questions if q.key == "autonomy.micromanaged")
    assert reversed_item.mean == 4  # the item's own figure stays as answered
