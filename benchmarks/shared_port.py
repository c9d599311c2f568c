"""200 people click an answer at the same moment, through one port served by N `pulsebot run` processes
(PULSEBOT_REUSE_PORT) on one PostgreSQL: how long until each click is acknowledged, for each N?

    python benchmarks/shared_port.py --database postgresql://... [--clicks 200] [--processes 1,2,3]
                                     [--rounds 1]

For each N the database's `public` schema is dropped and made anew, a channel pulse is opened, and N
processes are started on one port; they are warmed up (each has had a request, as a running bot has),
then the clicks go out as in ack_latency.py: each a correctly signed request on its own connection, all
released at once, the kernel handing each connection to one of the processes. Latency is from sending
the request to reading the response; every answer must be stored, and one process must hold the
scheduler.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fake_slack

from ack_latency import CHANNEL, SECRET, SURVEY, fire, free_port, wait_for_health, warm_up
from slack_sdk import WebClient
from sqlalchemy import text
from sqlmodel import func, select
from tests.fake_slack import FakeSlack

from pulsebot.config import Settings
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.publish import send_pulse
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Answer

HOLDS_LOCK = "holds the scheduler lock"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL URL (its public schema is dropped)")
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--processes", default="1,2,3", help="comma-separated numbers of processes")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per number of processes, in turns")
    args = parser.parse_args()
    if not args.database.startswith("postgres"):
        raise SystemExit("shared_port.py: --database must be PostgreSQL (several processes need it)")
    results = [one_round(args, int(count)) for _ in range(args.rounds) for count in args.processes.split(",")]
    print(f"{args.clicks} clicks at once through one port, on PostgreSQL, {os.cpu_count()} CPUs")
    print("| processes | p50 | p90 | p99 | max | statuses | lost | schedulers |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for result in results:
        print(
            f"| {result['processes']} | {result['p50']:.1f} | {result['p90']:.1f} | {result['p99']:.1f} "
            f"| {result['max']:.1f} | {result['statuses']} | {result['lost']} | {result['schedulers']} |"
        )


def one_round(args, processes: int) -> dict:
    folder = Path(tempfile.mkdtemp())
    engine = make_engine(args.database)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    people = [f"U{n:05d}" for n in range(args.clicks)]
    fake = FakeSlack().start()
    fake.add_channel(CHANNEL, people)
    with transaction(sessions) as session:
        for spec in parse_surveys(SURVEY.format(channel=CHANNEL), source="bench.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=fake.base_url,
        database_url=args.database,
        anon_key="bench-anonymity-key-0123456789",
        # Any hour, any day: a benchmark runs whenever it is run, not in someone's working hours.
        working_hours=None,
        working_days=frozenset(range(7)),
    )
    client = WebClient(token="x", base_url=fake.base_url)
    run = send_pulse(client, sessions, settings=settings, survey_name="all", now=datetime.now(UTC))
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
        "DATABASE_URL": args.database,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "PULSEBOT_ANON_KEY": "bench-anonymity-key-0123456789",
        "PULSEBOT_WORKING_HOURS": "any",  # a benchmark runs whenever it is run
        "PULSEBOT_WORKING_DAYS": "mon-sun",
        "PULSEBOT_PORT": str(port),
        "PULSEBOT_REUSE_PORT": "true",
        "PULSEBOT_METRICS_PORT": "0",
    }
    logs = [folder / f"bot{number}.log" for number in range(processes)]
    servers = []
    for log in logs:
        with log.open("w") as stderr:  # the child keeps its own copy of the file
            servers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "pulsebot", "run"],
                    cwd=folder,
                    env=env,
                    stderr=stderr,
                    start_new_session=True,
                )
            )
    try:
        wait_for_listening(logs)
        wait_for_health(port)
        for _ in range(10 * processes):  # each process has had a request, as a running bot's have
            warm_up(port)
        latencies, statuses = fire(port, fake, run.run_id, run.questions[0].id, people, 0.0)
        fake.wait_for("response_url", args.clicks, timeout=120)
        with sessions() as session:
            stored = session.exec(select(func.count()).select_from(Answer)).one()
        schedulers = sum(HOLDS_LOCK in log.read_text() for log in logs)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        fake.stop()
        engine.dispose()
    ms = sorted(value * 1000 for value in latencies)
    return {
        "processes": processes,
        "p50": statistics.median(ms),
        "p90": ms[int(len(ms) * 0.9) - 1],
        "p99": ms[int(len(ms) * 0.99) - 1],
        "max": ms[-1],
        "statuses": sorted(set(statuses)),
        "lost": args.clicks - stored,
        "schedulers": schedulers,
    }


def wait_for_listening(logs: list[Path]) -> None:
    """Every process is listening (the first alone would answer the health check)."""
    deadline = time.monotonic() + 60
    while not all("listening on" in log.read_text() for log in logs):
        if time.monotonic() > deadline:
            raise SystemExit(f"a pulsebot run did not come up; see {logs}")
        time.sleep(0.1)


if __name__ == "__main__":
    main()
