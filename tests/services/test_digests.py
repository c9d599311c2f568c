"""The digest's content: a plain-language summary, themes, representative comments and ideas."""

import random
from datetime import UTC, datetime, timedelta

from pulsebot.services.digest.digests import build_digests, drop_alert_for_run, team_digest
from pulsebot.services.idea.ideas import post_idea, toggle_vote
from pulsebot.store.db import transaction
from pulsebot.store.models import Idea, IdeaStatus
from tests.conftest import ANON_KEY
from tests.pulse_data import alike, make_team, people, run_week, scores

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
TEAM = people(5)
WORKLOAD_COMMENTS = {
    TEAM[0]: "The workload is too high since the release.",
    TEAM[1]: "Workload keeps growing, we need another person.",
    TEAM[2]: "Great lunch on Friday!",
    TEAM[3]: "My workload was fine but the deadlines are tight.",
    TEAM[4]: "Fewer meetings please.",
}


def digest_of(sessions, *, now, survey="team-pulse", seed=1):
    with transaction(sessions) as session:
        return team_digest(
            session, survey_name=survey, now=now, min_group=5, weeks=8, rng=random.Random(seed)
        )


def steady_then_fall(sessions, *, last_week_people=TEAM, comments=WORKLOAD_COMMENTS):
    make_team(sessions, managers=("U0MANAGER",), now=MONDAY - timedelta(days=60))
    for offset in range(3):
        run_week(
            sessions,
            survey="team-pulse",
            opened=MONDAY + timedelta(weeks=offset),
            audience=TEAM,
            answers=scores(TEAM, alike(4, 5)),
        )
    return run_week(
        sessions,
        survey="team-pulse",
        opened=MONDAY + timedelta(weeks=3),
        audience=TEAM,
        answers=scores(last_week_people, [3, 3, 4, 3, 4]),
        comments={person: text for person, text in comments.items() if person in last_week_people},
    )


def test_the_summary_says_what_moved_and_what_people_wrote_about(sessions):
    steady_then_fall(sessions)

    digest = digest_of(sessions, now=MONDAY + timedelta(weeks=4))

    assert digest.week == (MONDAY + timedelta(weeks=3)).date()
    assert digest.summary == "Mood fell 0.6 to 3.4 after two steady weeks; 3 of 5 comments mention workload."
    assert digest.figures.score_change is not None
    assert digest.themes[0].phrase == "workload" and digest.themes[0].comments == 3


def test_up_to_three_of_the_week_s_comments_are_quoted(sessions):
    steady_then_fall(sessions)

    digest = digest_of(sessions, now=MONDAY + timedelta(weeks=4))

    assert len(digest.comments) == 3
    assert set(digest.comments) <= set(WORKLOAD_COMMENTS.values())
    assert any("orkload" in comment for comment in digest.comments)  # one stands for the main theme


def test_the_quoted_comments_are_shuffled(sessions):
    steady_then_fall(sessions)

    orders = {digest_of(sessions, now=MONDAY + timedelta(weeks=4), seed=seed).comments for seed in range(8)}

    assert len({frozenset(order) for order in orders}) == 1
    assert len(orders) > 1


def test_a_week_below_the_threshold_has_no_figures_themes_or_comments(sessions):
    steady_then_fall(sessions, last_week_people=TEAM[:4])

    digest = digest_of(sessions, now=MONDAY + timedelta(weeks=4))

    assert digest.figures.suppressed
    assert digest.figures.score is None and digest.figures.respondents is None
    assert digest.themes == () and digest.comments == ()
    assert digest.summary.startswith("Fewer than 5 people answered in the week of 23 March 2026")
    assert digest.has_chart_points  # the three earlier weeks still make a chart, with a gap


def test_ideas_top_by_votes_and_those_waiting_over_two_weeks(sessions):
    make_team(sessions, now=MONDAY)
    key = ANON_KEY.encode()
    now = MONDAY + timedelta(weeks=4)
    with transaction(sessions) as session:
        old = post_idea(
            session, user_id="U0A", text="Old and undecided", key=key, now=now - timedelta(days=20)
        )
        planned = post_idea(
            session, user_id="U0B", text="Planned already", key=key, now=now - timedelta(days=30)
        )
        fresh = post_idea(
            session, user_id="U0C", text="Fresh and popular", key=key, now=now - timedelta(days=2)
        )
        session.get(Idea, planned.id).status = IdeaStatus.planned
        for voter in ("U0V1", "U0V2", "U0V3"):
            toggle_vote(session, idea_id=fresh.id, user_id=voter, key=key)
        toggle_vote(session, idea_id=old.id, user_id="U0V1", key=key)

    digest = digest_of(sessions, now=now)

    assert [(idea.text, idea.votes) for idea in digest.top_ideas] == [
        ("Fresh and popular", 3),
        ("Old and undecided", 1),
    ]
    assert [(idea.text, idea.days_waiting) for idea in digest.waiting_ideas] == [("Old and undecided", 20)]
    assert digest.waiting_total == 1


def test_the_organisation_digest_lists_every_team_and_quotes_no_one(sessions):
    steady_then_fall(sessions)

    with transaction(sessions) as session:
        _, org = build_digests(
            session, now=MONDAY + timedelta(weeks=4), min_group=5, weeks=8, include_org=True
        )

    assert org.is_org
    assert [team.scope for team in org.teams] == ["team-pulse"]
    assert org.comments == ()
    assert org.themes and org.themes[0].phrase == "workload"


def alert_for(sessions, run_id, threshold=0.5):
    with transaction(sessions) as session:
        return drop_alert_for_run(session, run_id=run_id, min_group=5, threshold=threshold, weeks=8)


def test_a_fall_larger_than_the_threshold_raises_a_drop_alert_for_the_managers(sessions):
    run_id = steady_then_fall(sessions)

    alert = alert_for(sessions, run_id)

    assert alert is not None
    assert alert.managers == ("U0MANAGER",)
    assert round(alert.score_change, 2) == -0.6 and alert.score == 3.4
    assert alert_for(sessions, run_id, threshold=0.7) is None


def test_a_hidden_week_raises_no_alert(sessions):
    run_id = steady_then_fall(sessions, last_week_people=TEAM[:4])

    assert alert_for(sessions, run_id) is None


def test_a_sharp_fall_in_comment_sentiment_raises_an_alert_too(sessions):
    make_team(sessions, managers=("U0MANAGER",), now=MONDAY - timedelta(days=60))
    happy = {person: "I love this team, great week and wonderful support!" for person in TEAM}
    unhappy = {person: "Awful week, I am exhausted, stressed and overworked." for person in TEAM}
    run_week(
        sessions,
        survey="team-pulse",
        opened=MONDAY,
        audience=TEAM,
        answers=scores(TEAM, alike(4, 5)),
        comments=happy,
    )
    run_id = run_week(
        sessions,
        survey="team-pulse",
        opened=MONDAY + timedelta(weeks=1),
        audience=TEAM,
        answers=scores(TEAM, alike(4, 5)),
        comments=unhappy,
    )

    alert = alert_for(sessions, run_id)

    assert alert is not None and alert.score_change == 0
    assert alert.sentiment_change < -0.25
