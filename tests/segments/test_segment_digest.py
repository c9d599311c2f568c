"""Where people see a released period: the admins' organisation digest carries its segments' heatmap (hidden
cells grey, labelled why) in the week after it was released, and each manager with people below them in
the reporting line finds their line's roll-up in their team's digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from matplotlib.colors import to_hex

from pulsebot.charts import HIDDEN_BAND
from pulsebot.segment_chart import segment_heatmap_figure
from pulsebot.services.segments.segment_views import find_release, segment_table
from pulsebot.slack.digest import send_digests, send_requested_digests
from pulsebot.store.db import transaction
from tests.conftest import ADMIN
from tests.segments.segment_data import AFTER_JUNE, june_organisation, release

pytestmark = pytest.mark.clock

A_DAY_LATER = AFTER_JUNE + timedelta(days=1)


def post_to(fake_slack, user: str) -> str:
    (post,) = [post for post in fake_slack.calls_to("chat.postMessage") if post["channel"] == user]
    return str(post["blocks"])


def test_the_organisation_digest_after_a_release_carries_the_segments_heatmap(
    sessions, client, fake_slack, settings
):
    june_organisation(sessions)
    release(sessions)

    send_digests(client, sessions, settings, now=A_DAY_LATER, survey_name=None)

    asked = {call["filename"]: call for call in fake_slack.calls_to("files.getUploadURLExternal")}
    assert "segments-2027-06.png" in asked
    uploads = {upload["file_id"]: upload for upload in fake_slack.calls_to("upload")}
    shared = [
        call
        for call in fake_slack.calls_to("files.completeUploadExternal")
        if call["files"][0]["title"] == "Drivers by department, 2027-06"
    ]
    (segments,) = shared
    assert fake_slack.uploads[segments["files"][0]["id"]].startswith(b"\x89PNG\r\n\x1a\n")
    assert segments["files"][0]["id"] in uploads
    admin_dm = post_to(fake_slack, ADMIN)
    assert "Segments, June 2027" in admin_dm
    assert "June 2027 by department: 3 segments shown, 2 hidden" in admin_dm
    assert "Manager support: strongest Sales (4.5), weakest Engineering (1.6)" in admin_dm


def test_the_heatmap_greys_and_labels_the_hidden_cells(sessions):
    june_organisation(sessions)
    release(sessions)
    with transaction(sessions) as session:
        table = segment_table(session, release=find_release(session, period=None), table="department")

    figure = segment_heatmap_figure(table)

    grid = figure.axes[0]
    assert [label.get_text() for label in grid.get_yticklabels()] == [
        "Engineering",
        "Finance",
        "Legal",
        "Sales",
        "Support",
    ]
    assert [label.get_text() for label in grid.get_xticklabels()] == ["Manager support", "Colleagues"]
    written = [text.get_text() for text in grid.texts]
    assert written.count("too few") == 4  # Legal's and Finance's two drivers
    assert sorted(t for t in written if t != "too few") == ["1.6", "3.4", "3.4", "3.5", "3.6", "4.5"]
    greys = [patch for patch in grid.patches if to_hex(patch.get_facecolor()) == HIDDEN_BAND]
    assert len(greys) == 4
    assert "too few: fewer than 5 people answered" in figure._supxlabel.get_text()


def test_a_week_after_the_release_the_digest_no_longer_carries_it(sessions, client, fake_slack, settings):
    june_organisation(sessions)
    release(sessions)

    send_digests(client, sessions, settings, now=AFTER_JUNE + timedelta(days=8), survey_name=None)

    assert not any(
        c["filename"].startswith("segments-") for c in fake_slack.calls_to("files.getUploadURLExternal")
    )
    assert "Segments," not in post_to(fake_slack, ADMIN)


def test_each_leader_s_team_digest_rolls_up_their_reporting_line(sessions, client, fake_slack, settings):
    june_organisation(sessions)
    release(sessions)

    send_digests(client, sessions, settings, now=A_DAY_LATER, survey_name=None)

    sales_manager = post_to(fake_slack, "U0MSA")
    assert "Your reporting line, June 2027" in sales_manager
    assert "11 responses (100% of those asked); eNPS +45." in sales_manager
    assert "Drivers: Manager support 4.5 · Colleagues 3.5" in sales_manager
    # Three people below U0MLE: their line is hidden, and says why.
    legal_manager = post_to(fake_slack, "U0MLE")
    assert "Your reporting line, June 2027" in legal_manager
    assert "Hidden: fewer than 5 people answered." in legal_manager
    assert "responses (" not in legal_manager
    # The admins' digest is the organisation's: no line of their own in it.
    assert "Your reporting line" not in post_to(fake_slack, ADMIN)


def test_a_digest_asked_for_gets_the_roll_up_too(sessions, client, fake_slack, settings):
    june_organisation(sessions)
    release(sessions)

    send_requested_digests(client, sessions, settings, user_id="U0MEN", scopes=["eng"], now=A_DAY_LATER)

    assert "Drivers: Colleagues 3.4 · Manager support 1.6" in post_to(fake_slack, "U0MEN")
