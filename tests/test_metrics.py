"""GET /metrics: Prometheus' text format, counting what operators watch, with no person, team, survey
or text in any label."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk import WebClient

from pulsebot import metrics, scheduling
from pulsebot.slack.publish import open_run
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.pulse_steps import click_answer
from tests.scheduling.conftest import apply

ALLOWED_LABELS = {
    "kind": {"command", "action", "view", "event", "options", "shortcut", "install", "probe", "other"},
    "outcome": {"ok", "failed", "missed", "refused", "retry_later", "no_answer"},
    "job": {
        "pulse-open",
        "pulse-remind",
        "pulse-close",
        "pulse-sync",
        "seen-cleanup",
        "reply-relay",
        "digest-send",
        "retention",
    },
}


def scrape(base_url: str) -> tuple[str, dict[tuple[str, frozenset], float]]:
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = response.read().decode()
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_and_acks_are_counted_by_kind_and_status(bot_url, slack, sent_pulse, fake_slack):
    _, before = scrape(bot_url)

    assert slack.command("/pulse", "help", user=TEAM[0]).status == 200
    assert click_answer(slack, sent_pulse, TEAM[1], 4).status == 200
    assert slack.post("command=%2Fpulse&text=help", headers={"X-Slack-Signature": "v0=forged"}).status == 401
    fake_slack.wait_for("response_url")
    text, after = scrape(bot_url)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("pulsebot_http_requests_total", kind="command", status="200") == 1
    assert grew("pulsebot_http_requests_total", kind="action", status="200") == 1
    assert grew("pulsebot_http_requests_total", kind="command", status="401") == 1
    assert grew("pulsebot_ack_seconds_count", kind="command") == 2
    assert grew("pulsebot_ack_seconds_bucket", kind="action", le="3.0") == 1
    assert "process_resident_memory_bytes" in text


def test_no_label_names_a_person_a_team_a_survey_or_text(bot_url, slack, sent_pulse, fake_slack):
    slack.command("/idea", "Call customers back within a day", user=TEAM[0])
    click_answer(slack, sent_pulse, TEAM[1], 2)
    fake_slack.wait_for("response_url", 2)
    text, samples = scrape(bot_url)

    for name, labels in samples:
        if not name.startswith("pulsebot_"):
            continue
        for label, label_value in labels:
            if label in ("le", "status"):
                continue
            assert label_value in ALLOWED_LABELS[label], (name, label, label_value)
    for private in (*TEAM, "T0ACME", "team-pulse", "Call customers"):
        assert private not in text


@pytest.fixture
def watched_outbox(sessions) -> Iterator[None]:
    metrics.watch_outbox(sessions)
    yield
    metrics.unwatch_outbox()


DM_SURVEY = f"""\
surveys:
  - name: dms
    channel: {PULSE_CHANNEL}
    delivery: dm
    questions: [{{key: enps, kind: enps}}]
"""


@pytest.mark.usefixtures("watched_outbox")
def test_the_outbox_backlog_and_its_oldest_message_are_reported(
    bot_url, sessions, settings, client: WebClient
):
    _, empty = scrape(bot_url)
    apply(sessions, DM_SURVEY)
    open_run(
        client, sessions, settings=settings, survey_name="dms", now=datetime.now(UTC)
    )  # no sender runs in this test
    time.sleep(1.1)
    _, waiting = scrape(bot_url)

    assert value(empty, "pulsebot_outbox_waiting") == 0
    assert value(empty, "pulsebot_outbox_oldest_age_seconds") == 0
    assert value(waiting, "pulsebot_outbox_waiting") == len(TEAM)
    assert value(waiting, "pulsebot_outbox_oldest_age_seconds") >= 1


def test_the_scheduler_reports_leadership_and_job_runs(bot_url, client, sessions):
    _, before = scrape(bot_url)
    scheduler = scheduling.start(client=client, sessions=sessions, every=scheduling.timedelta(seconds=1))
    try:
        for _ in range(50):  # 5 s at most for a sweep to run
            _, during = scrape(bot_url)
            ran = value(during, "pulsebot_job_runs_total", job="pulse-remind", outcome="ok")
            if ran > value(before, "pulsebot_job_runs_total", job="pulse-remind", outcome="ok"):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("no sweep ran")
        assert value(during, "pulsebot_scheduler_leader") == 1
    finally:
        scheduler.shutdown(wait=True)
        scheduling.install(None)
    assert value(scrape(bot_url)[1], "pulsebot_scheduler_leader") == 0
