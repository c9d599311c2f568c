"""A large company's digests: more questions than a statement may carry parameters.

Each team that rotates through the question library keeps its own copies of the library's items, so 1,800
teams hold 66,600 questions — past PostgreSQL's 65,535 bound parameters (and SQLite's 32,766). Reading
the figures once bound one parameter per question, so every digest of such an install failed; now no
statement's size grows with the organisation. The data is what a year of closed, released runs leaves
(bulk-inserted: answering 66,600 questions one click at a time would take the test minutes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import select

from pulsebot.services.digest.digests import build_digests
from pulsebot.services.results import week_totals
from pulsebot.store.db import transaction
from pulsebot.store.models import PulseRun, Question, RunFigures, RunQuestionFigures, Survey

TEAMS = 1_800
DRIVERS = ("workload", "recognition", "growth", "manager", "autonomy", "colleagues")
ITEMS_PER_DRIVER = 6  # with eNPS: 37 questions a team, as the library gives each team its own copies
PARAMETER_LIMIT = 65_535  # psycopg's; SQLite's is lower still
NOW = datetime(2026, 6, 15, 9, tzinfo=UTC)  # a Monday: last week's runs are the digest's week
RUN_DAY = date(2026, 6, 9)


def a_large_organisation(engine) -> int:
    """TEAMS library teams, each with a closed run last week whose figures were released; the number of
    questions stored."""
    surveys, questions, runs, figures, cells = [], [], [], [], []
    question_id = 0
    for team in range(1, TEAMS + 1):
        surveys.append(
            {
                "id": team,
                "team_id": "",
                "name": f"team-{team:04d}",
                "title": f"Team {team}",
                "channel_id": f"G{team:08d}",
                "library_drivers": "\n".join(DRIVERS),
                "questions_per_pulse": len(DRIVERS),
                "created_at": NOW - timedelta(days=90),
                "updated_at": NOW - timedelta(days=90),
            }
        )
        keys = [(driver, f"{driver}-{item}") for driver in DRIVERS for item in range(ITEMS_PER_DRIVER)]
        for position, (driver, key) in enumerate([(None, "enps"), *keys]):
            question_id += 1
            questions.append(
                {
                    "id": question_id,
                    "survey_id": team,
                    "key": key,
                    "position": position,
                    "kind": "enps" if driver is None else "scale",
                    "prompt": f"Item {key}",
                    "from_library": True,
                    "driver": driver,
                }
            )
            if driver is not None and key.endswith("-0"):  # the run asked one item of each driver
                cells.append(
                    {
                        "run_id": team,
                        "question_id": question_id,
                        "answers": 6,
                        "total": 24,
                        "counts": [0, 0, 0, 1, 4, 1, 0, 0, 0, 0, 0],  # 3, 4, 4, 4, 4, 5
                    }
                )
        runs.append(
            {
                "id": team,
                "team_id": "",
                "survey_id": team,
                "run_date": RUN_DAY,
                "status": "closed",
                "opened_at": NOW - timedelta(days=6),
                "closes_at": NOW - timedelta(days=3),
                "closed_at": NOW - timedelta(days=3),
            }
        )
        figures.append({"run_id": team, "released_at": NOW - timedelta(days=3), "respondents": 6, "asked": 8})
    with engine.begin() as connection:
        for model, rows in (
            (Survey, surveys),
            (Question, questions),
            (PulseRun, runs),
            (RunFigures, figures),
            (RunQuestionFigures, cells),
        ):
            connection.execute(insert(model.__table__), rows)
    return len(questions)


def test_every_team_gets_its_digest_when_the_organisation_outnumbers_a_statements_parameters(
    engine, sessions
):
    assert a_large_organisation(engine) > PARAMETER_LIMIT
    asked_for = list(range(1, PARAMETER_LIMIT + 2))  # more teams than parameters: every team, and ids of none

    with transaction(sessions) as session:
        digests, org = build_digests(session, now=NOW, min_group=5, weeks=4, include_org=True)
        totals = week_totals.load(session, first=RUN_DAY, last=RUN_DAY, survey_ids=asked_for, min_group=5)
        stored = session.exec(select(Survey.id)).all()

    assert len(digests) == TEAMS
    assert all(digest.figures.shown and digest.drivers.shown for digest in digests.values())
    assert org.figures.shown and org.heatmap.shown_cells == TEAMS * len(DRIVERS)
    team = digests["team-0001"]
    assert (team.figures.respondents, team.drivers.strongest.score) == (6, 4.0)
    assert {survey_id for survey_id, _ in totals.people} == set(stored)
    assert len(totals.questions) == TEAMS * len(DRIVERS)
