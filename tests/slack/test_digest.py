"""Digests and drop alerts reach managers by DM, with the trend chart uploaded into the same DM."""

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from pulsebot.slack.digest import drop_alerts_for_run, send_digests, send_weekly_digests
from tests.conftest import ADMIN
from tests.pulse_data import alike, make_team, people, run_week, scores

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
DIGEST_MONDAY = datetime(2026, 3, 23, tzinfo=UTC)  # after three weeks of pulses
TEAM = people(6)
BERLIN, NEW_YORK = "U0MGRBER", "U0MGRNYC"


def three_weeks(sessions, *, last=(3, 3, 4, 3, 4, 3), managers=(BERLIN, NEW_YORK)):
    make_team(sessions, managers=managers, now=MONDAY - timedelta(days=60))
    run_ids = []
    for offset, values in enumerate((alike(4, 6), alike(4, 6), list(last))):
        run_ids.append(
            run_week(
                sessions,
                survey="team-pulse",
                opened=MONDAY + timedelta(weeks=offset),
                audience=TEAM,
                answers=scores(TEAM, values),
                comments={TEAM[0]: "The workload is heavy.", TEAM[1]: "Workload is fine."},
            )
        )
    return run_ids


def sent_now(client, sessions, settings, moment: str):
    with freeze_time(moment, tick=True):
        return send_weekly_digests(client, sessions, settings, datetime.now(UTC))


def test_weekly_digests_go_out_after_nine_on_monday_in_each_person_s_own_time_zone(
    sessions, client, fake_slack, settings
):
    fake_slack.add_user(BERLIN, tz="Europe/Berlin")
    fake_slack.add_user(NEW_YORK, tz="America/New_York")
    three_weeks(sessions)

    before_nine = sent_now(client, sessions, settings, "2026-03-23 07:55:00+00:00")  # 08:55 in Berlin
    berlin_nine = sent_now(client, sessions, settings, "2026-03-23 08:05:00+00:00")  # 09:05 in Berlin
    again = sent_now(client, sessions, settings, "2026-03-23 08:20:00+00:00")
    new_york_nine = sent_now(client, sessions, settings, "2026-03-23 13:05:00+00:00")  # 09:05 in New York
    next_day = sent_now(client, sessions, settings, "2026-03-24 13:05:00+00:00")

    assert before_nine == []
    assert sorted(berlin_nine) == [("org", ADMIN), ("team-pulse", BERLIN)]
    assert again == []
    assert new_york_nine == [("team-pulse", NEW_YORK)]
    assert next_day == []
    posts = fake_slack.calls_to("chat.postMessage")
    assert sorted(post["channel"] for post in posts) == sorted([ADMIN, BERLIN, NEW_YORK])
    team_post = next(post for post in posts if post["channel"] == BERLIN)
    assert "Weekly team pulse: weekly digest" in str(team_post["blocks"])
    assert "week of 16 Mar" in team_post["text"]


def test_the_chart_is_uploaded_into_the_same_dm(sessions, client, fake_slack, settings):
    three_weeks(sessions, managers=(BERLIN,))

    sent = send_digests(client, sessions, settings, now=DIGEST_MONDAY, survey_name="team-pulse")

    assert sent == [("team-pulse", BERLIN)]
    (asked,) = fake_slack.calls_to("files.getUploadURLExternal")
    (uploaded,) = fake_slack.calls_to("upload")
    (shared,) = fake_slack.calls_to("files.completeUploadExternal")
    assert asked["filename"] == "team-pulse-2026-03-16.png"
    assert int(asked["length"]) == uploaded["size"] > 1000
    assert fake_slack.uploads[uploaded["file_id"]].startswith(b"\x89PNG\r\n\x1a\n")
    assert shared["files"][0]["id"] == uploaded["file_id"]
    assert shared["channel_id"] == "D0MGRBER"  # the DM the digest went to


def test_a_hidden_week_s_digest_shows_no_figures_and_no_comments(sessions, client, fake_slack, settings):
    three_weeks(sessions, last=(3, 3, 3, 3), managers=(BERLIN,))

    send_digests(client, sessions, settings, now=DIGEST_MONDAY, survey_name="team-pulse")

    (post,) = fake_slack.calls_to("chat.postMessage")
    text = str(post["blocks"])
    assert "Fewer than 5 people answered in the week of 16 March 2026" in text
    assert "Mood (1–5)" not in text and "Answered" not in text
    assert "workload" not in text.lower() and "In their words" not in text
    # The two earlier weeks still make a chart; the hidden week is a gap in it.
    assert len(fake_slack.calls_to("upload")) == 1


def test_no_chart_when_not_one_week_may_be_shown(sessions, client, fake_slack, settings):
    make_team(sessions, managers=(BERLIN,), now=MONDAY - timedelta(days=60))
    run_week(sessions, survey="team-pulse", opened=MONDAY, audience=TEAM, answers=scores(TEAM, [2] * 3))

    send_digests(client, sessions, settings, now=MONDAY + timedelta(weeks=1), survey_name="team-pulse")

    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("files.getUploadURLExternal") == []


def test_a_failed_dm_is_tried_again_at_the_next_call(sessions, client, fake_slack, settings):
    three_weeks(sessions, managers=(BERLIN,))
    fake_slack.fail("chat.postMessage", "cannot_dm_bot")

    first = sent_now(
        client, sessions, settings.model_copy(update={"admins": frozenset()}), "2026-03-23 09:00Z"
    )
    second = sent_now(
        client, sessions, settings.model_copy(update={"admins": frozenset()}), "2026-03-23 09:15Z"
    )

    assert first == []
    assert second == [("team-pulse", BERLIN)]


def test_a_sharp_drop_sends_each_manager_one_short_alert(sessions, client, fake_slack, settings):
    *_, last_run = three_weeks(sessions)

    alerted = drop_alerts_for_run(client, sessions, settings, run_id=last_run, now=DIGEST_MONDAY)
    again = drop_alerts_for_run(client, sessions, settings, run_id=last_run, now=DIGEST_MONDAY)

    assert sorted(alerted) == [BERLIN, NEW_YORK]
    assert again == []
    posts = fake_slack.calls_to("chat.postMessage")
    assert sorted(post["channel"] for post in posts) == [BERLIN, NEW_YORK]
    assert "mood fell 0.7 to 3.3 of 5" in posts[0]["text"]
    assert "Weekly team pulse" in posts[0]["text"]


def test_a_small_move_or_a_hidden_week_sends_no_alert(sessions, client, fake_slack, settings):
    *_, small_move = three_weeks(sessions, last=(5, 4, 4, 4, 3, 3))

    assert drop_alerts_for_run(client, sessions, settings, run_id=small_move, now=DIGEST_MONDAY) == []
    hidden = run_week(
        sessions,
        survey="team-pulse",
        opened=MONDAY + timedelta(weeks=3),
        audience=TEAM,
        answers=scores(TEAM, [1] * 4),
    )
    assert drop_alerts_for_run(client, sessions, settings, run_id=hidden, now=DIGEST_MONDAY) == []
    assert fake_slack.calls_to("chat.postMessage") == []


def test_the_alert_threshold_is_configurable(sessions, client, fake_slack, settings):
    *_, last_run = three_weeks(sessions, last=(5, 4, 4, 4, 3, 3))  # a fall of about 0.17

    lenient = drop_alerts_for_run(client, sessions, settings, run_id=last_run, now=DIGEST_MONDAY)
    strict = settings.model_copy(update={"drop_alert": 0.1})
    alerted = drop_alerts_for_run(client, sessions, strict, run_id=last_run, now=DIGEST_MONDAY)

    assert lenient == [] and sorted(alerted) == [BERLIN, NEW_YORK]


def test_a_failed_chart_upload_does_not_send_the_digest_twice(sessions, client, fake_slack, settings):
    three_weeks(sessions, managers=(BERLIN,))
    fake_slack.fail("files.getUploadURLExternal", "missing_scope")
    no_admins = settings.model_copy(update={"admins": frozenset()})

    first = sent_now(client, sessions, no_admins, "2026-03-23 09:00Z")
    second = sent_now(client, sessions, no_admins, "2026-03-23 09:15Z")

    assert first == [("team-pulse", BERLIN)] and second == []
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_manager_far_ahead_of_the_team_reads_about_the_week_just_ending(
    sessions, client, fake_slack, settings
):
    # Monday 09:00 in Tokyo is still Sunday afternoon in Los Angeles, where the team's week is ending.
    fake_slack.add_user("U0MGRTYO", tz="Asia/Tokyo")
    make_team(sessions, timezone="America/Los_Angeles", managers=("U0MGRTYO",), now=MONDAY)
    tuesday = datetime(2026, 3, 17, 17, tzinfo=UTC)  # Tuesday 10:00 in Los Angeles
    run_week(sessions, survey="team-pulse", opened=tuesday, audience=TEAM, answers=scores(TEAM, alike(4, 6)))
    no_admins = settings.model_copy(update={"admins": frozenset()})

    sent = sent_now(client, sessions, no_admins, "2026-03-23 00:05:00+00:00")  # 09:05 in Tokyo

    assert sent == [("team-pulse", "U0MGRTYO")]
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert "week of 16 Mar" in post["text"] and "Mood (1–5)*\\n4.0" in str(post["blocks"])
