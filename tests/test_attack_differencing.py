"""Attack: a manager reads one person's answer by differencing.

The manager refreshes every view of their team (App Home, `/pulse digest`, `pulsebot report`,
`pulsebot export`; and the weekly digest, its chart and drop alerts) before and after each single click
on a pulse that is still open, hoping to see a figure move by exactly that person's answer. Nothing may
change while the run is open; once it has closed, its figures appear only if at least PULSEBOT_MIN_GROUP
people answered it.
"""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from pulsebot.services.digest.digests import team_digest
from pulsebot.services.results.analytics import Withheld
from pulsebot.slack.digest import drop_alerts_for_run, send_weekly_digests
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from tests.attack_steps import apply_yaml, close_run, every_view, export_rows, wait_for_answers
from tests.conftest import MANAGER, PINNED_NOW, PULSE_CHANNEL, TEAM
from tests.pulse_data import alike, close_and_release, make_team, people, run_week, scores
from tests.pulse_steps import click_answer

pytestmark = pytest.mark.clock

NOW = PINNED_NOW
LAST_WEEK = NOW - timedelta(days=7)  # the last complete week: what /pulse digest covers
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
timezone: UTC
open_days: 14
managers: [{MANAGER}]
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
"""


def team_with_a_pulse_still_open_from_last_week(sessions, client, settings):
    """A week two weeks ago that six answered (so the views have figures), and last week's pulse, still
    open for another week, posted in the team's channel."""
    apply_yaml(sessions, SURVEY, now=NOW - timedelta(days=60))
    earlier = people(6, "E")
    run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(days=14),
        audience=earlier,
        answers=scores(earlier, alike(4, 6)),
    )
    return send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=LAST_WEEK)


def last_week_row(views):
    return export_rows(views)[-1]  # the rows run oldest first, up to last week (the last complete one)


def test_refreshing_every_view_between_two_clicks_of_an_open_run_shows_nothing_move(
    settings, slack, fake_slack, sessions, client, cli_env, tmp_path
):
    run = team_with_a_pulse_still_open_from_last_week(sessions, client, settings)
    look = lambda: every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="team-pulse")  # noqa: E731

    before = look()
    click_answer(slack, run, TEAM[0], 1)
    wait_for_answers(sessions, run.run_id, 1)
    after_first = look()
    click_answer(slack, run, TEAM[1], 5)
    wait_for_answers(sessions, run.run_id, 2)
    after_second = look()

    assert before == after_first == after_second
    # The views do show figures — the week before — so a move would have been seen.
    assert "4.0" in before["report"] and "4.0" in before["home"]
    row = last_week_row(before)
    assert row["status"] == "suppressed" and row["respondents"] == row["mood"] == ""
    assert "still open" in before["report"] and "still open" in before["digest"]

    close_run(client, sessions, run, settings=settings)
    closed = look()

    # Two answered: the closed run stays hidden everywhere, and is said to be too small, not open.
    row = last_week_row(closed)
    figures = {key: value for key, value in row.items() if key not in ("survey", "week_start", "iso_week")}
    assert figures.pop("status") == "suppressed" and set(figures.values()) == {""}
    assert "hidden: fewer than 5 answered" in closed["report"] and "Fewer than 5 people" in closed["digest"]
    for text in closed.values():
        assert "3.0" not in text and "2 of " not in text  # (1 + 5) / 2, and the two who answered


def test_once_closed_a_run_that_reached_the_minimum_shows_its_figures_everywhere(
    settings, slack, fake_slack, sessions, client, cli_env, tmp_path
):
    run = team_with_a_pulse_still_open_from_last_week(sessions, client, settings)
    look = lambda: every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="team-pulse")  # noqa: E731

    before = look()
    for count, (person, value) in enumerate(zip(TEAM, [1, 2, 1, 2, 1], strict=True), start=1):
        click_answer(slack, run, person, value)
        wait_for_answers(sessions, run.run_id, count)
        assert look() == before, f"a view moved after click {count}"

    close_run(client, sessions, run, settings=settings)
    closed = look()

    row = last_week_row(closed)
    assert (row["status"], row["respondents"], row["audience"], row["mood"]) == ("shown", "5", "5", "1.4")
    assert "5 of 5 (100%)" in closed["report"] and "1.4" in closed["report"]
    assert "1.4" in closed["home"] and "1.4" in closed["digest"]


def test_a_run_at_the_minimum_stays_hidden_while_open_and_one_below_stays_hidden_after(
    settings, slack, fake_slack, sessions, client, cli_env, tmp_path
):
    run = team_with_a_pulse_still_open_from_last_week(sessions, client, settings)
    for count, person in enumerate(TEAM[:4], start=1):
        click_answer(slack, run, person, 2)
        wait_for_answers(sessions, run.run_id, count)

    close_run(client, sessions, run, settings=settings)
    closed = every_view(slack, fake_slack, cli_env, tmp_path, user=MANAGER, survey="team-pulse")

    assert last_week_row(closed)["status"] == "suppressed"
    assert "4 of 5" not in closed["report"] and "2.0" not in closed["report"]


def test_the_weekly_digest_its_chart_and_drop_alerts_wait_for_the_run_to_close(
    sessions, client, fake_slack, settings
):
    manager, monday = "U0MGRBER", datetime(2026, 3, 2, 9, tzinfo=UTC)
    fake_slack.add_user(manager, tz="Europe/Berlin")
    make_team(sessions, managers=(manager,), now=monday - timedelta(days=60))
    members = people(6)
    for offset in range(2):
        run_week(
            sessions,
            survey="team-pulse",
            opened=monday + timedelta(weeks=offset),
            audience=members,
            answers=scores(members, alike(4, 6)),
        )
    # The third week's pulse: six answered, four 1s and two 2s — a sharp drop — but it is still open.
    still_open = run_week(
        sessions,
        survey="team-pulse",
        opened=monday + timedelta(weeks=2),
        audience=members,
        answers=scores(members, [1, 1, 1, 1, 2, 2]),
        close=False,
    )
    digest_monday = datetime(2026, 3, 23, 8, 5, tzinfo=UTC)  # 09:05 in Berlin

    with transaction(sessions) as session:
        digest = team_digest(session, survey_name="team-pulse", now=digest_monday, min_group=5, weeks=4)
    with freeze_time(digest_monday, tick=True):
        sent = send_weekly_digests(client, sessions, settings, datetime.now(UTC))
    early_alert = drop_alerts_for_run(client, sessions, settings, run_id=still_open, now=digest_monday)

    assert ("team-pulse", manager) in sent
    post = next(call for call in fake_slack.calls_to("chat.postMessage") if call["channel"] == manager)
    assert "still open" in str(post["blocks"]) and "1.3" not in str(post["blocks"])
    assert digest.figures.withheld is Withheld.still_open
    assert [week.shown for week in digest.trend] == [False, True, True, False]  # the chart's points
    assert early_alert == []

    with transaction(sessions) as session:
        close_and_release(session, still_open)
    alerted = drop_alerts_for_run(client, sessions, settings, run_id=still_open, now=digest_monday)

    assert alerted == [manager]  # once closed, the drop is real and told
