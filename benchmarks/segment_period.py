"""How long releasing one period's segments takes for a large organisation, and printing its table.

50,000 people in 20 departments (of 5 divisions) × 30 sites (of 6 regions) × 5 tenure bands, a 6-level
reporting line (1 → 5 → 25 → 125 → 500 → 2,000 managers, each of the 2,000 leading a team of 25 of one
department and one site), every team on a weekly library pulse (four driver items, eNPS in the first of
the month) for the four weeks of June 2027, four in five people answering. Each run's cells are made as
the snapshot at its opening would: its audience's attributes generalised over the whole run until every
cell holds at least 5 people (src/pulsebot/demo_people.py `generalised`). The data is bulk-inserted, the
runs released as the close job releases them, then June's segments are released once
(`release_due_periods`, what the close job calls) and timed, with its stages timed apart on a rolled-back
copy; then `pulsebot segments --by department` and `--by line` are timed (median of five).

    .venv/bin/python benchmarks/segment_period.py [--postgres postgresql://…/scratch_db] [--people 50000]

The PostgreSQL database's `public` schema is dropped and recreated: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for benchmarks.digest

from benchmarks.digest import bulk_insert, machine, release, reset
from sqlalchemy import Engine, func, text
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.demo_people import generalised, tenure_band
from pulsebot.services.privacy.anonymity import token
from pulsebot.services.segments import disclosure
from pulsebot.services.segments.base_cells import read_base_cells
from pulsebot.services.segments.dimensions import Labels
from pulsebot.services.segments.periods import (
    AUDIT_SECONDS,
    SegmentSettings,
    audited_cells,
    parse_period,
    release_due_periods,
)
from pulsebot.services.segments.segment_figures import store_figures
from pulsebot.services.segments.segment_groups import period_groups
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey, survey_rotation
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Answer, Delivery, PulseRun, Question, RunCell, SegmentFigure, Survey

KEY = b"benchmark-key-not-a-secret"
TEAM_SIZE = 25
DEPARTMENTS, DIVISIONS, SITES, REGIONS = 20, 5, 30, 6
LINE = (1, 5, 25, 125, 500, 2000)  # managers at each level of the reporting line, top first
JUNE = parse_period("2027-06")
TUESDAYS = [date(2027, 6, 1) + timedelta(weeks=week) for week in range(4)]
RELEASE_AT = datetime(2027, 7, 2, 6, 0, tzinfo=UTC)
# Days since joining for each tenure band, as of the runs' dates.
BAND_DAYS = ((10, 80), (100, 350), (380, 700), (760, 1800), (1900, 4000))
SURVEY = """\
name: {name}
channel: G0{number:06d}
timezone: UTC
library: engagement
questions_per_pulse: 4
enps: monthly
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL")
    parser.add_argument("--people", type=int, default=50_000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        engines = {"SQLite": make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")}
        if args.postgres:
            engines["PostgreSQL"] = make_engine(args.postgres)
        for name, engine in engines.items():
            print(f"{name}: building {args.people:,} people …", file=sys.stderr)
            rows.append((name, *measure(engine, args.people)))
            engine.dispose()
    print(machine())
    print()
    print(
        "| database | people | runs | base cells | groups | figures stored | release "
        "| of which: read, group, rules, store | `segments --by department` | `--by line` |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for database, people, runs, cells, groups, figures, seconds, stages, by_department, by_line in rows:
        split = ", ".join(f"{stage:.1f}" for stage in stages)
        print(
            f"| {database} | {people:,} | {runs:,} | {cells:,} | {groups:,} | {figures:,} | {seconds:.1f} s "
            f"| {split} s | {by_department * 1000:,.0f} ms | {by_line * 1000:,.0f} ms |"
        )


def measure(engine: Engine, people: int) -> tuple:
    reset(engine)
    sessions = session_factory(engine)
    rng = random.Random(42)
    teams = make_teams(sessions, people=people)
    runs = insert_month(engine, sessions, teams, rng)
    released, seconds = release(sessions)
    print(f"  {released:,} runs released in {seconds:.1f} s", file=sys.stderr)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    settings = SegmentSettings(min_group=5)
    stages = staged(sessions, runs, settings)
    began = time.perf_counter()
    with transaction(sessions) as session:
        assert release_due_periods(session, now=RELEASE_AT, settings=settings) == [JUNE.label]
    seconds = time.perf_counter() - began
    print(f"  June released in {seconds:.1f} s", file=sys.stderr)
    with transaction(sessions) as session:
        figures = session.exec(select(func.count()).select_from(SegmentFigure)).one()
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "COLUMNS": "200"}
    tables = [cli_seconds(env, by) for by in ("department", "line")]
    cells, groups = stages.pop()
    return (people, len(runs), cells, groups, figures, seconds, stages, *tables)


def staged(sessions, runs: list[int], settings: SegmentSettings) -> list:
    """Each stage of one release, timed on its own in a transaction that is rolled back."""
    timings = []
    with sessions() as session:
        began = time.perf_counter()
        base = read_base_cells(session, run_ids=runs)
        timings.append(time.perf_counter() - began)
        began = time.perf_counter()
        built = period_groups(base.places, crossings=settings.crossings)
        timings.append(time.perf_counter() - began)
        began = time.perf_counter()
        released = disclosure.release(
            audited_cells(base.cells),
            built.groups,
            built.breakdowns,
            disclosure.Rules(min_group=5, audit_seconds=AUDIT_SECONDS[session.get_bind().dialect.name]),
        )
        timings.append(time.perf_counter() - began)
        session.execute(
            text(
                "INSERT INTO segment_release (id, team_id, period, starts_on, ends_on, released_at, "
                "min_group) VALUES (999999, 'x', 'x', '2000-01-01', '2000-01-31', '2000-02-02', 5)"
            )
        )
        began = time.perf_counter()
        store_figures(session, release_id=999999, cells=base.cells, groups=built.groups, released=released)
        timings.append(time.perf_counter() - began)
        session.rollback()
    print(f"  stages: {', '.join(f'{t:.1f} s' for t in timings)}", file=sys.stderr)
    return [*timings, (len(base.cells), len(built.groups))]


def cli_seconds(env: dict, by: str) -> float:
    runner, timings = CliRunner(), []
    for _ in range(5):
        began = time.perf_counter()
        result = runner.invoke(cli, ["segments", "--by", by], env=env)
        timings.append(time.perf_counter() - began)
        assert result.exit_code == 0, result.output
    return statistics.median(timings)


def make_teams(sessions, *, people: int) -> list[dict]:
    """The teams (one survey each), their members and those members' attributes."""
    count = (people + TEAM_SIZE - 1) // TEAM_SIZE
    rng = random.Random(7)
    with transaction(sessions) as session:
        for number in range(count):
            spec = parse_surveys(SURVEY.format(name=f"team-{number:05d}", number=number), source="-")[0]
            apply_survey(session, spec=spec, now=datetime(2027, 5, 1, tzinfo=UTC))
        session.flush()
        surveys = session.exec(select(Survey).order_by(Survey.name)).all()
        rotations = {survey.id: survey_rotation(session, survey) for survey in surveys}
        keys = {(q.survey_id, q.key): q.id for q in session.exec(select(Question)).all()}
    teams = []
    for index, survey in enumerate(surveys):
        department, site = index % DEPARTMENTS, (index // DEPARTMENTS) % SITES
        line = _line(index % LINE[-1])
        members = {}
        for n in range(index * TEAM_SIZE, min((index + 1) * TEAM_SIZE, people)):
            low, high = BAND_DAYS[rng.randrange(len(BAND_DAYS))]
            started = TUESDAYS[0] - timedelta(days=rng.randint(low, high))
            members[f"U0P{n:06d}"] = (
                f"Department {department:02d}",
                f"Division {department % DIVISIONS}",
                f"Site {site:02d}",
                f"Region {site % REGIONS}",
                started,
                "Senior" if rng.random() < 0.3 else "Associate",
                line,
            )
        teams.append(
            {"survey": survey.id, "rotation": rotations[survey.id], "keys": keys, "members": members}
        )
    return teams


def _line(manager: int) -> str:
    """The reporting line from the top down to the `manager`-th manager of the last level."""
    path, index = [], manager
    for level in range(len(LINE) - 1, -1, -1):
        path.append(f"U0L{level}{index:05d}")
        index = index * LINE[level - 1] // LINE[level] if level else 0
    return "/".join(reversed(path))


def insert_month(engine: Engine, sessions, teams: list[dict], rng: random.Random) -> list[int]:
    runs, deliveries, cells, answers = [], [], [], []
    run_id = 0
    for week, tuesday in enumerate(TUESDAYS):
        opened = datetime(tuesday.year, tuesday.month, tuesday.day, 10, tzinfo=UTC)
        for team in teams:
            run_id += 1
            runs.append(
                {
                    "id": run_id,
                    "team_id": "",
                    "survey_id": team["survey"],
                    "run_date": tuesday,
                    "status": "closed",
                    "opened_at": opened,
                    "closes_at": opened + timedelta(days=3),
                    "closed_at": opened + timedelta(days=3),
                    "managers_asked": 0,
                }
            )
            places = generalised(
                {
                    user: Labels(d, v, s, r, tenure_band(started, tuesday), level, line)
                    for user, (d, v, s, r, started, level, line) in team["members"].items()
                }
            )
            numbers = {place: n for n, place in enumerate(sorted(set(places.values()), key=repr), start=1)}
            for place, number in numbers.items():
                size = sum(1 for p in places.values() if p == place)
                cells.append({"run_id": run_id, "cell": number, "people": size, **place.columns()})
            asked = [team["keys"][team["survey"], key] for key in team["rotation"].items_for_run(week)]
            if tuesday.day <= 7:
                asked.append(team["keys"][team["survey"], "enps"])
            mood = 3.2 + rng.random()
            for user, place in places.items():
                deliveries.append({"team_id": "", "run_id": run_id, "user_id": user, "status": "sent"})
                if rng.random() >= 0.8:
                    continue
                respondent = token(KEY, "answer", user, run_id)
                for question in asked:
                    enps = question == team["keys"][team["survey"], "enps"]
                    value = rng.randint(0, 10) if enps else min(5, max(1, round(rng.gauss(mood, 0.9))))
                    answers.append(
                        {
                            "run_id": run_id,
                            "question_id": question,
                            "respondent": respondent,
                            "run_date": tuesday,
                            "value": value,
                            "cell": numbers[place],
                        }
                    )
    bulk_insert(engine, PulseRun, runs)
    bulk_insert(engine, Delivery, [row | {"reminders_sent": 0} for row in deliveries])
    bulk_insert(engine, RunCell, cells)
    bulk_insert(engine, Answer, answers)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('pulse_run', 'id'), :id)"), {"id": run_id}
            )
    print(f"  {run_id:,} runs, {len(cells):,} cells, {len(answers):,} answers", file=sys.stderr)
    return list(range(1, run_id + 1))


if __name__ == "__main__":
    main()
