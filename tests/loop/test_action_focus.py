"""What an action can be about: a library team's drivers with their latest shown score, and the comment
themes of the latest shown week only — never of a hidden one, even in a forged form."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pulsebot.store.models import FocusKind
from tests.conftest import MANAGER
from tests.drivers.test_driver_views import support_team
from tests.loop.steps import LAST_WEEK, MEMBERS, modal_of, options_of, stored, submit_plan
from tests.pulse_data import alike, make_team, run_week, scores
from tests.slack_limits import view_problems

pytestmark = pytest.mark.clock


def test_a_library_team_s_drivers_are_offered_with_their_latest_shown_score(slack, fake_slack, sessions):
    support_team(sessions)

    slack.command("/pulse", "action support", user=MANAGER)

    view = modal_of(fake_slack)
    groups = options_of(view)
    assert sorted(groups["Drivers"]) == ["driver:autonomy", "driver:customer", "driver:growth"]
    assert all(not value.startswith("question:customer.") for value in groups.get("Questions", []))
    focus = next(block for block in view["blocks"] if block.get("block_id") == "focus")
    texts = {o["value"]: o["text"]["text"] for o in focus["element"]["option_groups"][0]["options"]}
    assert texts["driver:customer"] == "Customer enablement · 3.0 of 5"
    assert texts["driver:autonomy"] == "Autonomy · 4.0 of 5"

    assert submit_plan(slack, survey="support", focus="driver:autonomy", visible=True).body == ""
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert "about: Autonomy" in str(post["blocks"]) and "4.0" not in str(post["blocks"])  # no score posted


def test_attack_a_hidden_week_s_comment_themes_are_never_offered_nor_accepted(slack, fake_slack, sessions):
    # Two weeks ago: six answered, comments about the laptop (shown). Last week: only four answered,
    # all about the reorg (hidden), so its themes must not reach the manager through the form; the
    # themes offered are those of the latest shown week.
    make_team(sessions, managers=(MANAGER,), now=LAST_WEEK - timedelta(days=30))
    run_week(
        sessions,
        survey="team-pulse",
        opened=LAST_WEEK - timedelta(days=7),
        audience=MEMBERS,
        answers=scores(MEMBERS, alike(4, 6)),
        comments=dict(zip(MEMBERS, ["The laptop is slow", "My laptop crashed", "Laptop fine"], strict=False)),
    )
    hidden = MEMBERS[:4]
    run_week(
        sessions,
        survey="team-pulse",
        opened=LAST_WEEK,
        audience=hidden,
        answers=scores(hidden, [1] * 4),
        comments={person: "The reorg worries me" for person in hidden},
    )

    slack.command("/pulse", "action", user=MANAGER)
    themes = options_of(modal_of(fake_slack)).get("Comment themes", [])
    forged = submit_plan(slack, focus="theme:reorg")

    assert "theme:laptop" in themes
    assert not any("reorg" in theme for theme in themes)
    assert forged.json["errors"]["focus"].startswith("Choose what it is about from the list")
    assert stored(sessions) == []


LONG_WORDS = (
    "state-of-the-art-cross-functional-end-to-end-customer-onboarding-and-offboarding-process-documentation",
    "company-wide-all-hands-quarterly-business-review-and-strategic-planning-off-site-meeting-series",
)


def test_a_theme_of_long_hyphenated_words_is_offered_and_planned_like_any_other(slack, fake_slack, sessions):
    make_team(sessions, managers=(MANAGER,), now=LAST_WEEK - timedelta(days=30))
    phrase = " ".join(LONG_WORDS)
    comments = [f"The {phrase} is confusing", f"Our {phrase} again", f"{phrase} needs work"]
    run_week(
        sessions,
        survey="team-pulse",
        opened=LAST_WEEK,
        audience=MEMBERS,
        answers=scores(MEMBERS, [3] * 6),
        comments=dict(zip(MEMBERS, comments, strict=False)),
    )

    slack.command("/pulse", "action", user=MANAGER)

    view = modal_of(fake_slack)
    assert view_problems(view) == []  # Slack opened it: every option value within 150 characters
    (theme,) = options_of(view)["Comment themes"]
    assert submit_plan(slack, focus=theme).body == ""
    (action,) = stored(sessions)
    assert (action.focus_kind, action.focus_key) == (FocusKind.theme, phrase)
    assert phrase in str(fake_slack.wait_for("chat.postMessage")[0]["blocks"])
