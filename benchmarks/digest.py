"""How long computing every team's weekly digest takes, and whether it grows with the years of history.

5,000 people in teams of 25, a weekly pulse of three rated questions (two 1–5 scales and eNPS) that
everyone answers (the worst case: 780,000 answers in 52 weeks), a comment from one person in ten each
week. The data is bulk-inserted 13 weeks at a time; after each batch the digests of all teams and the
organisation are computed (the real `build_digests`, themes and ideas included) nine times; the median
and the fastest are reported. Prints a Markdown table. The batch's runs are released first, as the close
job does when each closes (services/results/release.py); that time is printed on its own.

With `--drivers`, every team's pulse rotates through the question library instead: four driver items a
week (chosen by the real rotation) and eNPS in the first pulse of each month; the digests then carry the
teams' driver scores, and the organisation's the driver heatmap; "what moves eNPS" (eight windows of every
team) is timed on its own, three times per batch, and the heatmap's PNG once at the end (beyond 30 teams it
draws the 30 at both ends, services/results/heatmap.py).

    .venv/bin/python benchmarks/digest.py [--postgres postgresql://…/scratch_db] [--people 5000] [--weeks 52]
        [--drivers] [--only-postgres] [--reuse] [--digests FILE] [--profile FILE]

`--only-postgres` skips SQLite. `--reuse` measures the PostgreSQL database an earlier run with the same
`--people --weeks --step --drivers` built (and left in place), without building it again: a large
organisation takes many minutes to build. `--digests FILE` writes the last pass's digests to FILE, or,
when FILE exists, checks that they equal the ones in it figure for figure (build once with the old code,
once with the new). `--profile FILE` writes a cProfile of one more pass (pstats format).

The PostgreSQL database's `public` schema is dropped and recreated: point it at a scratch database. After
each batch it runs VACUUM ANALYZE, as autovacuum would after a bulk load; SQLite runs with its defaults.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pickle
import platform
import random
import statistics
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, text
from sqlmodel import SQLModel, select

from pulsebot.heatmap_chart import heatmap_png
from pulsebot.services.digest.digests import build_digests
from pulsebot.services.privacy.anonymity import token
from pulsebot.services.results.heatmap import drawn_teams, what_moves_enps
from pulsebot.services.results.release import release_closed_runs
from pulsebot.services.results.sentiment import score_text
from pulsebot.services.survey.rotation import Rotation
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey, survey_rotation
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Answer, Delivery, Idea, PulseRun, Survey, Vote
from pulsebot.store.weeks import week_start

KEY = b"benchmark-key-not-a-secret"
TEAM_SIZE = 25
TIMEZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London")
COMMENTS = [
    "The ticket backlog keeps growing and we are always behind.",
    "Great team spirit this week, everyone helped.",
    "Too many meetings, no time left for real work.",
    "Weekend shifts again, I am exhausted.",
    "The new release went smoothly, nice work everyone.",
    "Code reviews take forever.",
    "Clear priorities from the team lead this week.",
    "The on-call rotation is unfair.",
    "Loved the team lunch!",
    "Deadlines are unrealistic and the workload is too high.",
]
SURVEY = """\
name: {name}
channel: G0{number:06d}
timezone: {timezone}
managers: [U0M{number:06d}]
questions:
  - {{key: workload, kind: scale, prompt: My workload was manageable.}}
  - {{key: support, kind: scale, prompt: I got the help I needed.}}
  - {{key: enps, kind: enps}}
"""
DRIVER_SURVEY = """\
name: {name}
channel: G0{number:06d}
timezone: {timezone}
managers: [U0M{number:06d}]
library: engagement
questions_per_pulse: 4
enps: monthly
"""


@dataclass(frozen=True)
class Team:
    survey_id: int
    timezone: str
    members: list[str]
    questions: list[tuple[int, str]]  # (question id, kind)
    rotation: Rotation | None = None  # --drivers: which items each run asks
    keys: dict[str, int] | None = None  # --drivers: question id by key

    def asked(self, run_number: int, run_date: date) -> list[tuple[int, str]]:
        """The questions a run asks: all of them, or the rotation's items and eNPS once a month."""
        if self.rotation is None:
            return self.questions
        asked = [(self.keys[key], "scale") for key in self.rotation.items_for_run(run_number)]
        return asked + ([(self.keys["enps"], "enps")] if run_date.day <= 7 else [])


def scratch_engines(folder: str, postgres: str | None, *, only_postgres: bool) -> dict[str, Engine]:
    """A fresh SQLite file in `folder`, and the scratch PostgreSQL database when one is named."""
    engines = {} if only_postgres else {"SQLite": make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")}
    if postgres:
        engines["PostgreSQL"] = make_engine(postgres)
    return engines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--step", type=int, default=13, help="weeks inserted between measurements")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--drivers", action="store_true", help="rotating library items, driver scores")
    parser.add_argument("--only-postgres", action="store_true", help="skip SQLite")
    parser.add_argument("--reuse", action="store_true", help="measure the PostgreSQL database as left")
    parser.add_argument("--digests", type=Path, help="write the digests here, or compare with them")
    parser.add_argument("--profile", type=Path, help="write a cProfile of one pass here")
    args = parser.parse_args()
    if (args.reuse or args.only_postgres) and not args.postgres:
        parser.error("--reuse and --only-postgres need --postgres")

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, engine in scratch_engines(folder, args.postgres, only_postgres=args.only_postgres).items():
            doing = "measuring the organisation built before" if args.reuse else "building"
            print(f"{name}: {doing} {args.people:,} people × {args.weeks} weeks …", file=sys.stderr)
            rows += measure(name, engine, args)
            engine.dispose()

    print(machine())
    print()
    teams = (args.people + TEAM_SIZE - 1) // TEAM_SIZE
    header = (
        f"| database | weeks of history | answers stored | all {teams} teams' digests: median | fastest |"
    )
    if args.drivers:
        header += " what moves eNPS: median |"
    print(header)
    print("| --- | ---: | ---: | ---: | ---: |" + (" ---: |" if args.drivers else ""))
    for database, weeks, answers, median, fastest, enps_median in rows:
        line = f"| {database} | {weeks} | {answers:,} | {median * 1000:,.0f} ms | {fastest * 1000:,.0f} ms |"
        print(line + (f" {enps_median * 1000:,.0f} ms |" if enps_median is not None else ""))


def measure(name: str, engine: Engine, args) -> list[tuple]:
    sessions = session_factory(engine)
    first_monday = week_start(date(2025, 1, 6))
    results = []
    if args.reuse and engine.dialect.name == "postgresql":
        batches = [(args.weeks, stored_answers(engine))]
    else:
        batches = build(engine, sessions, args, first_monday)
    for weeks, answers in batches:
        teams = stored_teams(engine)
        now = datetime.combine(first_monday + timedelta(weeks=weeks), datetime.min.time(), UTC)
        now += timedelta(hours=10)
        timings, cpu = [], []
        for _ in range(args.repeat):
            began, began_cpu = time.perf_counter(), time.process_time()
            digests, org = digest_pass(sessions, now)
            timings.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        enps_timings = []
        for _ in range(3 if args.drivers else 0):
            began = time.perf_counter()
            with transaction(sessions) as session:
                links = what_moves_enps(session, min_group=5, through=org.heatmap.through)
            enps_timings.append(time.perf_counter() - began)
        assert len(digests) == teams and org is not None and org.figures.shown
        assert all(digest.figures.shown for digest in digests.values())
        if args.drivers:
            assert all(digest.drivers is not None and digest.drivers.shown for digest in digests.values())
            assert org.heatmap is not None and org.heatmap.shown_cells == teams * 11
        enps_median = statistics.median(enps_timings) if enps_timings else None
        results.append((name, weeks, answers, statistics.median(timings), min(timings), enps_median))
        print(
            f"  {weeks} weeks: {statistics.median(timings) * 1000:.0f} ms, of it this process's CPU "
            f"{statistics.median(cpu) * 1000:.0f} ms (median; on a shared machine the steadier figure)",
            file=sys.stderr,
        )
        if enps_median is not None:
            print(f"  what moves eNPS: {enps_median * 1000:.0f} ms", file=sys.stderr)
    if args.digests:
        compare_or_keep(args.digests.with_suffix(f".{name.lower()}.pickle"), digests, org)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(digest_pass, sessions, now)
        profiler.dump_stats(args.profile.with_suffix(f".{name.lower()}.prof"))
    if args.drivers:
        began = time.perf_counter()
        heatmap_png(org.heatmap, min_group=5)
        drawn = len(drawn_teams(org.heatmap).teams)
        print(
            f"  heatmap PNG of {teams} teams ({drawn} drawn): {time.perf_counter() - began:.2f} s",
            file=sys.stderr,
        )
        print(
            f"  what moves eNPS: {len(links.links)} drivers, {links.team_windows} team-windows",
            file=sys.stderr,
        )
    return results


def digest_pass(sessions, now: datetime) -> tuple[dict, object]:
    """Every team's digest and the organisation's, as the weekly job builds them (the quoted comments
    drawn with a fixed seed, so that two passes can be compared)."""
    with transaction(sessions) as session:
        return build_digests(
            session, now=now, min_group=5, weeks=12, include_org=True, enps_links=False, rng=random.Random(7)
        )


def build(engine: Engine, sessions, args, first_monday: date) -> Iterator[tuple[int, int]]:
    """Builds the organisation a batch of weeks at a time; after each, its weeks and answers so far."""
    reset(engine)
    rng = random.Random(42)
    teams = make_teams(
        sessions,
        people=args.people,
        now=datetime.combine(first_monday, datetime.min.time(), UTC),
        drivers=args.drivers,
    )
    comments = [(text, score_text(text).score) for text in COMMENTS]
    ideas(engine, rng, people=args.people, now=datetime.combine(first_monday, datetime.min.time(), UTC))
    run_id, answers = 0, 0
    for start in range(0, args.weeks, args.step):
        weeks = range(start, min(start + args.step, args.weeks))
        run_id, added = insert_weeks(
            engine, teams, weeks, first_monday, run_id=run_id, rng=rng, comments=comments
        )
        answers += added
        released, seconds = release(sessions)
        print(f"  released {released:,} runs in {seconds:.2f} s", file=sys.stderr)
        if engine.dialect.name == "postgresql":
            # What autovacuum does after a bulk load: fresh statistics and a visibility map, so the
            # planner can read the window from the indexes alone.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        yield weeks[-1] + 1, answers


def stored_answers(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM answer")).scalar_one()


def stored_teams(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM survey")).scalar_one()


def compare_or_keep(path: Path, digests: dict, org) -> None:
    """The digests written to `path`, or, if an earlier run wrote them there, compared with those."""
    if not path.exists():
        path.write_bytes(pickle.dumps((digests, org)))
        print(f"  digests written to {path.name}", file=sys.stderr)
        return
    kept_digests, kept_org = pickle.loads(path.read_bytes())
    if kept_digests != digests or kept_org != org:
        differing = [scope for scope in digests if kept_digests.get(scope) != digests[scope]]
        sys.exit(f"digests differ from {path.name}: {len(differing)} teams, e.g. {differing[:3]}")
    print(f"  digests equal to {path.name}, figure for figure", file=sys.stderr)


def reset(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)


def make_teams(sessions, *, people: int, now: datetime, drivers: bool) -> list[Team]:
    teams = []
    template = DRIVER_SURVEY if drivers else SURVEY
    rotations, keys = {}, {}
    with transaction(sessions) as session:
        for number in range((people + TEAM_SIZE - 1) // TEAM_SIZE):
            timezone = TIMEZONES[number % len(TIMEZONES)]
            spec = parse_surveys(
                template.format(name=f"team-{number:04d}", number=number, timezone=timezone), source="-"
            )[0]
            apply_survey(session, spec=spec, now=now)
        session.flush()
        surveys = session.execute(text("SELECT id, name, timezone FROM survey ORDER BY name")).all()
        questions = session.execute(
            text("SELECT survey_id, id, kind, key FROM question ORDER BY position")
        ).all()
        if drivers:
            for survey in session.exec(select(Survey)).all():
                rotations[survey.id] = survey_rotation(session, survey)
    by_survey: dict[int, list[tuple[int, str]]] = {}
    for survey_id, question_id, kind, key in questions:
        by_survey.setdefault(survey_id, []).append((question_id, kind))
        keys.setdefault(survey_id, {})[key] = question_id
    for index, (survey_id, _name, timezone) in enumerate(surveys):
        members = [f"U0P{n:06d}" for n in range(index * TEAM_SIZE, min((index + 1) * TEAM_SIZE, people))]
        teams.append(
            Team(
                survey_id, timezone, members, by_survey[survey_id], rotations.get(survey_id), keys[survey_id]
            )
        )
    return teams


def insert_weeks(engine, teams, weeks, first_monday, *, run_id, rng, comments) -> tuple[int, int]:
    runs, deliveries, answers = [], [], []
    for week in weeks:
        tuesday = first_monday + timedelta(weeks=week, days=1)
        for team in teams:
            run_id += 1
            opened = datetime.combine(tuesday, datetime.min.time(), zoneinfo.ZoneInfo(team.timezone))
            opened = opened.replace(hour=10)
            runs.append(
                {
                    "id": run_id,
                    "survey_id": team.survey_id,
                    "run_date": tuesday,
                    "status": "closed",
                    "opened_at": opened,
                    "closes_at": opened + timedelta(days=3),
                    "closed_at": opened + timedelta(days=3),
                }
            )
            mood = 3.6 + 0.5 * rng.random()
            for person in team.members:
                deliveries.append(
                    {
                        "run_id": run_id,
                        "user_id": person,
                        "status": "sent",
                        "reminders_sent": 0,
                    }
                )
                respondent = token(KEY, "answer", person, run_id)
                comment = rng.choice(comments) if rng.random() < 0.1 else (None, None)
                for position, (question_id, kind) in enumerate(team.asked(week, tuesday)):
                    if kind == "enps":
                        value = min(10, max(0, round(rng.gauss(2.2 * mood, 1.5))))
                    else:
                        value = min(5, max(1, round(rng.gauss(mood, 0.8))))
                    text_, sentiment = comment if position == 0 else (None, None)
                    answers.append(
                        {
                            "run_id": run_id,
                            "question_id": question_id,
                            "respondent": respondent,
                            "run_date": tuesday,
                            "value": value,
                            "comment": text_,
                            "sentiment": sentiment,
                        }
                    )
    bulk_insert(engine, PulseRun, runs)
    bulk_insert(engine, Delivery, deliveries)
    bulk_insert(engine, Answer, answers)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('pulse_run', 'id'), :id)"), {"id": run_id}
            )
    return run_id, len(answers)


def release(sessions) -> tuple[int, float]:
    """What the close job does as each run closes: count its figures once (services/results/release.py);
    the number of runs released and the seconds it took."""
    began = time.perf_counter()
    with transaction(sessions) as session:
        released = len(release_closed_runs(session, min_group=5, now=datetime.now(UTC)))
    return released, time.perf_counter() - began


def bulk_insert(engine: Engine, model: type[SQLModel], rows: list[dict]) -> None:
    """PostgreSQL: COPY; SQLite: one executemany in one transaction."""
    if not rows:
        return
    table = model.__table__
    columns = list(rows[0])
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            connection.execute(insert(table), rows)
        return
    raw = engine.raw_connection()
    try:
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[column] for column in columns])
        raw.commit()
    finally:
        raw.close()


def ideas(engine: Engine, rng: random.Random, *, people: int, now: datetime) -> None:
    rows, votes = [], []
    for number in range(1, 301):
        posted = now - timedelta(days=rng.randint(0, 60))
        rows.append(
            {
                "id": number,
                "text": f"Idea number {number} to make things better for customers",
                "category": "other",
                "author_token": token(KEY, "idea-author", f"U0P{number:06d}"),
                "status": rng.choice(["new", "under_review", "planned", "done"]),
                "created_at": posted,
                "updated_at": posted,
            }
        )
        for voter in rng.sample(range(people), rng.randint(0, 40)):
            votes.append({"idea_id": number, "voter": token(KEY, "vote", f"U0P{voter:06d}", number)})
    bulk_insert(engine, Idea, rows)
    bulk_insert(engine, Vote, votes)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT setval(pg_get_serial_sequence('idea', 'id'), 300)"))


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{memory_kb / 1024 / 1024:.0f} GB RAM"
    except OSError:
        memory = "unknown RAM"
    return f"Machine: {os.cpu_count()} CPUs ({model}), {memory}, Python {platform.python_version()}."


if __name__ == "__main__":
    main()
