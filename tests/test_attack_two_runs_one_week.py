"""Attack: two pulses in one week, so that answers outnumber people.

Answer tokens differ per run, so three people answering two runs leave five distinct tokens. A week that
counted answers (or tokens) would pass a minimum of 5 with three people. Each run must reach the minimum
on its own; the week's people are the most of one counted run; a run below the minimum adds nothing, so
its closing moves no figure. Retention keeps such weeks under the same rules.
"""

from datetime import UTC, date, datetime, timedelta

from pulsebot.services.privacy import retention
from pulsebot.services.results.analytics import WeekStatus, team_trend
from pulsebot.services.results.export import export_rows
from pulsebot.store.db import transaction
from tests.pulse_data import alike, close_and_release, make_team, people, run_week, scores

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
THURSDAY = MONDAY + timedelta(days=3)
TEAM = people(8)


def week_of(sessions, *, now=MONDAY + timedelta(weeks=1)):
    with transaction(sessions) as session:
        trend = team_trend(
            session, survey_name="team-pulse", now=now, min_group=5, weeks=1, complete_only=True
        )
    return trend.latest, export_rows(trend)[1][0]


def two_runs(sessions, first: list[int], second: list[int], *, close_second: bool = True) -> int:
    make_team(sessions, timezone="UTC", now=MONDAY - timedelta(days=30))
    run_week(sessions, survey="team-pulse", opened=MONDAY, audience=TEAM, answers=scores(TEAM, first))
    return run_week(
        sessions,
        survey="team-pulse",
        opened=THURSDAY,
        audience=TEAM,
        answers=scores(TEAM, second),
        close=close_second,
    )


def test_three_people_giving_five_answers_do_not_pass_a_minimum_of_five(sessions):
    two_runs(sessions, [2, 2, 2], [2, 2])  # the same three people; two of them answer twice

    week, row = week_of(sessions)

    assert week.status is WeekStatus.suppressed and week.respondents is None
    assert row["status"] == "suppressed" and row["respondents"] == row["mood"] == ""


def test_a_small_second_run_adds_nothing_so_its_closing_moves_no_figure(sessions):
    second = two_runs(sessions, alike(4, 5), [1] * 3, close_second=False)
    _, open_row = week_of(sessions)
    with transaction(sessions) as session:
        close_and_release(session, second)

    week, row = week_of(sessions)

    assert row == open_row  # three more answers (all 1s) and not one figure moved
    assert (week.respondents, week.score) == (5, 4.0)


def test_the_week_s_people_are_those_of_its_largest_run_not_the_sum_of_its_answers(sessions):
    two_runs(sessions, alike(4, 5), alike(2, 6))

    week, _ = week_of(sessions)

    # Both runs count (each reached 5), so both give figures; the week's people are at least 6, and
    # could be as few: tokens cannot tell who answered both.
    assert (week.respondents, week.audience, week.score) == (6, 8, (5 * 4 + 6 * 2) / 11)


def test_retention_keeps_such_weeks_by_the_same_rules(sessions):
    make_team(sessions, timezone="UTC", now=MONDAY - timedelta(days=30))
    weeks = {
        MONDAY: ([3] * 3, [3] * 2),  # three people, five answers: hidden
        MONDAY + timedelta(weeks=1): (alike(4, 5), [1] * 3),  # shown, from the first run alone
    }
    for monday, (first, second) in weeks.items():
        run_week(sessions, survey="team-pulse", opened=monday, audience=TEAM, answers=scores(TEAM, first))
        run_week(
            sessions,
            survey="team-pulse",
            opened=monday + timedelta(days=3),
            audience=TEAM,
            answers=scores(TEAM, second),
        )
    now = MONDAY + timedelta(weeks=20)
    with transaction(sessions) as session:
        before = team_trend(
            session, survey_name="team-pulse", now=now, min_group=5, weeks=20, complete_only=True
        )

    outcome = retention.run_retention(sessions, days=30, min_group=5, now=now)

    with transaction(sessions) as session:
        after = team_trend(
            session, survey_name="team-pulse", now=now, min_group=5, weeks=20, complete_only=True
        )
    assert (outcome.weeks_kept, outcome.weeks_dropped) == (1, 1)
    assert after.weeks == before.weeks
    hidden, shown = (week for week in after.weeks if week.week in (date(2026, 3, 2), date(2026, 3, 9)))
    assert hidden.suppressed and (shown.respondents, shown.score) == (5, 4.0)
