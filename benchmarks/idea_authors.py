"""What finding a person's anonymous ideas costs, and forgetting a person among many anonymous ideas.

N anonymous ideas (default 10,000) by 100 people, each stored as pulsebot stores them (a masked token
per idea). Times `/idea mine` for one person (the median of five) and one forgetting, which rewrites
every anonymous idea of the workspace, then the scrub that follows it.

    .venv/bin/python benchmarks/idea_authors.py [--postgres postgresql://…/scratch] [--ideas N]

The PostgreSQL database's `public` schema is dropped and recreated: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digest import machine, reset

from pulsebot.services.idea import idea_authors
from pulsebot.services.idea.idea_lists import my_ideas
from pulsebot.services.privacy.forgetting import forget_person, scrub_forgotten
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Idea

KEY = b"benchmark-anonymity-key-0123456789"
NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
PEOPLE = [f"U{number:08d}" for number in range(100)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL")
    parser.add_argument("--ideas", type=int, default=10_000)
    args = parser.parse_args()
    url = args.postgres or f"sqlite:///{Path(tempfile.mkdtemp()) / 'ideas.db'}"
    engine = make_engine(url)
    reset(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        for number in range(args.ideas):
            idea = Idea(text=f"Idea {number}", created_at=NOW, updated_at=NOW)
            session.add(idea)
            session.flush()
            author = PEOPLE[number % len(PEOPLE)]
            idea_authors.sign(session, idea, user_id=author, key=KEY, anonymous=True)

    mine = []
    for _ in range(5):
        began = time.perf_counter()
        with transaction(sessions) as session:
            found = my_ideas(session, user_id=PEOPLE[0], key=KEY)
        mine.append(time.perf_counter() - began)
    began = time.perf_counter()
    with transaction(sessions) as session:
        forgotten = forget_person(session, user_id=PEOPLE[0], key=KEY, actor="benchmark", now=NOW)
    forgetting = time.perf_counter() - began
    began = time.perf_counter()
    scrub_forgotten(sessions)
    scrubbing = time.perf_counter() - began

    print(f"{engine.dialect.name}, {args.ideas:,} anonymous ideas, {machine()}")
    print(f"/idea mine: {found.total} ideas in {statistics.median(mine):.2f} s")
    print(
        f"forget: {forgotten.anonymous_ideas} anonymous ideas of theirs, {args.ideas:,} rewritten "
        f"in {forgetting:.2f} s"
    )
    print(f"scrub afterwards: {scrubbing:.2f} s")


if __name__ == "__main__":
    main()
