"""Attack: the organisation's figures minus the shown teams' figures reveal what the teams hide.

An admin sees every team's figures and the organisation's. If the organisation counted any answer a
team's own figures leave out — a withheld team-week, or a question suppressed inside a shown week — the
organisation minus the shown teams would be that hidden answer. Forgetting a person (`/pulse forget-me`
deletes their delivery rows, their anonymous answers stay) must not change any of this.
"""

from datetime import timedelta

import pytest

from pulsebot.services.digest.digests import build_digests
from pulsebot.services.results.analytics import compute_trends
from pulsebot.store.db import transaction
from pulsebot.store.models import QuestionKind
from tests.attack_steps import apply_yaml, forget_me
from tests.conftest import ADMIN, PINNED_NOW
from tests.home_steps import open_home
from tests.pulse_data import alike, merge, people, run_week, scores

pytestmark = pytest.mark.clock

NOW = PINNED_NOW
LAST_WEEK = NOW - timedelta(days=7)
SURVEY = """\
name: {name}
title: {name} pulse
channel: G0{code}
timezone: UTC
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
  - key: help
    kind: scale
    prompt: I got the help I needed.
  - key: enps
    kind: enps
"""
ALPHA, BETA, GAMMA, SOLO = people(6, "A"), people(6, "B"), people(4, "C"), people(1, "S")


def four_teams(sessions) -> None:
    """alpha and beta are shown, but in alpha only three answered `help`; gamma (four people) and solo
    (one) are withheld. The hidden answers are all 1s and detractors, so they would move any figure."""
    for code, name in enumerate(("alpha", "beta", "gamma", "solo")):
        apply_yaml(sessions, SURVEY.format(name=name, code=f"TEAM{code}"), now=NOW - timedelta(days=60))
    shown_alpha = merge(scores(ALPHA, alike(4, 6)), scores(ALPHA, [9, 10, 9, 8, 10, 9], "enps"))
    hidden_help = scores(ALPHA, [1] * 3, "help")
    teams = {
        "alpha": (ALPHA, merge(shown_alpha, hidden_help)),
        "beta": (BETA, merge(scores(BETA, alike(3, 6)), scores(BETA, [7, 8, 9, 10, 6, 9], "enps"))),
        "gamma": (GAMMA, merge(scores(GAMMA, [1] * 4), scores(GAMMA, [0] * 4, "enps"))),
        "solo": (SOLO, merge(scores(SOLO, [1]), scores(SOLO, [0], "enps"))),
    }
    for name, (audience, answers) in teams.items():
        run_week(sessions, survey=name, opened=LAST_WEEK, audience=audience, answers=answers)


def figures(sessions):
    with transaction(sessions) as session:
        return compute_trends(session, now=NOW, min_group=5, weeks=1, complete_only=True, include_org=True)


def subtract(trends) -> dict[str, float]:
    """What the attacker computes: the organisation's totals minus the shown teams' own shown figures.
    Anything left over is a hidden answer."""
    org = trends.org.latest
    parts = {QuestionKind.scale: [0.0, 0], QuestionKind.enps: [0.0, 0]}
    respondents = 0
    for trend in trends.teams.values():
        week = trend.latest
        if not week.shown:
            continue
        respondents += week.respondents
        for question in week.questions:
            if not question.suppressed and question.kind in parts:
                figure = question.mean if question.kind is QuestionKind.scale else question.enps
                parts[question.kind][0] += figure * question.answers
                parts[question.kind][1] += question.answers
    (mood_sum, mood_n), (net_sum, net_n) = parts[QuestionKind.scale], parts[QuestionKind.enps]
    return {
        "mood": org.score * mood_n - mood_sum,
        "enps": org.enps * net_n - net_sum,
        "respondents": org.respondents - respondents,
    }


def team_figures(home: str) -> str:
    """The teams' part of an admin's App Home (the audit log below it records each visit)."""
    figures = home[home.index("Your teams") : home.index("Audit log")]
    assert "Whole organisation" in figures
    return figures


def test_the_organisation_minus_the_shown_teams_leaves_nothing(sessions):
    four_teams(sessions)

    trends = figures(sessions)

    alpha = trends.teams["alpha"].latest
    assert alpha.shown and next(q for q in alpha.questions if q.key == "help").suppressed
    assert trends.teams["gamma"].latest.suppressed and trends.teams["solo"].latest.suppressed
    assert trends.org.latest.shown
    assert subtract(trends) == pytest.approx({"mood": 0.0, "enps": 0.0, "respondents": 0})
    assert trends.org.latest.score == pytest.approx((6 * 4 + 6 * 3) / 12)  # not pulled down by the 1s


def test_forgetting_the_people_of_hidden_teams_shows_nothing_new(slack, fake_slack, sessions):
    four_teams(sessions)
    before = figures(sessions)
    home_before = open_home(slack, fake_slack, ADMIN)

    for person in [*SOLO, *GAMMA, *ALPHA[:3]]:  # solo's only delivery row, all of gamma's, and alpha's
        forget_me(slack, fake_slack, person)

    after = figures(sessions)
    assert after.teams["solo"].latest.suppressed and after.teams["gamma"].latest.suppressed
    help_question = next(q for q in after.teams["alpha"].latest.questions if q.key == "help")
    assert help_question.suppressed
    assert subtract(after) == pytest.approx({"mood": 0.0, "enps": 0.0, "respondents": 0})
    org_before, org_after = before.org.latest, after.org.latest
    assert (org_after.score, org_after.enps, org_after.respondents) == (
        org_before.score,
        org_before.enps,
        org_before.respondents,
    )
    assert team_figures(open_home(slack, fake_slack, ADMIN)) == team_figures(home_before)


def test_a_withheld_organisation_says_why_and_not_that_too_few_answered(slack, fake_slack, sessions):
    for code, name in enumerate(("gamma", "delta", "epsilon")):
        apply_yaml(sessions, SURVEY.format(name=name, code=f"TEAM{code}"), now=NOW - timedelta(days=60))
        team = people(4, name[0].upper())
        run_week(sessions, survey=name, opened=LAST_WEEK, audience=team, answers=scores(team, [3] * 4))

    with transaction(sessions) as session:
        _, org = build_digests(session, now=NOW, min_group=5, weeks=4, include_org=True)
    fake_slack.reset_calls()
    slack.command("/pulse", "digest", user=ADMIN)
    posted = str(fake_slack.wait_for("chat.postMessage")[0]["blocks"])

    assert org.figures.suppressed
    # Twelve of twelve answered: "fewer than 5 people answered" would be untrue.
    assert "Fewer than" not in org.summary and org.summary.startswith("No team's figures")
    assert "No team's figures" in posted and "Fewer than 5 people answered" not in posted
