"""How much memory `pulsebot run` holds idle, and once the workspace's directory holds 100,000 people.

    python benchmarks/memory.py [--people 100000] [--database URL] [--idle 5]

A real `pulsebot run` process serves HTTP on a SQLite file (or `--database`, a PostgreSQL database whose
`public` schema is dropped and made anew) against the tests' fake Slack, which runs in this process. Its
resident memory is read from /proc (VmRSS now, VmHWM its peak) once it is healthy and has been idle for
`--idle` seconds (its scheduler's jobs, the directory read of the fake's few people included, have run).

Then the directory (the `directory_person` table, services/people/workspace_people.py) is filled with
`--people` people the way a full users.list read stores them: pages of 200 through `store_page`, then
`finish_read`. The scheduler reads users.list at Slack's Tier 2 pace (500 pages take 25 minutes), so the
pages are stored from this process rather than served to it. `pulsebot run` is read again: the directory
lives in the database, and a process reads it only to find an anonymous idea's author (or re-token old
ideas, slack/directory.py), keeping the list of ids for five minutes. What that costs is measured in a
child process of its own: its resident memory and peak before and after `WorkspaceDirectory().people(...)`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fake_slack

from sqlalchemy import text
from tests.fake_slack import FakeSlack

from pulsebot.services.people import workspace_people
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, session_factory, transaction

SECRET = "bench-signing-secret"
PAGE = 200  # users.list's page, as slack/workspace_people.py reads it
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", None)
LOCALES = ("en-US", "de-DE", "fr-FR", None)

# Run in a child process: the memory a process needs to hold the directory's list of people.
HOLDER = """
import json, sys
from pathlib import Path
from slack_sdk import WebClient
from pulsebot.slack.directory import WorkspaceDirectory
from pulsebot.store.db import make_engine, session_factory

def kib():
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {name: int(status[name].split()[0]) for name in ("VmRSS", "VmHWM")}

sessions = session_factory(make_engine(sys.argv[1]))
client = WebClient(token="xoxb-bench", base_url=sys.argv[2])
with sessions() as session:  # connected, so the difference is the list alone
    pass
before = kib()
people = WorkspaceDirectory().people(client, sessions)
print(json.dumps({"people": len(people), "before": before, "after": kib()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", help="a scratch PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading its memory")
    args = parser.parse_args()

    folder = tempfile.mkdtemp()
    url = args.database or f"sqlite:///{folder}/memory.db"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    fake = FakeSlack().start()
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "PULSEBOT_ANON_KEY": "bench-anonymity-key-0123456789",
        "PULSEBOT_WORKING_HOURS": "any",  # a benchmark runs whenever it is run
        "PULSEBOT_WORKING_DAYS": "mon-sun",
        "PULSEBOT_PORT": str(port),
        "PULSEBOT_METRICS_PORT": "0",
    }
    log = Path(folder, "bot.log").open("w")  # noqa: SIM115  (open for the server's whole life)
    server = subprocess.Popen(
        [sys.executable, "-m", "pulsebot", "run"], cwd=folder, env=env, stderr=log, start_new_session=True
    )
    try:
        wait_for_health(port, server)
        time.sleep(args.idle)
        idle = memory_of(server.pid)
        began = time.perf_counter()
        fill_directory(sessions, args.people)
        filled_in = time.perf_counter() - began
        time.sleep(args.idle)
        loaded = memory_of(server.pid)
        holder = subprocess.run(
            [sys.executable, "-c", HOLDER, url, fake.base_url],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        held = json.loads(holder.stdout)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        fake.stop()
        engine.dispose()

    assert held["people"] == args.people, held
    print(f"`pulsebot run` over HTTP on {engine.dialect.name}, the fake Slack; {args.people:,} people")
    print()
    print("| process | when | resident (VmRSS) | peak (VmHWM) |")
    print("| --- | --- | ---: | ---: |")
    print(f"| `pulsebot run` | idle, healthy | {mib(idle['VmRSS'])} | {mib(idle['VmHWM'])} |")
    print(
        f"| `pulsebot run` | the directory holds {args.people:,} people | {mib(loaded['VmRSS'])} "
        f"| {mib(loaded['VmHWM'])} |"
    )
    before, after = held["before"], held["after"]
    print(f"| reader of the directory | connected | {mib(before['VmRSS'])} | {mib(before['VmHWM'])} |")
    print(
        f"| reader of the directory | holding its {held['people']:,} ids | {mib(after['VmRSS'])} "
        f"| {mib(after['VmHWM'])} |"
    )
    print()
    print(f"Directory stored in pages of {PAGE} in {filled_in:.1f} s.")
    grew = loaded["VmRSS"] - idle["VmRSS"]
    print(f"`pulsebot run` grew by {grew / 1024:+.1f} MiB while the directory was filled.")
    print(
        f"Holding the directory's ids costs {(after['VmRSS'] - before['VmRSS']) / 1024:.1f} MiB "
        f"(reading them peaks {(after['VmHWM'] - before['VmRSS']) / 1024:.1f} MiB above)."
    )


def fill_directory(sessions, people: int) -> None:
    """The directory as a full read of `people` leaves it: pages of 200, then the end of the read."""
    ids = [f"U{n:08d}" for n in range(people)]
    with transaction(sessions) as session:
        # A read under way, unless pulsebot's own read of the fake's few people has just ended; either
        # way the pages below stay until the next day's read.
        workspace_people.read_due(session, now=datetime.now(UTC))
    for start in range(0, people, PAGE):
        page = ids[start : start + PAGE]
        with transaction(sessions) as session:
            workspace_people.store_page(
                session,
                humans={
                    user_id: workspace_people.Listed(ZONES[n % 4], LOCALES[n % 4])
                    for n, user_id in enumerate(page, start)
                },
                others=[],
                next_cursor="" if start + PAGE >= people else str(start + PAGE),
            )
    with transaction(sessions) as session:
        workspace_people.finish_read(session, now=datetime.now(UTC))


def memory_of(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"pulsebot run exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("pulsebot run did not become healthy")


if __name__ == "__main__":
    main()
