"""A 2,000-person DM fan-out through a fake Slack that allows R chat.postMessage calls a second and
answers 429 with Retry-After past that: total time against the floor 2000/R, lost and doubled DMs.

    python benchmarks/fanout.py [--people 2000] [--limit 50] [--rate 50] [--database URL]

`--rate` is pulsebot's PULSEBOT_SEND_RATE (the pacing); `--rate 0` sends unpaced, leaving Slack's
429s alone to slow it down. The fake Slack runs in this process; the database is a fresh SQLite file
unless `--database` names an (emptied) PostgreSQL database.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fake_slack

from slack_sdk import WebClient
from sqlmodel import select
from tests.fake_slack import FakeSlack

from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.outbox import SENDERS, Outbox
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
    run = open_run(client, sessions, survey_name="all", now=datetime.now(UTC))
    fake.reset_calls()
    fake.rate_limit("chat.postMessage", per_second=args.limit)

    outbox = Outbox(client, sessions, rate=args.rate or None, workers=SENDERS)
    started = time.monotonic()
    sent = outbox.drain(run_id=run.run_id)
    elapsed = time.monotonic() - started

    per_person = collections.Counter(post["channel"] for post in fake.calls_to("chat.postMessage"))
    with sessions() as session:
        unsent = session.exec(select(Delivery).where(Delivery.status != DeliveryStatus.sent)).all()
    floor = args.people / args.limit
    print(
        f"people {args.people}, Slack limit {args.limit}/s, pacing {args.rate or 'none'}/s, {SENDERS} senders"
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
