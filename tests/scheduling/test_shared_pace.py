"""One pace per workspace across processes on PostgreSQL: two outboxes draining one fan-out (as two
replicas' senders do) keep Slack's rate together instead of each taking all of it, and a 429 either of
them hears holds both. On SQLite one process sends, with its own pace in memory."""

import collections
import threading
import time
from datetime import UTC, datetime

import pytest

from pulsebot.slack.outbox import Outbox
from pulsebot.slack.pacing import Pacer, SharedPacer
from pulsebot.slack.publish import open_run
from pulsebot.store.db import engine_of
from tests.conftest import PG_URL, PULSE_CHANNEL
from tests.scheduling.conftest import apply

RATE = 16  # posts a second: PULSEBOT_SEND_RATE, a little below the limit
LIMIT = 20  # the fake Slack's: two senders pacing themselves at RATE would post 32 a second


def test_on_sqlite_each_outbox_paces_itself_in_memory(client, sessions, engine):
    outbox = Outbox(client, sessions, rate=RATE)
    expected = SharedPacer if engine.dialect.name == "postgresql" else Pacer
    assert type(outbox.pacer) is expected


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
def test_two_senders_share_slacks_rate_and_draw_no_429(client, sessions, settings, fake_slack):
    people = [f"U{n:04d}" for n in range(60)]
    fake_slack.add_channel(PULSE_CHANNEL, people)
    fake_slack.rate_limit("chat.postMessage", per_second=LIMIT)
    apply(
        sessions, f"name: dm\nchannel: {PULSE_CHANNEL}\ndelivery: dm\nquestions: [{{key: e, kind: enps}}]\n"
    )
    run = open_run(client, sessions, settings=settings, survey_name="dm", now=datetime.now(UTC))
    replicas = [Outbox(client, sessions, rate=RATE, workers=2) for _ in range(2)]

    began = time.monotonic()
    senders = [threading.Thread(target=o.drain, kwargs={"run_id": run.run_id}) for o in replicas]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=60)
    took = time.monotonic() - began

    posts = fake_slack.calls_to("chat.postMessage")
    assert collections.Counter(post["channel"] for post in posts) == dict.fromkeys(people, 1)
    assert fake_slack.calls_to("chat.postMessage:429") == []  # together they stayed within the limit
    assert took >= (len(people) - 1) / RATE * 0.95  # and kept to one pace, not one each


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
def test_a_429_one_sender_hears_holds_the_other_and_lowers_the_pace_once(sessions):
    engine = engine_of(sessions)
    first, second = (SharedPacer(engine, team_id="T0SHARED", rate=40) for _ in range(2))
    first.wait()

    for _ in range(3):  # three posts told "429" at the same moment, by either process
        first.hold(0.5)
    second.hold(0.5)
    began = time.monotonic()
    second.wait()

    assert time.monotonic() - began >= 0.45  # the other process waited the pause out too
    assert first.rate == second.rate == 40 * SharedPacer.BACK_OFF


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
def test_the_shared_pace_creeps_back_and_a_new_setting_is_taken_up(sessions):
    engine = engine_of(sessions)
    pacer = SharedPacer(engine, team_id="T0SHARED", rate=40)
    pacer.hold(0.0)
    lowered = pacer.rate
    assert lowered == 40 * SharedPacer.BACK_OFF
    with engine.begin() as connection:  # ten seconds' worth of clean posts
        connection.exec_driver_sql("UPDATE send_pace SET clean = 400, next_slot = 0")
    pacer.wait()
    assert lowered < pacer.rate <= 40

    SharedPacer(engine, team_id="T0SHARED", rate=10)  # PULSEBOT_SEND_RATE lowered, a process restarted
    assert pacer.rate == 10
