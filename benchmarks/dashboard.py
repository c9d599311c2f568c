"""How long the dashboard takes to answer a team's page, at 5,000 and 50,000 people, beside the same
team's digest made for Slack.

The organisation of benchmarks/digest.py (teams of 25, a weekly pulse of two 1–5 questions and eNPS that
everyone answers, a comment from one person in ten), with `--weeks` of history, released as the close job
releases each run. Then the manager of the first team is signed in (a session in the database, as Sign in
with Slack leaves it) and the real Flask app answers, through its test client (no network), the team's
page with a 12- and a 52-week trend, the list of teams, the ideas board and the Me page, and for an admin
the organisation's participation, every team's actions and the audit log, `--repeat` times each: every
request goes through the guard (the session found and the person's rights read again), builds the page
from the released figures and writes its audit entry; the SVG chart is drawn at the first look at a week's
figures (timed on its own) and kept for the next. Beside them, what `/pulse digest` does
for the same team before calling Slack: the digest (12 weeks), its Block Kit and its PNG chart.

    .venv/bin/python benchmarks/dashboard.py [--postgres postgresql://…/scratch_db] [--people 5000]
        [--weeks 52] [--repeat 30] [--only participation]

The PostgreSQL database's `public` schema is dropped and recreated: point it at a scratch database.
Prints a Markdown table: the median and the 95th percentile of each page's server time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from digest import COMMENTS, insert_weeks, machine, make_teams, release, reset, scratch_engines
from pydantic import SecretStr
from sqlalchemy import text

from pulsebot.charts import digest_chart
from pulsebot.config import Settings
from pulsebot.services.digest.digests import build_digests
from pulsebot.services.results.sentiment import score_text
from pulsebot.services.signin import web_sessions
from pulsebot.services.signin.rights import rights_of
from pulsebot.slack.blocks.digest import digest_message
from pulsebot.store.db import session_factory, transaction
from pulsebot.store.scoping import SINGLE_WORKSPACE
from pulsebot.store.weeks import week_start
from pulsebot.web import create_app
from pulsebot.web.teams.page import forget_charts

MANAGER = "U0M000000"  # the manager of team-0000 (benchmarks/digest.py's survey)
ADMIN = "U0ADMIN00"
TEAM = "team-0000"


class EveryWorkspace:
    """The one workspace, with no Slack to ask which it is."""

    def scope_of(self, slack_team_id: str) -> str:
        return SINGLE_WORKSPACE

    def serves(self, scope: str) -> bool:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="time only the pages whose name holds this text")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, engine in scratch_engines(folder, args.postgres).items():
            print(f"{name}: building {args.people:,} people × {args.weeks} weeks …", file=sys.stderr)
            rows += measure(name, engine, args)
            engine.dispose()
    print(machine())
    print()
    print("| database | people | what | median | p95 |")
    print("| --- | ---: | --- | ---: | ---: |")
    for database, people, what, timings in rows:
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 20 else max(timings)
        print(
            f"| {database} | {people:,} | {what} | {statistics.median(timings) * 1000:,.0f} ms | "
            f"{p95 * 1000:,.0f} ms |"
        )


def measure(name: str, engine, args) -> list[tuple]:
    reset(engine)
    sessions = session_factory(engine)
    first_monday = week_start(date(2025, 1, 6))
    start = datetime.combine(first_monday, datetime.min.time(), UTC)
    teams = make_teams(sessions, people=args.people, now=start, drivers=False)
    comments = [(text_, score_text(text_).score) for text_ in COMMENTS]
    began = time.perf_counter()
    insert_weeks(
        engine, teams, range(args.weeks), first_monday, run_id=0, rng=random.Random(42), comments=comments
    )
    released, seconds = release(sessions)
    print(
        f"  inserted in {time.perf_counter() - began:.0f} s; released {released:,} runs in {seconds:.1f} s",
        file=sys.stderr,
    )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    now = start + timedelta(weeks=args.weeks, hours=10)
    settings = Settings(
        _env_file=None,
        database_url=engine.url.render_as_string(hide_password=False),
        web_url="https://dashboard.example",
        web_client_id="1.2",
        web_client_secret=SecretStr("benchmark"),
        anon_key=SecretStr("a benchmark key, not a secret"),
        # Any hour, any day: a benchmark runs whenever it is run, not in someone's working hours.
        working_hours=None,
        working_days=frozenset(range(7)),
    )
    settings = settings.model_copy(update={"admins": frozenset({ADMIN})})
    app = create_app(settings, sessions, clock=lambda: now, workspaces=EveryWorkspace())
    manager = signed_in(app, sessions, MANAGER, now=now)
    admin = signed_in(app, sessions, ADMIN, now=now)
    rows = []
    for browser, what, path, first_look in (
        (manager, "team page, 12 weeks, first look at the week (chart drawn)", f"/team/{TEAM}", True),
        (manager, "team page, 12 weeks, again (chart kept)", f"/team/{TEAM}", False),
        (manager, "team page, 52 weeks, again (chart kept)", f"/team/{TEAM}?weeks=52", False),
        (manager, "list of teams", "/", False),
        (manager, "ideas board", "/ideas", False),
        (manager, "Me page", "/me", False),
        (admin, "organisation: participation, every team (admin)", "/organisation/participation", False),
        (admin, "organisation: every team's actions (admin)", "/organisation/actions", False),
        (admin, "organisation: audit log, newest 50 (admin)", "/organisation/audit", False),
    ):
        if args.only not in what:
            continue
        timings = []
        browser.get(path)
        for _ in range(args.repeat):
            if first_look:
                forget_charts()
            began = time.perf_counter()
            page = browser.get(path)
            timings.append(time.perf_counter() - began)
            assert page.status_code == 200, page.status_code
        assert not what.startswith("team page") or "<dt>Mood (1–5)</dt>" in page.get_data(as_text=True)
        rows.append((name, args.people, what, timings))
        print(f"  {what}: {statistics.median(timings) * 1000:.0f} ms", file=sys.stderr)
    if args.only:
        return rows
    timings = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        with transaction(sessions) as session:
            digests, _ = build_digests(session, now=now, min_group=5, weeks=12, survey_names=[TEAM])
        digest_message(digests[TEAM])
        digest_chart(digests[TEAM])
        timings.append(time.perf_counter() - began)
    rows.append((name, args.people, "for Slack: the team's digest, its blocks and PNG chart", timings))
    return rows


def signed_in(app, sessions, user: str, *, now: datetime):
    """A test client with `user`'s session, as Sign in with Slack leaves it."""
    with transaction(sessions) as session:
        rights = rights_of(session, user_id=user, admins=frozenset({ADMIN}))
        session_id, _ = web_sessions.open_session(
            session,
            team_id=SINGLE_WORKSPACE,
            rights=rights,
            now=now,
            idle=timedelta(minutes=30),
            longest=timedelta(hours=12),
        )
    browser = app.test_client()
    browser.set_cookie("__Host-pulsebot", session_id, domain="localhost")
    return browser


if __name__ == "__main__":
    main()
