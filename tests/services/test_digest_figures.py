"""Figures that add up: every arrow is the difference of the figures shown beside it, every list says how
many it leaves out, and an idea is listed once."""

from datetime import timedelta

from pulsebot.charts import chart_weeks, digest_chart, trend_figure
from pulsebot.services.digest.digest_text import render_text
from pulsebot.services.idea.ideas import post_idea, toggle_vote
from pulsebot.slack.blocks.digest import digest_message
from pulsebot.store.db import transaction
from tests.conftest import ANON_KEY
from tests.pulse_data import make_team, people, run_week, scores
from tests.services.test_digests import MONDAY, digest_of

SEVEN = people(7)


def two_weeks(sessions, before: list[int], after: list[int]) -> None:
    make_team(sessions, managers=("U0MANAGER",), now=MONDAY - timedelta(days=60))
    for offset, values in enumerate((before, after)):
        run_week(
            sessions,
            survey="team-pulse",
            opened=MONDAY + timedelta(weeks=offset),
            audience=SEVEN,
            answers=scores(SEVEN, values),
        )


def test_the_mood_arrow_is_the_difference_of_the_moods_shown(sessions):
    # 27/7 = 3.857 is shown as 3.9 and 22/7 = 3.143 as 3.1: the arrow says 0.8, although the unrounded
    # moods differ by 0.714, which alone would round to 0.7 and not add up.
    two_weeks(sessions, before=[5, 4, 4, 4, 4, 3, 3], after=[4, 4, 3, 3, 3, 3, 2])

    digest = digest_of(sessions, now=MONDAY + timedelta(weeks=2))
    text = render_text(digest)
    _, blocks = digest_message(digest)

    assert "  Mood (1–5)   3.1 ↓ 0.8\n" in text
    assert "Mood fell 0.8 to 3.1" in text  # the summary's words agree with the arrow
    assert "mood 3.9" in text and "mood 3.1" in text  # the trend the arrow can be checked against
    fields = [field["text"] for block in blocks for field in block.get("fields", [])]
    assert "*Mood (1–5)*\n3.1 ↓ 0.8" in fields
    assert blocks[2]["text"]["text"].startswith("Mood fell 0.8 to 3.1")


def test_an_unchanged_shown_mood_has_a_flat_arrow(sessions):
    # 3.857 then 3.871: both are shown as 3.9, so the arrow is flat, not "↑ 0.0" or "↑ 0.1".
    two_weeks(sessions, before=[5, 4, 4, 4, 4, 3, 3], after=[5, 5, 4, 4, 3, 3, 3])

    text = render_text(digest_of(sessions, now=MONDAY + timedelta(weeks=2)))

    assert "  Mood (1–5)   3.9 → 0.0\n" in text


def ideas_waiting(sessions, count: int, *, popular: int) -> None:
    """`count` ideas waiting over two weeks, the first `popular` of them with the most votes."""
    key = ANON_KEY.encode()
    now = MONDAY + timedelta(weeks=4)
    with transaction(sessions) as session:
        for index in range(count):
            idea = post_idea(
                session,
                user_id=f"U0AUTHOR{index}",
                text=f"Waiting idea {index}",
                key=key,
                now=now - timedelta(days=40 - index),
            )
            if index < popular:
                for voter in range(3):
                    toggle_vote(session, idea_id=idea.id, user_id=f"U0VOTER{voter}", key=key)
        fresh = post_idea(session, user_id="U0NEW", text="Fresh idea", key=key, now=now - timedelta(days=1))
        toggle_vote(session, idea_id=fresh.id, user_id="U0VOTER0", key=key)


def test_waiting_ideas_say_how_many_more_there_are_and_none_is_listed_twice(sessions):
    make_team(sessions, now=MONDAY)
    ideas_waiting(sessions, 4, popular=2)

    digest = digest_of(sessions, now=MONDAY + timedelta(weeks=4))
    text = render_text(digest)
    _, blocks = digest_message(digest)

    waiting = text.split("Waiting for a decision for over two weeks (4)\n")[1].split("\n\n")[0]
    assert waiting.splitlines()[-1] == "  and 1 more"
    assert len([line for line in waiting.splitlines() if line.startswith("  - #")]) == 3
    top = text.split("Top ideas\n")[1].split("\n\n")[0]
    assert "Fresh idea" in top
    for line in waiting.splitlines()[:-1]:
        idea = line.split(" · ")[0].removeprefix("  - ")
        assert idea not in top  # listed under Waiting, with its votes, and not again
    assert "Waiting idea 0 · 3 votes · new for 40 days" in waiting
    sections = [block["text"]["text"] for block in blocks if block.get("text", {}).get("type") == "mrkdwn"]
    assert any(section.endswith("_and 1 more_") for section in sections)


def test_every_waiting_idea_listed_needs_no_and_more(sessions):
    make_team(sessions, now=MONDAY)
    ideas_waiting(sessions, 2, popular=0)

    text = render_text(digest_of(sessions, now=MONDAY + timedelta(weeks=4)))

    assert "Waiting for a decision for over two weeks (2)\n" in text
    assert "more" not in text.split("Waiting for a decision")[1]


def test_the_chart_dates_its_weeks_marks_the_digest_s_week_and_shows_the_response_rate(sessions):
    two_weeks(sessions, before=[5, 4, 4, 4, 4, 3, 3], after=[4, 4, 3, 3, 2])
    digest = digest_of(sessions, now=MONDAY + timedelta(weeks=2))
    weeks = chart_weeks(digest)

    figure = trend_figure(weeks, title=digest.title, min_group=5, marked=digest.week)

    assert figure.get_suptitle().endswith("\n19 Jan – 15 Mar 2026")  # 8 weeks ending with the digest's
    assert [week.answered for week in weeks[-2:]] == [100.0, 500 / 7]
    answered = figure.axes[-1]
    assert answered.get_ylabel() == "Answered (%)"
    marked = [label for label in answered.get_xticklabels() if label.get_fontweight() == "bold"]
    assert [label.get_text() for label in marked] == ["9 Mar"]
    assert "Highlighted: the week of 9 Mar." in figure.get_supxlabel()
    assert digest_chart(digest).startswith(b"\x89PNG")


def test_a_range_across_new_year_names_both_years():
    from datetime import date

    from pulsebot.charts import date_range

    assert date_range(date(2025, 12, 1), date(2026, 2, 16)) == "1 Dec 2025 – 22 Feb 2026"
    assert date_range(date(2026, 8, 31), date(2026, 11, 16)) == "31 Aug – 22 Nov 2026"
