"""What fixing a run's cells costs when it opens, for a large audience.

A workspace of N people (default 50,000) with HR attributes as an import would give them: a reporting
tree about seven reports per manager, departments in divisions following the tree, sites in regions,
start dates over fifteen years (some missing), levels, and a few people without a row at all. One run
asks all of them. Times, each the median of three:

- grouping alone (services/segments/cells.py `group_audience`: the reporting lines, the generalisation);
- the whole snapshot as `open_pulse_run` does it: reading the workspace's `person` rows, grouping, and
  writing `run_cell` and `run_member`, in one transaction.

    .venv/bin/python benchmarks/cells.py [--postgres postgresql://…/scratch] [--people N] [--minimum K]

The PostgreSQL database's `public` schema is dropped and recreated: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digest import machine, reset
from sqlalchemy import delete, insert

from pulsebot.services.segments.cells import group_audience, snapshot_cells, workspace_attributes
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey, find_survey
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Person, PulseRun, RunCell, RunMember

NOW = datetime(2027, 6, 16, 10, tzinfo=UTC)
DAY = NOW.date()
SURVEY = """\
name: everyone
channel: C0EVERYONE
questions: [{key: workload, kind: scale, prompt: My workload is manageable.}]
"""
REPORTS = 7
DIVISIONS = [f"Division {n}" for n in range(12)]
REGIONS = {f"Region {n}": [f"Site {n}-{m}" for m in range(6)] for n in range(7)}
LEVELS = [f"L{n}" for n in range(1, 9)]


def workspace(people: int, rng: random.Random) -> list[dict]:
    """Person rows for `people` people (about 3% of them without a row)."""
    ids = [f"U{number:09d}" for number in range(people)]
    rows, department_of = [], {}
    for number, user_id in enumerate(ids):
        manager = None if number == 0 else ids[(number - 1) // REPORTS]
        depth = 0 if manager is None else department_of[manager][0] + 1
        if depth <= 2:
            department = (depth, f"Department {number}", DIVISIONS[number % len(DIVISIONS)])
        else:
            department = (depth, *department_of[manager][1:])
        department_of[user_id] = department
        region = rng.choice(list(REGIONS))
        started = DAY - timedelta(days=rng.randint(0, 15 * 365))
        rows.append(
            {
                "team_id": "",
                "user_id": user_id,
                "department": department[1],
                "division": department[2],
                "site": rng.choice(REGIONS[region]),
                "region": region,
                "start_date": None if rng.random() < 0.05 else started,
                "level": LEVELS[max(0, len(LEVELS) - 1 - depth - rng.randint(0, 1))],
                "manager_id": manager,
                "source": "csv",
                "updated_at": NOW,
            }
        )
    return [row for row in rows if rng.random() >= 0.03]


def timed(work, before=lambda: None) -> tuple[float, float, object]:
    """The median of three runs: wall-clock seconds, and this process's CPU seconds (which other work on
    a shared machine does not inflate; the database server's own work is not in them)."""
    walls, cpus, result = [], [], None
    for _ in range(3):
        before()
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--minimum", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(args.postgres or f"sqlite:///{Path(folder) / 'cells.db'}", args.people, args.minimum)


def measure(url: str, size: int, minimum: int) -> None:
    engine = make_engine(url)
    reset(engine)
    sessions = session_factory(engine)
    rng = random.Random(7)
    rows = workspace(size, rng)
    audience = [f"U{number:09d}" for number in range(size)]
    with transaction(sessions) as session:
        apply_survey(session, spec=parse_surveys(SURVEY, source="everyone.yml")[0], now=NOW)
        session.connection().execute(insert(Person.__table__), rows)
        run = PulseRun(
            survey_id=find_survey(session, name="everyone").id,
            run_date=DAY,
            opened_at=NOW,
            closes_at=NOW + timedelta(days=3),
        )
        session.add(run)
        session.flush()
        run_id = run.id

    with transaction(sessions) as session:
        attributes = workspace_attributes(session, team_id="", audience=audience)
    grouping_wall, grouping_cpu, grouping = timed(
        lambda: group_audience(audience, attributes, minimum=minimum, on=DAY)
    )

    def snapshot() -> None:
        with transaction(sessions) as session:
            snapshot_cells(session, run_id=run_id, team_id="", audience=audience, minimum=minimum, on=DAY)

    def afresh() -> None:  # each of the three from no cells, its commit included
        with transaction(sessions) as session:
            session.exec(delete(RunMember).where(RunMember.run_id == run_id))
            session.exec(delete(RunCell).where(RunCell.run_id == run_id))

    snapshot_wall, snapshot_cpu, _ = timed(snapshot, before=afresh)

    not_recorded = sum(
        people for labels, people in zip(grouping.cells, grouping.people, strict=True) if not labels.recorded
    )
    print(f"{engine.dialect.name}, {size:,} people asked ({len(rows):,} with a row), K = {minimum}")
    print(machine())
    print(f"levels: {grouping.levels}")
    print(
        f"{len(grouping.cells):,} cells, {min(grouping.people)} to {max(grouping.people):,} people each; "
        f"{not_recorded:,} in the not recorded cell"
    )
    print(f"grouping alone: {grouping_wall:.2f} s ({grouping_cpu:.2f} s CPU)")
    writes = f"{len(grouping.cells):,} cells and {size:,} members"
    timing = f"{snapshot_wall:.2f} s ({snapshot_cpu:.2f} s CPU)"
    print(f"snapshot (read the person rows, group, write {writes}): {timing}")


if __name__ == "__main__":
    main()
