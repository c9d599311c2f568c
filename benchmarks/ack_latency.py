"""200 people click an answer on the same channel pulse at the same moment: how long until each click
is acknowledged, and is every answer stored?

    python benchmarks/ack_latency.py [--clicks 200] [--database URL] [--servers waitress,wsgiref]
                                     [--rounds 1] [--attack none|body|slow|idle]

A real `pulsebot run` process serves HTTP on a SQLite file (or `--database`, a PostgreSQL database whose
`public` schema is dropped and made anew for each round); the fake Slack Web API it calls after each ack
(the thank-you through response_url, the live count through chat.update) runs in this process. Each
click is a correctly signed request on its own connection, all released at once; latency is from
sending the request to reading the response.

`--servers` compares HTTP servers in one run, taking turns round by round: `waitress` is what
`pulsebot run` serves with; `wsgiref` is the thread-per-connection `wsgiref` server pulsebot served
with before (kept here, in `old_server.py`, as the baseline only); `gunicorn` serves the same app with
one gthread worker (`pip install gunicorn` first; for comparison only, see old_server.py). `--attack`
runs hostile traffic from this process while the clicks arrive: `body` three unsigned 40 MiB bodies at
once, `slow` a request whose body stalls, `idle` 300 connections that send nothing; the server's peak
memory (its child processes' included) is reported.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
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
    parser.add_argument("--servers", default="waitress", help="comma-separated: waitress, wsgiref")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per server, taken in turns")
    parser.add_argument("--attack", choices=list(ATTACKS), default="none")
    parser.add_argument(
        "--threads", type=int, help="PULSEBOT_HTTP_THREADS for waitress (default: its default)"
    )
    args = parser.parse_args()
    results = []
    for _ in range(args.rounds):
        for server_name in args.servers.split(","):
            results.append(one_round(args, server_name))
    print(f"{args.clicks} clicks {results[0]['when']}, attack: {args.attack}, on {results[0]['dialect']}")
    print("| server | p50 | p90 | p99 | max | statuses | lost | thanked after | peak RSS |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for result in results:
        print(
            f"| {result['server']} | {result['p50']:.1f} | {result['p90']:.1f} | {result['p99']:.1f} "
            f"| {result['max']:.1f} | {result['statuses']} | {result['lost']} | {result['thanked']:.1f} s "
            f"| {result['rss_mib']:.0f} MiB |"
        )


def one_round(args, server_name: str) -> dict:
    folder = tempfile.mkdtemp()
    url = args.database or f"sqlite:///{folder}/ack.db"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
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
        database_url=url,
        anon_key="bench-anonymity-key-0123456789",
        # Any hour, any day: a benchmark runs whenever it is run, not in someone's working hours.
        working_hours=None,
        working_days=frozenset(range(7)),
    )
    run = send_pulse(
        WebClient(token="x", base_url=fake.base_url),
        sessions,
        settings=settings,
        survey_name="all",
        now=datetime.now(UTC),
    )
    question_id = run.questions[0].id

    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        # PYTHONPATH=another-checkout/src measures that checkout's server against this one's.
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "PULSEBOT_ANON_KEY": "bench-anonymity-key-0123456789",
        "PULSEBOT_WORKING_HOURS": "any",  # a benchmark runs whenever it is run
        "PULSEBOT_WORKING_DAYS": "mon-sun",
        "PULSEBOT_PORT": str(port),
        **({"PULSEBOT_HTTP_THREADS": str(args.threads)} if args.threads else {}),
    }
    log = Path(folder, "bot.log").open("w")  # noqa: SIM115  (open for the server's whole life)
    command = [sys.executable, "-m", "pulsebot", "run"]
    if server_name in ("wsgiref", "gunicorn"):
        command = [sys.executable, str(Path(__file__).with_name("old_server.py")), server_name]
    # A session of its own: gunicorn's worker is a child of the server process, and goes with it.
    server = subprocess.Popen(command, cwd=folder, env=env, stderr=log, start_new_session=True)
    peak = PeakMemory(server.pid)
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
        peak.start()
        attack = ATTACKS[args.attack](port)
        started = time.perf_counter()
        latencies, statuses = fire(port, fake, run.run_id, question_id, people, args.spread)
        fake.wait_for("response_url", args.clicks, timeout=120)
        attack.stop()
        thanked = time.perf_counter() - started
        if profiler is not None:
            profiler.wait()
        with sessions() as session:
            stored = session.exec(select(func.count()).select_from(Answer)).one()
    finally:
        peak.stop()
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        log.close()
        fake.stop()
        engine.dispose()

    latencies.sort()
    ms = [value * 1000 for value in latencies]
    when = f"over {args.spread:g} s" if args.spread else "at once"
    when += f", Slack answering in {args.slack_latency * 1000:.0f} ms" if args.slack_latency else ""
    return {
        "server": server_name,
        "when": when,
        "dialect": engine.dialect.name,
        "p50": statistics.median(ms),
        "p90": ms[int(len(ms) * 0.9) - 1],
        "p99": ms[int(len(ms) * 0.99) - 1],
        "max": ms[-1],
        "statuses": sorted(set(statuses)),
        "lost": args.clicks - stored,
        "thanked": thanked,
        "rss_mib": peak.mib,
    }


class PeakMemory:
    """The server's largest resident size (its child processes' included) while the clicks (and any
    attack) go on."""

    def __init__(self, pid: int) -> None:
        self.pid, self.mib = pid, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()

    def _sample(self) -> None:
        while not self._done.wait(0.05):
            try:
                children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
                statuses = [Path(f"/proc/{pid}/status").read_text() for pid in [self.pid, *children]]
            except OSError:
                return
            kib = sum(
                int(line.split()[1])
                for status in statuses
                for line in status.splitlines()
                if line.startswith("VmRSS:")
            )
            self.mib = max(self.mib, kib / 1024)


class Attack:
    """Hostile traffic against 127.0.0.1 only, stopped (sockets closed) when the clicks are done."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sockets: list[socket.socket] = []
        self.done = threading.Event()
        self.threads: list[threading.Thread] = []

    def connect(self) -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self.sockets.append(connection)
        return connection

    def stop(self) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=10)
        for connection in self.sockets:
            connection.close()


class NoAttack(Attack):
    pass


class BigBodies(Attack):
    """Three unsigned 40 MiB bodies at once, sent as fast as the server takes them."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        for _ in range(3):
            self.threads.append(threading.Thread(target=self.send, daemon=True))
            self.threads[-1].start()

    def send(self) -> None:
        size = 40 << 20
        connection = self.connect()
        chunk = b"a" * 65536
        try:
            connection.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size)
            for _ in range(size // len(chunk)):
                if self.done.is_set():
                    return
                connection.sendall(chunk)
        except OSError:
            return  # the server refused the body and closed the connection


class SlowBody(Attack):
    """A request whose body stalls after its first bytes."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.connect().sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npay")
        time.sleep(0.2)


class IdleConnections(Attack):
    """300 connections that send nothing."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        for _ in range(300):
            self.connect()
        time.sleep(0.2)


ATTACKS = {"none": NoAttack, "body": BigBodies, "slow": SlowBody, "idle": IdleConnections}


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
