"""`/pulse digest [SURVEY]`: managers and admins get a digest by DM; anyone else is told why not."""

from datetime import timedelta

import pytest

from tests.conftest import ADMIN, PINNED_NOW, TEAM
from tests.pulse_data import alike, make_team, people, run_week, scores

pytestmark = pytest.mark.clock

MANAGER = "U0MANAGER"
LAST_WEEK = PINNED_NOW - timedelta(days=7)  # always in the last complete week
MEMBERS = people(6)


def team_with_last_week(sessions, name="team-pulse", managers=(MANAGER,)):
    make_team(
        sessions, name=name, title=f"{name} pulse", managers=managers, now=LAST_WEEK - timedelta(days=30)
    )
    run_week(sessions, survey=name, opened=LAST_WEEK, audience=MEMBERS, answers=scores(MEMBERS, alike(4, 6)))


def test_someone_who_manages_no_team_is_refused_ephemerally(slack, fake_slack, sessions):
    team_with_last_week(sessions)

    reply = slack.command("/pulse", "digest", user=TEAM[0])
    named = slack.command("/pulse", "digest team-pulse", user=TEAM[0])

    assert reply.status == 200
    assert reply.text.startswith("Digests are for the managers of a team and for pulsebot admins.")
    assert named.text == "Only the managers of “team-pulse” and pulsebot admins can see its digest."
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_manager_cannot_ask_for_another_team_s_digest(slack, fake_slack, sessions):
    team_with_last_week(sessions)
    team_with_last_week(sessions, name="other-team", managers=("U0OTHER",))

    reply = slack.command("/pulse", "digest other-team", user=MANAGER)

    assert reply.text == "Only the managers of “other-team” and pulsebot admins can see its digest."


def test_an_unknown_survey_is_named_in_the_refusal(slack, sessions):
    reply = slack.command("/pulse", "digest nope", user=ADMIN)

    assert reply.text == "There is no survey called “nope”."


def test_a_manager_gets_their_team_s_digest_and_chart_by_dm(slack, fake_slack, sessions):
    team_with_last_week(sessions)

    reply = slack.command("/pulse", "digest", user=MANAGER)

    assert reply.text == "Sending the digest of “team-pulse” to you in a DM…"
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post["channel"] == MANAGER
    assert "team-pulse pulse: weekly digest" in str(post["blocks"])
    shared = fake_slack.wait_for("files.completeUploadExternal")[0]
    assert shared["channel_id"] == "D0MANAGER"


def test_an_admin_gets_any_team_s_digest_or_the_organisation_s(slack, fake_slack, sessions):
    team_with_last_week(sessions)

    named = slack.command("/pulse", "digest team-pulse", user=ADMIN)
    fake_slack.wait_for("files.completeUploadExternal")
    whole = slack.command("/pulse", "digest", user=ADMIN)
    fake_slack.wait_for("files.completeUploadExternal", 2)
    posts = fake_slack.calls_to("chat.postMessage")

    assert named.text == "Sending the digest of “team-pulse” to you in a DM…"
    assert whole.text == "Sending the digest of the whole organisation to you in a DM…"
    assert "Whole organisation: weekly digest" in str(posts[1]["blocks"])
    assert "team-pulse pulse" in str(posts[1]["blocks"])  # the teams' lines
