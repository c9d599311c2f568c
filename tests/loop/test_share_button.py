"""The team digest offers "Share with the team" for a shown week; never for a hidden week, never on the
organisation's digest."""

import json
from datetime import UTC, datetime

import pytest

from pulsebot.slack.digest import send_digests
from tests.conftest import ADMIN, MANAGER
from tests.loop.share_steps import SURVEY, last_week, team_with_weeks

pytestmark = pytest.mark.clock


def loop_block(post: dict) -> dict | None:
    return next((block for block in post["blocks"] if block.get("block_id") == "digest_loop"), None)


def test_a_shown_week_s_team_digest_has_the_share_button_before_its_closing_divider(
    sessions, client, fake_slack, settings
):
    now = datetime.now(UTC)
    week = team_with_weeks(sessions, through=last_week(now))

    send_digests(client, sessions, settings, now=now, survey_name=SURVEY)

    (post,) = fake_slack.posts_to(MANAGER)
    block = loop_block(post)
    assert block is not None and block["type"] == "actions"
    share, button, plan = block["elements"]
    assert [element["text"]["text"] for element in (share, button, plan)] == [
        "Share with the team",
        "Preview, add comments…",
        "Plan an action",
    ]
    assert (share["action_id"], button["action_id"]) == ("share_results_now", "share_results")
    assert share["value"] == button["value"]
    assert json.loads(button["value"]) == {"survey": SURVEY, "week": week.isoformat()}
    position = post["blocks"].index(block)
    assert post["blocks"][position + 1]["type"] == "divider"
    assert post["blocks"][position + 2]["type"] == "context"  # the footer closes the digest


def test_a_hidden_week_s_digest_has_no_share_button(sessions, client, fake_slack, settings):
    now = datetime.now(UTC)
    team_with_weeks(sessions, through=last_week(now), answered_last=4)  # fewer than five answered

    send_digests(client, sessions, settings, now=now, survey_name=SURVEY)

    (post,) = fake_slack.posts_to(MANAGER)
    assert "Fewer than 5 people answered" in post["text"]
    # Planning an action needs no shown week; sharing does.
    assert [button["action_id"] for button in loop_block(post)["elements"]] == ["action_plan"]
    assert "share_results" not in json.dumps(post["blocks"])


def test_the_organisation_s_digest_has_no_share_button(sessions, client, fake_slack, settings):
    now = datetime.now(UTC)
    team_with_weeks(sessions, through=last_week(now))

    send_digests(client, sessions, settings, now=now, survey_name=None)

    (org,) = fake_slack.posts_to(ADMIN)
    assert "Whole organisation" in org["text"]
    assert loop_block(org) is None
    assert loop_block(fake_slack.posts_to(MANAGER)[0]) is not None  # the team's own digest has it
