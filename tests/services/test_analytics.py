"""Weekly figures per team and organisation: ISO weeks in each survey's time zone, eNPS, the threshold."""

from datetime import UTC, date, datetime, timedelta

import pytest

from pulsebot.services.results.analytics import ORG, WeekStatus, Withheld, compute_trends, enps, team_trend
from pulsebot.store.db import transaction
from tests.pulse_data import alike, make_team, merge, people, run_week, scores

MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)  # ISO week 2 of 2026


def trend_of(sessions, survey, *, now, weeks=4, min_group=5, complete_only=True):
    with transaction(sessions) as session:
        return team_trend(
            session,
            survey_name=survey,
            now=now,
            min_group=min_group,
            weeks=weeks,
            complete_only=complete_only,
        )


def test_a_run_falls_in_the_iso_week_of_its_survey_s_own_time_zone(sessions):
    # Sunday 11 January, 20:00 UTC: already Monday 12 January in Auckland, still Sunday in Los Angeles.
    opened = datetime(2026, 1, 11, 20, tzinfo=UTC)
    team = people(5)
    for name, timezone in (("auckland", "Pacific/Auckland"), ("los-angeles", "America/Los_Angeles")):
        make_team(sessions, name=name, timezone=timezone, now=opened - timedelta(days=30))
        run_week(sessions, survey=name, opened=opened, audience=team, answers=scores(team, alike(4, 5)))

    # A week later, same instant: the last complete week differs by time zone too.
    now = opened + timedelta(weeks=1)
    auckland = trend_of(sessions, "auckland", now=now)
    los_angeles = trend_of(sessions, "los-angeles", now=now)

    assert auckland.latest.week == date(2026, 1, 12)
    assert los_angeles.latest.week == date(2026, 1, 5)
    assert auckland.latest.shown and auckland.latest.score == 4.0
    assert los_angeles.latest.shown and los_angeles.latest.score == 4.0
    assert [w.status for w in auckland.weeks[:-1]] == [WeekStatus.no_data] * 3


def test_monday_just_after_midnight_starts_a_new_week(sessions):
    make_team(sessions, name="berlin", timezone="Europe/Berlin", now=MONDAY - timedelta(days=30))
    team = people(5)
    sunday_night = datetime(2026, 1, 11, 22, 59, tzinfo=UTC)  # 23:59 in Berlin
    monday_morning = datetime(2026, 1, 11, 23, 1, tzinfo=UTC)  # 00:01 in Berlin
    run_week(sessions, survey="berlin", opened=sunday_night, audience=team, answers=scores(team, alike(2, 5)))
    run_week(
        sessions, survey="berlin", opened=monday_morning, audience=team, answers=scores(team, alike(4, 5))
    )

    trend = trend_of(sessions, "berlin", now=datetime(2026, 1, 19, 12, tzinfo=UTC), weeks=2)

    assert [(w.week, w.score) for w in trend.weeks] == [(date(2026, 1, 5), 2.0), (date(2026, 1, 12), 4.0)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([9, 10, 9, 10, 8, 7], 100 * 4 / 6),  # no detractors
        ([0, 3, 6, 5, 7, 8], -100 * 4 / 6),  # no promoters
        ([7, 8, 7, 9, 6], 0.0),  # as many promoters as detractors
        ([10, 10, 9, 0, 7, 8], 100 * (3 - 1) / 6),
    ],
)
def test_enps_is_promoters_minus_detractors_over_the_answers_given(sessions, values, expected):
    make_team(sessions, now=MONDAY - timedelta(days=30))
    team = people(8)
    # Two more people answer the workload question only: they skipped eNPS and do not count in it.
    answers = merge(scores(team, alike(3, 8)), scores(team, values, question="enps"))
    run_week(sessions, survey="team-pulse", opened=MONDAY, audience=team, answers=answers)

    week = trend_of(sessions, "team-pulse", now=MONDAY + timedelta(weeks=1)).latest

    assert week.enps == pytest.approx(expected)
    question = next(q for q in week.questions if q.key == "enps")
    assert question.answers == len(values)
    assert sum(question.distribution) == len(values)


def test_enps_of_no_answers_is_none_not_zero():
    assert enps(promoters=0, detractors=0, answers=0) is None


def test_exactly_the_threshold_is_shown_and_one_fewer_is_hidden(sessions):
    make_team(sessions, now=MONDAY - timedelta(days=30))
    team = people(10)
    run_week(
        sessions,
        survey="team-pulse",
        opened=MONDAY,
        audience=team,
        answers=scores(team, [9, 9, 9, 7, 7], "enps"),
    )
    run_week(
        sessions,
        survey="team-pulse",
        opened=MONDAY + timedelta(weeks=1),
        audience=team,
        answers=scores(team, [9] * 4, "enps"),
        comments={team[0]: "Fine week"},
    )

    first, second = trend_of(sessions, "team-pulse", now=MONDAY + timedelta(weeks=2), weeks=2).weeks

    assert first.status is WeekStatus.shown
    assert (first.respondents, first.audience, first.enps) == (5, 10, 60.0)
    assert second.status is WeekStatus.suppressed and second.suppressed
    hidden = (second.respondents, second.audience, second.response_rate, second.score, second.enps)
    assert hidden == (None, None, None, None, None)
    assert (second.comments, second.sentiment, second.questions) == (None, None, ())


def test_a_question_too_few_answered_is_hidden_and_left_out_of_the_score(sessions):
    make_team(sessions, now=MONDAY - timedelta(days=30))
    team = people(6)
    # Six answer the scale question; only three answer the yes/no one.
    answers = merge(scores(team, [4, 4, 4, 5, 5, 2]), scores(team, [1, 1, 0], "focus"))
    run_week(sessions, survey="team-pulse", opened=MONDAY, audience=team, answers=answers)

    week = trend_of(sessions, "team-pulse", now=MONDAY + timedelta(weeks=1)).latest

    by_key = {q.key: q for q in week.questions}
    assert week.shown and week.score == 4.0
    assert by_key["workload"].distribution == (0, 1, 0, 3, 2)
    assert by_key["focus"].suppressed
    assert (by_key["focus"].mean, by_key["focus"].answers, by_key["focus"].distribution) == (None, None, None)


def test_comments_give_count_mean_sentiment_and_shares(sessions):
    make_team(sessions, now=MONDAY - timedelta(days=30))
    team = people(5)
    comments = {
        team[0]: "I love this team, great support!",
        team[1]: "Terrible week, I am exhausted and overworked.",
        team[2]: "The new tool is wonderful.",
        team[3]: "Meeting on Tuesday.",
    }
    run_week(
        sessions,
        survey="team-pulse",
        opened=MONDAY,
        audience=team,
        answers=scores(team, alike(3, 5)),
        comments=comments,
    )

    week = trend_of(sessions, "team-pulse", now=MONDAY + timedelta(weeks=1)).latest

    assert week.comments == 4
    assert week.positive_share == 0.5 and week.negative_share == 0.25
    assert -1 < week.sentiment < 1


def test_week_over_week_change_skips_hidden_weeks_and_never_uses_their_data(sessions):
    make_team(sessions, now=MONDAY - timedelta(days=30))
    team = people(6)
    for offset, values in enumerate((alike(4, 6), [1] * 3, alike(3, 6))):
        run_week(
            sessions,
            survey="team-pulse",
            opened=MONDAY + timedelta(weeks=offset),
            audience=team,
            answers=scores(team, values),
        )

    first, hidden, third = trend_of(sessions, "team-pulse", now=MONDAY + timedelta(weeks=3), weeks=3).weeks

    assert first.score_change is None
    assert hidden.suppressed and hidden.score_change is None
    assert third.compared_with == first.week
    assert third.score_change == pytest.approx(-1.0)
    assert third.response_rate_change == pytest.approx(0.0)


def test_a_change_is_the_difference_of_the_figures_as_shown(sessions):
    # 3.92 is shown as 3.9 and 3.16 as 3.2: the change is 0.7 down, not the 0.76 between the raw means
    # (which would round to 0.8 and contradict the two figures beside it).
    make_team(sessions, now=MONDAY - timedelta(days=30))
    team = people(25)
    for offset, values in enumerate(([4] * 23 + [3] * 2, [4] * 4 + alike(3, 21))):
        run_week(
            sessions,
            survey="team-pulse",
            opened=MONDAY + timedelta(weeks=offset),
            audience=team,
            answers=scores(team, values),
        )

    first, second = trend_of(sessions, "team-pulse", now=MONDAY + timedelta(weeks=2), weeks=2).weeks

    assert (first.score, second.score) == (pytest.approx(3.92), pytest.approx(3.16))
    assert second.score_change == pytest.approx(-0.7)


def org_trend(sessions, *, now, min_group=5):
    with transaction(sessions) as session:
        return compute_trends(
            session, now=now, min_group=min_group, weeks=1, complete_only=True, include_org=True
        )


def test_the_organisation_is_made_only_of_the_shown_teams_so_subtracting_reveals_nothing(sessions):
    big, small_b, small_c = people(6, "A"), people(3, "B"), people(3, "C")
    for name in ("big", "small-b", "small-c"):
        make_team(sessions, name=name, now=MONDAY - timedelta(days=30))
    run_week(sessions, survey="big", opened=MONDAY, audience=big, answers=scores(big, alike(4, 6)))
    run_week(sessions, survey="small-b", opened=MONDAY, audience=small_b, answers=scores(small_b, [1] * 3))
    run_week(sessions, survey="small-c", opened=MONDAY, audience=small_c, answers=scores(small_c, [2] * 3))

    trends = org_trend(sessions, now=MONDAY + timedelta(weeks=1))

    assert trends.teams["big"].latest.shown
    assert trends.teams["small-b"].latest.suppressed and trends.teams["small-c"].latest.suppressed
    org = trends.org.latest
    # Twelve answered, but the two small teams are hidden, so the organisation is "big" alone: minus
    # "big" it leaves nothing, where it used to leave the six hidden answers.
    assert trends.org.scope == ORG and org.shown
    assert (org.respondents, org.audience, org.score) == (6, 6, 4.0)


def test_the_organisation_with_no_team_shown_is_withheld_and_says_why(sessions):
    for prefix in "ABC":
        team = people(4, prefix)
        make_team(sessions, name=f"team-{prefix.lower()}", now=MONDAY - timedelta(days=30))
        run_week(
            sessions,
            survey=f"team-{prefix.lower()}",
            opened=MONDAY,
            audience=team,
            answers=scores(team, [3] * 4),
        )

    org = org_trend(sessions, now=MONDAY + timedelta(weeks=1)).org.latest

    # Twelve of twelve answered across the teams: "fewer than 5 answered" would be untrue.
    assert org.suppressed and org.withheld is Withheld.teams_hidden
    assert (org.respondents, org.score) == (None, None)


def test_the_window_has_the_asked_number_of_weeks_and_ignores_older_history(sessions):
    make_team(sessions, now=MONDAY - timedelta(days=400))
    team = people(5)
    for offset in range(20):
        run_week(
            sessions,
            survey="team-pulse",
            opened=MONDAY + timedelta(weeks=offset),
            audience=team,
            answers=scores(team, [1 + offset % 5] * 5),
        )

    trend = trend_of(sessions, "team-pulse", now=MONDAY + timedelta(weeks=20), weeks=8)

    assert len(trend.weeks) == 8
    assert trend.weeks[0].week == (MONDAY + timedelta(weeks=12)).date()
    assert trend.weeks[0].score_change is None  # nothing before the window is read
    assert all(week.shown for week in trend.weeks)


def test_the_current_week_counts_only_when_asked(sessions):
    make_team(sessions, now=MONDAY - timedelta(days=30))
    team = people(5)
    run_week(sessions, survey="team-pulse", opened=MONDAY, audience=team, answers=scores(team, alike(4, 5)))

    now = MONDAY + timedelta(days=2)
    assert trend_of(sessions, "team-pulse", now=now).latest.status is WeekStatus.no_data
    assert trend_of(sessions, "team-pulse", now=now, complete_only=False).latest.score == 4.0
