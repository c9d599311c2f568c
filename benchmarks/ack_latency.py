"""200 people click an answer on the same channel pulse at the same moment: how long until each click
is acknowledged, and is every answer stored?

    python benchmarks/ack_latency.py [--clicks 200] [--database URL]

A real `pulsebot run` process serves HTTP on a SQLite file (or `--database`, an emptied PostgreSQL
database); the fake Slack Web API it calls after each ack (the thank-you through response_url, the live
count through chat.update) runs in this process. Each click is a correctly signed request on its own
connection, all released at once; latency is from sending the request to reading the response.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fake_slack

from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from sqlmodel import func, select
from tests.fake_slack import FakeSlack

from pulsebot.services.survey_file import parse_surveys
from pulsebot.services.surveys import apply_survey
from pulsebot.slack.publish import send_pulse
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Answer

SECRET = "bench-signing-secret"
CHANNEL = "G0EVERYONE"
SURVEY = """\
surveys:
  - name: all
    channel: {channel}
    questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def click_body(run_id: int, question_id: int, user: str, value: int) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0ACME"},
        "user": {"id": user, "team_id": "T0ACME"},
        "api_app_id": "A0PULSE",
        "trigger_id": f"t.{user}",
        "container": {"type": "message", "message_ts": "1.0", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL},
        "message": {"ts": "1.0", "text": "pulse"},
        "response_url": "",  # filled in below
        "actions": [
            {
                "type": "button",
                "action_id": f"pulse_answer_{question_id}_{value}",
                "block_id": "b1",
                "value": f"{run_id}:{question_id}:{value}",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument(
        "--spread", type=float, default=0.0, help="send the clicks evenly over this many seconds (0: at once)"
    )
    parser.add_argument("--slack-latency", type=float, default=0.0, help="seconds each Slack call takes")
    parser.add_argument("--profile", help="write py-spy's collapsed stacks of the server to this file")
    args = parser.parse_args()

    folder = tempfile.mkdtemp()
    url = args.database or f"sqlite:///{folder}/ack.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    people = [f"U{n:05d}" for n in range(args.clicks)]
    fake = FakeSlack().start()
    fake.add_channel(CHANNEL, people)
    with transaction(sessions) as session:
        for spec in parse_surveys(SURVEY.format(channel=CHANNEL), source="bench.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))
    run = send_pulse(
        WebClient(token="x", base_url=fake.base_url), sessions, survey_name="all", now=datetime.now(UTC)
    )
    question_id = run.questions[0].id

    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "PULSEBOT_ANON_KEY": "bench-anonymity-key-0123456789",
        "PULSEBOT_PORT": str(port),
    }
    log = Path(folder, "bot.log").open("w")  # noqa: SIM115  (open for the server's whole life)
    server = subprocess.Popen([sys.executable, "-m", "pulsebot", "run"], cwd=folder, env=env, stderr=log)
    try:
        wait_for_health(port)
        warm_up(port)
        profiler = None
        if args.profile:  # py-spy (pip install py-spy) samples the server while it takes the clicks
            sampling = ["--format", "raw", "--rate", "250", "--duration", "6", "--threads", "--gil"]
            profiler = subprocess.Popen(
                ["py-spy", "record", "--pid", str(server.pid), *sampling, "--output", args.profile],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(1)
        fake.latency = args.slack_latency
        started = time.perf_counter()
        latencies, statuses = fire(port, fake, run.run_id, question_id, people, args.spread)
        fake.wait_for("response_url", args.clicks, timeout=120)
        thanked = time.perf_counter() - started
        if profiler is not None:
            profiler.wait()
        with sessions() as session:
            stored = session.exec(select(func.count()).select_from(Answer)).one()
    finally:
        server.kill()
        server.wait()
        log.close()
        fake.stop()

    latencies.sort()
    ms = [value * 1000 for value in latencies]
    when = f"over {args.spread:g} s" if args.spread else "at once"
    when += f", Slack answering in {args.slack_latency * 1000:.0f} ms" if args.slack_latency else ""
    print(f"{args.clicks} signed clicks {when}, against `pulsebot run` on {engine.dialect.name}")
    print(f"status codes: {sorted(set(statuses))}")
    print(
        f"ack latency ms: p50 {statistics.median(ms):.1f}, p90 {ms[int(len(ms) * 0.9) - 1]:.1f}, "
        f"p99 {ms[int(len(ms) * 0.99) - 1]:.1f}, max {ms[-1]:.1f}"
    )
    print(f"answers stored {stored} of {args.clicks}, lost {args.clicks - stored}")
    print(f"every click thanked (through response_url) after {thanked:.1f} s")


def wait_for_health(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("pulsebot run did not come up; see bot.log")


def warm_up(port: int) -> None:
    """One command first, as a running bot has had (Bolt checks the bot token on its first request)."""
    body = urlencode({"command": "/pulse", "text": "help", "user_id": "U0WARM", "trigger_id": "t.warm"})
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "POST",
        "/slack/events",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        },
    )
    connection.getresponse().read()


def fire(port: int, fake: FakeSlack, run_id: int, question_id: int, people: list[str], spread: float):
    verifier = SignatureVerifier(SECRET)
    bodies = []
    for number, user in enumerate(people):
        payload = click_body(run_id, question_id, user, 1 + number % 5)
        payload["response_url"] = fake.response_url(user)
        bodies.append(urlencode({"payload": json.dumps(payload)}))
    latencies: list[float] = [0.0] * len(people)
    statuses: list[int] = [0] * len(people)
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in people]
    for connection in connections:
        connection.connect()  # connected up front: the timing is of the request, not of the handshake
    start = threading.Barrier(len(people))

    def click(index: int) -> None:
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=bodies[index]),
        }
        start.wait()
        time.sleep(spread * index / len(people))
        began = time.perf_counter()
        connections[index].request("POST", "/slack/events", body=bodies[index], headers=headers)
        response = connections[index].getresponse()
        response.read()
        latencies[index] = time.perf_counter() - began
        statuses[index] = response.status

    threads = [threading.Thread(target=click, args=(index,)) for index in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


if __name__ == "__main__":
    main()
