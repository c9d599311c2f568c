"""The directory of the workspace's people: read in full from Slack once a day at most, paced and going on
from its last page, kept current by Slack's `team_join` and `user_change` events, and one table every
process reads."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.people.workspace_people import UNKEPT_AFTER
from pulsebot.services.privacy import retention
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION
from pulsebot.slack.directory import WorkspaceDirectory
from pulsebot.slack.pacing import Pacer
from pulsebot.slack.publish import send_pulse
from pulsebot.slack.workspace_people import read_directory
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Delivery, DirectoryPerson
from tests.conftest import ADMIN, MANAGER, PULSE_CHANNEL, SCALE_SURVEY, TEAM
from tests.pulse_steps import click_answer

NEWCOMER = "U0NEWCOMER"
QUICK = 1000.0  # users.list calls a second in the tests that are not about the pace


def directory(sessions) -> set[str]:
    with sessions() as session:
        return set(session.exec(select(DirectoryPerson.user_id)).all())


def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Events are handled after their ack: wait for what the listener does."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the event was not handled in time"
        time.sleep(0.05)


def user(user_id: str, **flags) -> dict:
    return {
        "id": user_id,
        "name": user_id.lower(),
        "tz": "Europe/Berlin",
        "is_bot": False,
        "deleted": False,
        **flags,
    }


def test_a_full_read_lists_the_active_people_only(sessions, client, fake_slack):
    fake_slack.add_user("U0GONE", deleted=True)
    fake_slack.add_user("U0GUEST")  # a guest is a person too, as before

    assert read_directory(client, sessions, pacer=Pacer(QUICK))

    assert directory(sessions) == {ADMIN, MANAGER, *TEAM, "U0GUEST"}  # no bot, no deactivated account


def test_a_read_goes_page_by_page_at_tier_2_s_pace_and_on_from_its_last_page_after_a_failure(
    sessions, client, fake_slack
):
    for number in range(430):
        fake_slack.add_user(f"U1{number:05d}")
    read_directory(client, sessions, pacer=Pacer(QUICK))
    fake_slack.users["U100425"]["deleted"] = True  # left since; listed on the last page
    fake_slack.reset_calls()
    fake_slack.fail("users.list", "fatal_error", after=1)  # Slack fails the second page

    with freeze_time(datetime.now(UTC) + timedelta(days=1, minutes=1), tick=True):
        with pytest.raises(SlackApiError):
            read_directory(client, sessions)
        assert len(directory(sessions)) == 430 + 2 + len(TEAM)  # what was read is kept meanwhile
        assert read_directory(client, sessions)  # the next pass goes on from the second page

    assert [call.get("cursor") for call in fake_slack.calls_to("users.list")] == [None, "200", "200", "400"]
    first_pass, second_pass = fake_slack.times_of("users.list")[:2], fake_slack.times_of("users.list")[2:]
    for times in (first_pass, second_pass):  # (the passes of the job are a minute apart)
        assert all(later - earlier >= 2.9 for earlier, later in itertools.pairwise(times)), times
    assert len(directory(sessions)) == 429 + 2 + len(TEAM)


def test_a_user_change_event_updates_the_directory_without_reading_slack(slack, sessions, client, fake_slack):
    read_directory(client, sessions, pacer=Pacer(QUICK))
    fake_slack.reset_calls()

    slack.event({"type": "user_change", "user": user(TEAM[4], deleted=True)})
    until(lambda: TEAM[4] not in directory(sessions))
    slack.event({"type": "user_change", "user": user("U0NOWBOT", is_bot=True)})
    slack.event({"type": "user_change", "user": user(TEAM[4])})  # reactivated
    until(lambda: TEAM[4] in directory(sessions))

    assert "U0NOWBOT" not in directory(sessions)
    assert fake_slack.calls_to("users.list") == [] and fake_slack.calls_to("users.info") == []


def test_someone_who_joins_is_in_the_directory_and_gets_the_next_pulse(
    slack, settings, sessions, client, fake_slack
):
    read_directory(client, sessions, pacer=Pacer(QUICK))
    fake_slack.add_user(NEWCOMER)
    fake_slack.add_channel(PULSE_CHANNEL, [*TEAM, NEWCOMER, "UBOT"])
    fake_slack.reset_calls()

    slack.event({"type": "team_join", "user": user(NEWCOMER)})
    until(lambda: NEWCOMER in directory(sessions))
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        apply_survey(
            session, spec=parse_surveys(SCALE_SURVEY.format(channel=PULSE_CHANNEL), source="t")[0], now=now
        )
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=now)

    with sessions() as session:
        assert session.exec(select(Delivery).where(Delivery.user_id == NEWCOMER)).first() is not None
    click_answer(slack, run, NEWCOMER, 4)
    assert "Thanks, recorded *4*" in fake_slack.wait_for("response_url")[0]["text"]
    assert fake_slack.calls_to("users.list") == []


def test_two_replicas_read_one_directory(slack, engine, sessions, client, fake_slack):
    read_directory(client, sessions, pacer=Pacer(QUICK))
    other_engine = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        other_sessions = session_factory(other_engine)
        here, there = WorkspaceDirectory(), WorkspaceDirectory()
        assert set(here.people(client, sessions)) == set(there.people(client, other_sessions))
        fake_slack.reset_calls()

        slack.event({"type": "team_join", "user": user(NEWCOMER)})  # handled by the app, a third process
        until(lambda: NEWCOMER in directory(sessions))

        assert NEWCOMER in here.people(client, sessions, fresh=True)
        assert NEWCOMER in there.people(client, other_sessions, fresh=True)
    finally:
        other_engine.dispose()
    assert fake_slack.calls_to("users.list") == []


def test_a_day_of_passes_and_lookups_reads_users_list_once(jobs_runtime, sessions, client, fake_slack):
    start = datetime(2027, 6, 16, 10, 0, tzinfo=UTC)
    people = WorkspaceDirectory()
    with freeze_time(start) as clock:
        for _ in range(24 * 12):  # a pass every five minutes for a day, each looking everyone up
            scheduling.read_directories()
            assert set(people.people(client, sessions, fresh=True)) >= set(TEAM)
            clock.tick(timedelta(minutes=5))
        assert len(fake_slack.calls_to("users.list")) == 1
        scheduling.read_directories()  # a day after the first read: the next
    assert len(fake_slack.calls_to("users.list")) == 2


def test_forget_me_and_retention_remove_people_from_the_directory(slack, sessions, client, fake_slack):
    read_directory(client, sessions, pacer=Pacer(QUICK))
    assert TEAM[0] in directory(sessions)

    slack.command("/pulse", "forget-me", user=TEAM[0])
    slack.click(action_id=FORGET_ME_ACTION, value="forget", user=TEAM[0])
    assert fake_slack.wait_for("response_url")[-1]["text"].startswith("*Done: pulsebot has forgotten you.*")
    assert directory(sessions) == {ADMIN, MANAGER, *TEAM[1:]}

    # Slack out of reach for a week (or the app removed): the directory is no longer kept, and goes.
    outcome = retention.run_retention(
        sessions, days=730, min_group=5, now=datetime.now(UTC) + UNKEPT_AFTER + timedelta(hours=1)
    )
    assert outcome.directory == len(TEAM[1:]) + 2
    assert directory(sessions) == set()
    assert read_directory(client, sessions, pacer=Pacer(QUICK))  # a read fills it again when it can
    assert directory(sessions) == {ADMIN, MANAGER, *TEAM}
