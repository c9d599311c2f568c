"""A closed run's figures are released once, when it closes, and every view reads those: nothing counts the
answers of a closed run again, and nothing of a run too few answered is ever stored as a figure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import delete, func, text
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot import scheduling
from pulsebot.cli import cli
from pulsebot.services.privacy import retention
from pulsebot.services.results.analytics import compute_trends
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer, PulseRun, RunFigures, RunQuestionFigures, RunStatus
from tests.pulse_data import make_team, people, run_week, scores

NOW = datetime(2026, 3, 16, 9, tzinfo=UTC)  # a Monday
RUNS_WEEK = date(2026, 3, 9)
MEMBERS = people(6)


def runs_week(sessions):
    """The week of the runs (opened six days before NOW) as every view reads it."""
    with transaction(sessions) as session:
        trends = compute_trends(session, now=NOW, min_group=5, weeks=4, complete_only=True)
    (week,) = [week for week in trends.teams["team-pulse"].weeks if week.week == RUNS_WEEK]
    return week


def figures_of(sessions, run_id):
    with transaction(sessions) as session:
        run = session.get(RunFigures, run_id)
        cells = session.exec(select(RunQuestionFigures).where(RunQuestionFigures.run_id == run_id)).all()
        return (None if run is None else run.model_dump(exclude={"released_at"})), [
            cell.model_dump() for cell in cells
        ]


def test_the_close_job_releases_a_run_once_and_the_views_read_only_what_it_released(jobs_runtime, sessions):
    make_team(sessions, now=NOW - timedelta(days=30))
    run_id = run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(days=6),
        audience=MEMBERS,
        answers=scores(MEMBERS, [4, 4, 4, 5, 5, 2]),
        close=False,
    )
    assert figures_of(sessions, run_id) == (None, [])
    assert not runs_week(sessions).shown  # still open: nothing to show

    with freeze_time(NOW):
        scheduling.close_due_runs()  # the `pulse-close` job, its time being up

    run, cells = figures_of(sessions, run_id)
    assert run["respondents"] == 6 and run["asked"] == 6
    (workload,) = [cell for cell in cells if cell["answers"] is not None and cell["total"] == 24]
    assert workload["counts"][1:6] == [0, 1, 0, 3, 2]
    shown = runs_week(sessions)
    assert shown.shown and shown.respondents == 6

    # Whatever happens to the stored answers afterwards, the views read the released figures.
    with transaction(sessions) as session:
        session.exec(delete(Answer).where(Answer.run_id == run_id))
    assert runs_week(sessions) == shown
    with freeze_time(NOW + timedelta(minutes=1)):
        scheduling.close_due_runs()  # a second pass releases nothing again
    assert figures_of(sessions, run_id) == (run, cells)


def test_a_run_too_few_answered_is_released_with_no_figure_at_all(jobs_runtime, sessions):
    make_team(sessions, now=NOW - timedelta(days=30))
    run_id = run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(days=6),
        audience=MEMBERS,
        answers=scores(MEMBERS[:4], [1, 1, 1, 1]),
        close=False,
    )

    with freeze_time(NOW):
        scheduling.close_due_runs()

    run, cells = figures_of(sessions, run_id)
    assert run == {
        "run_id": run_id,
        "respondents": None,
        "asked": None,
        "comments": None,
        "rated_comments": None,
        "sentiment_total": None,
        "negative_comments": None,
        "positive_comments": None,
        "held": None,
        "held_total": None,
    }
    assert cells == []  # not even how many answered: 4 would tell the team who did not
    assert not runs_week(sessions).shown


def test_a_question_too_few_answered_is_listed_with_no_figure(sessions):
    make_team(sessions, now=NOW - timedelta(days=30))
    answers = scores(MEMBERS, [3] * 6)
    for person in MEMBERS[:3]:
        answers[person]["enps"] = 10  # three answered eNPS: it must stay hidden
    run_id = run_week(
        sessions, survey="team-pulse", opened=NOW - timedelta(days=6), audience=MEMBERS, answers=answers
    )

    _, cells = figures_of(sessions, run_id)

    assert sorted((cell["answers"], cell["total"]) for cell in cells if cell["answers"]) == [(6, 18)]
    assert [cell["total"] for cell in cells if cell["answers"] is None] == [None]
    assert all(cell["counts"] is None for cell in cells if cell["answers"] is None)


def test_db_upgrade_releases_the_runs_closed_before_the_release_step(cli_env, sessions):
    make_team(sessions, now=NOW - timedelta(days=30))
    run_id = run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(days=6),
        audience=MEMBERS,
        answers=scores(MEMBERS, [4] * 6),
        close=False,
    )
    with transaction(sessions) as session:  # closed by a version that did not release runs
        run = session.get(PulseRun, run_id)
        run.status, run.closed_at = RunStatus.closed, run.closes_at
    assert not runs_week(sessions).shown

    result = CliRunner().invoke(cli, ["db", "upgrade"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert "released the figures of 1 closed pulse" in result.output
    assert figures_of(sessions, run_id)[0]["respondents"] == 6
    assert runs_week(sessions).shown


def test_retention_removes_a_runs_own_figures_with_its_answers(engine, sessions):
    make_team(sessions, now=NOW - timedelta(days=400))
    run_id = run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(days=200),
        audience=MEMBERS,
        answers=scores(MEMBERS, [4] * 6),
    )
    assert figures_of(sessions, run_id)[0] is not None

    retention.run_retention(sessions, days=90, min_group=5, now=NOW)

    assert figures_of(sessions, run_id) == (None, [])
    with engine.connect() as connection:  # the week's totals live on, in the kept week
        assert connection.execute(text("SELECT respondents FROM kept_week")).scalar_one() == 6
    with transaction(sessions) as session:
        assert session.exec(select(func.count()).select_from(RunQuestionFigures)).one() == 0
