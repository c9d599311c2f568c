"""What the mixing window costs: acknowledgement and thank-you times for PULSEBOT_MIX_SECONDS values,
measured in one run against real `pulsebot run` processes.

    python benchmarks/mixing_window.py [--clicks 200] [--spread 30] [--windows 0,2,10] [--database URL]

For each window a fresh `pulsebot run` serves a channel pulse; the clicks are signed requests sent
evenly over `--spread` seconds (as a team answers over half a minute after the pulse is posted). The ack
is the HTTP answer; the thank-you is the ephemeral reply through response_url, which goes out only once
the click's batch is stored. The n-th thank-you is matched with the n-th click (each batch thanks in the
order its clicks arrived, and batches are written in turn).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fake_slack
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for ack_latency's signed clicks

import ack_latency
from slack_sdk import WebClient
from sqlalchemy import text
from sqlmodel import func, select
from tests.fake_slack import FakeSlack

from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.publish import send_pulse
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Answer


def percentiles(seconds: list[float]) -> str:
    ms = sorted(value * 1000 for value in seconds)
    return f"p50 {statistics.median(ms):8.1f}  p99 {ms[int(len(ms) * 0.99) - 1]:8.1f}  max {ms[-1]:8.1f}"


def measure(window: float, *, clicks: int, spread: float, database: str | None) -> tuple[list, list, int]:
    folder = tempfile.mkdtemp()
    url = database or f"sqlite:///{folder}/mix.db"
    engine = make_engine(url)
    if database:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    people = [f"U{n:05d}" for n in range(clicks)]
    fake = FakeSlack().start()
    fake.add_channel(ack_latency.CHANNEL, people)
    arrivals: list[float] = []
    record = fake._record

    def stamped(method, args, token):
        if method == "response_url":
            arrivals.append(time.perf_counter())
        record(method, args, token)

    fake._record = stamped
    with transaction(sessions) as session:
        for spec in parse_surveys(ack_latency.SURVEY.format(channel=ack_latency.CHANNEL), source="bench.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))
    run = send_pulse(
        WebClient(token="x", base_url=fake.base_url), sessions, survey_name="all", now=datetime.now(UTC)
    )
    port = ack_latency.free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": ack_latency.SECRET,
        "SLACK_API_URL": fake.base_url,
        "PULSEBOT_ANON_KEY": "bench-anonymity-key-0123456789",
        "PULSEBOT_WORKING_HOURS": "any",  # a benchmark runs whenever it is run
        "PULSEBOT_WORKING_DAYS": "mon-sun",
        "PULSEBOT_PORT": str(port),
        "PULSEBOT_MIX_SECONDS": str(window),
        "PULSEBOT_SCHEDULER": "false",
    }
    log = Path(folder, "bot.log").open("w")  # noqa: SIM115  (open for the server's whole life)
    server = subprocess.Popen([sys.executable, "-m", "pulsebot", "run"], cwd=folder, env=env, stderr=log)
    try:
        ack_latency.wait_for_health(port)
        ack_latency.warm_up(port)
        arrivals.clear()
        started = time.perf_counter()
        acks, _ = ack_latency.fire(port, fake, run.run_id, run.questions[0].id, people, spread)
        fake.wait_for("response_url", clicks, timeout=120 + window)
        sent = [started + spread * index / clicks for index in range(clicks)]
        thanks = [arrived - click for arrived, click in zip(sorted(arrivals), sent, strict=True)]
        with sessions() as session:
            stored = session.exec(select(func.count()).select_from(Answer)).one()
    finally:
        server.terminate()
        server.wait()
        log.close()
        fake.stop()
        engine.dispose()
    return acks, thanks, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--spread", type=float, default=30.0)
    parser.add_argument("--windows", default="0,2,10")
    parser.add_argument("--database", help="an emptied PostgreSQL URL (default: a new SQLite file each)")
    args = parser.parse_args()
    print(f"{args.clicks} signed clicks over {args.spread:g} s, milliseconds")
    print(f"{'window':>8}  {'ack':^38}  {'thank-you':^38}  stored")
    for window in (float(part) for part in args.windows.split(",")):
        acks, thanks, stored = measure(window, clicks=args.clicks, spread=args.spread, database=args.database)
        print(f"{window:>7g}s  {percentiles(acks)}  {percentiles(thanks)}  {stored}/{args.clicks}")


if __name__ == "__main__":
    main()
