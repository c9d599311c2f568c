"""A 2,000-person DM fan-out through a fake Slack that allows R chat.postMessage calls a second and
answers 429 with Retry-After past that: total time against the floor 2000/R, lost and doubled DMs.

    python benchmarks/fanout.py [--people 2000] [--limit 50] [--rate 50] [--database URL]
        [--replicas N [--own-pace] [--stop-one-halfway]]

`--rate` is pulsebot's PULSEBOT_SEND_RATE (the pacing); `--rate 0` sends unpaced, leaving Slack's
429s alone to slow it down. The fake Slack runs in this process; the database is a fresh SQLite file
unless `--database` names an (emptied) PostgreSQL database.

`--replicas N` drains the fan-out through N outboxes at once, each with its own sender threads, as N
`pulsebot run` processes on one PostgreSQL do: on PostgreSQL they share one pace per workspace;
`--own-pace` gives each its own pace in memory instead (what each replica did before the pace was
shared). `--stop-one-halfway` stops the first replica once half the DMs are out, as SIGTERM does.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fake_slack

from slack_sdk import WebClient
from sqlmodel import select
from tests.fake_slack import FakeSlack

from pulsebot.config import Settings
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.outbox import SENDERS, Outbox
from pulsebot.slack.pacing import Pacer
from pulsebot.slack.publish import open_run
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Delivery, DeliveryStatus

CHANNEL = "G0EVERYONE"
SURVEY = """\
surveys:
  - name: all
    channel: {channel}
    delivery: dm
    questions: [{{key: enps, kind: enps}}]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument(
        "--limit", type=int, default=50, help="Slack's limit: chat.postMessage calls a second"
    )
    parser.add_argument("--rate", type=float, default=50, help="pulsebot's pacing (0: none)")
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--replicas", type=int, default=1, help="outboxes draining it at once")
    parser.add_argument("--own-pace", action="store_true", help="each replica paces itself alone")
    parser.add_argument("--stop-one-halfway", action="store_true", help="stop the first replica midway")
    args = parser.parse_args()

    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/fanout.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    people = [f"U{n:05d}" for n in range(args.people)]
    fake = FakeSlack().start()
    fake.add_channel(CHANNEL, people)
    survey = SURVEY.format(channel=CHANNEL)
    with transaction(sessions) as session:
        for spec in parse_surveys(survey, source="bench.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))
    client = WebClient(token="xoxb-bench", base_url=fake.base_url)
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench",
        slack_api_url=fake.base_url,
        database_url=url,
        anon_key="bench-anonymity-key-of-thirty-two-bytes",
        # Any hour, any day: a benchmark runs whenever it is run, not in someone's working hours.
        working_hours=None,
        working_days=frozenset(range(7)),
    )
    run = open_run(client, sessions, settings=settings, survey_name="all", now=datetime.now(UTC))
    fake.reset_calls()
    fake.rate_limit("chat.postMessage", per_second=args.limit)

    outboxes = [
        Outbox(client, sessions, rate=args.rate or None, workers=SENDERS, claim_for=timedelta(seconds=10))
        for _ in range(args.replicas)
    ]
    if args.own_pace and args.rate:
        for outbox in outboxes:
            outbox.pacer = Pacer(args.rate)
            outbox.poster.retry_handlers[-1].pacer = outbox.pacer
    stops = [threading.Event() for _ in outboxes]
    counts = [0] * len(outboxes)

    def drain(index: int) -> None:
        counts[index] = outboxes[index].drain(run_id=run.run_id, stop=stops[index])

    started = time.monotonic()
    senders = [threading.Thread(target=drain, args=(index,)) for index in range(len(outboxes))]
    for sender in senders:
        sender.start()
    if args.stop_one_halfway:
        while len(fake.calls_to("chat.postMessage")) < args.people // 2:
            time.sleep(0.05)
        stops[0].set()
    for sender in senders:
        sender.join()
    elapsed = time.monotonic() - started
    sent, outbox = sum(counts), outboxes[-1]

    per_person = collections.Counter(post["channel"] for post in fake.calls_to("chat.postMessage"))
    with sessions() as session:
        unsent = session.exec(select(Delivery).where(Delivery.status != DeliveryStatus.sent)).all()
    floor = args.people / args.limit
    pace = "each its own pace" if args.own_pace else "one shared pace"
    print(
        f"people {args.people}, Slack limit {args.limit}/s, pacing {args.rate or 'none'}/s, "
        f"{args.replicas} replica(s) of {SENDERS} senders ({pace}), {engine.dialect.name}"
        + (", the first stopped halfway" if args.stop_one_halfway else "")
    )
    print(f"time {elapsed:.1f} s, floor {floor:.1f} s, ratio {elapsed / floor:.2f}")
    print(f"sent {sent}, 429s {len(fake.calls_to('chat.postMessage:429'))}")
    lost = len(set(people) - set(per_person)) + len(unsent)
    doubled = sum(count > 1 for count in per_person.values())
    pace = f", pace at the end {outbox.pacer.rate:.1f}/s" if outbox.pacer else ""
    print(f"lost {lost}, doubled {doubled}{pace}")
    fake.stop()


if __name__ == "__main__":
    main()
