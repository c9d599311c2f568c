"""How long the first retention run takes on a big workspace, and whether the kept figures match.

The data of benchmarks/digest.py (5,000 people in 200 teams, three rated questions everyone answers each
week, a comment from one in ten: 780,000 answers in 52 weeks), then one retention run that keeps the
last 13 weeks: 39 weeks of answers and delivery records go, in batches of 5,000 rows. Checks that every
team's figures over all 52 weeks read the same before and after, and that a second run removes nothing.

    .venv/bin/python benchmarks/retention.py [--postgres postgresql://…/scratch] [--people N] [--weeks N]

The PostgreSQL database's `public` schema is dropped and recreated: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).parent))
from digest import COMMENTS, insert_weeks, machine, make_teams, release, reset

from pulsebot.services.privacy.retention import run_retention
from pulsebot.services.results.analytics import compute_trends
from pulsebot.services.results.sentiment import score_text
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Answer
from pulsebot.store.weeks import week_start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    url = args.postgres or f"sqlite:///{Path(tempfile.mkdtemp()) / 'retention.db'}"
    engine = make_engine(url)
    reset(engine)
    sessions = session_factory(engine)
    first_monday = week_start(date(2025, 1, 6))
    teams = make_teams(
        sessions, people=args.people, now=datetime.combine(first_monday, datetime.min.time(), UTC)
    )
    comments = [(text, score_text(text).score) for text in COMMENTS]
    _, answers = insert_weeks(
        engine, teams, range(args.weeks), first_monday, run_id=0, rng=random.Random(42), comments=comments
    )
    release(sessions)
    now = datetime.combine(first_monday + timedelta(weeks=args.weeks), datetime.min.time(), UTC)
    before = figures(sessions, now, args.weeks)

    began = time.perf_counter()
    outcome = run_retention(sessions, days=13 * 7, min_group=5, now=now)
    first = time.perf_counter() - began
    began = time.perf_counter()
    again = run_retention(sessions, days=13 * 7, min_group=5, now=now)
    second = time.perf_counter() - began

    with transaction(sessions) as session:
        left = session.exec(select(func.count()).select_from(Answer)).one()
    assert figures(sessions, now, args.weeks) == before, "a kept week reads differently"
    assert (again.answers, again.deliveries, again.weeks_kept) == (0, 0, 0)
    print(
        f"{engine.dialect.name}: {answers:,} answers, {outcome.answers:,} deleted and {left:,} left, "
        f"{outcome.deliveries:,} delivery records deleted, {outcome.weeks_kept:,} team-weeks kept; "
        f"first run {first:.1f} s, second run {second:.2f} s; figures unchanged ({machine()})"
    )


def figures(sessions, now: datetime, weeks: int):
    with transaction(sessions) as session:
        trends = compute_trends(session, now=now, min_group=5, weeks=weeks + 1, complete_only=False)
    return {name: trend.weeks for name, trend in trends.teams.items()}


if __name__ == "__main__":
    main()
