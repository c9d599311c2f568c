"""GET /metrics on the metrics' own listener: Prometheus' text format, counting what operators watch,
with no person, team, survey or text in any label, no series that moves with one answer, and nothing
on the public Slack port."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk import WebClient

from pulsebot import metrics, scheduling
from pulsebot.slack.publish import open_run
from pulsebot.slack.server import HttpLimits, HttpServer
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.pulse_steps import click_answer, send_retro
from tests.scheduling.conftest import apply

ALLOWED_LABELS = {
    "kind": {"command", "event", "options", "shortcut", "install", "probe", "other"},
    "outcome": {"ok", "failed", "missed", "refused", "retry_later", "no_answer"},
    # Every job the scheduler has, without the survey or workspace an opening job is for.
    "job": {
        metrics.job_label(job)
        for job in [
            *scheduling.SWEEPS,
            scheduling.DIGEST_JOB,
            scheduling.RETENTION_JOB,
            scheduling.OPEN_JOB_PREFIX,
        ]
    },
}


@pytest.fixture
def metrics_url() -> Iterator[str]:
    """The metrics listener as `pulsebot run` serves it by default (no token), on a free port."""
    server = HttpServer(metrics.metrics_app(), host="127.0.0.1", port=0, limits=HttpLimits())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.stop()
    thread.join(timeout=15)


def scrape(base_url: str, **headers: str) -> tuple[str, dict[tuple[str, frozenset], float]]:
    request = urllib.request.Request(f"{base_url}/metrics", headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
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


def test_commands_are_counted_and_timed_by_kind_and_status(metrics_url, slack, sent_pulse, fake_slack):
    _, before = scrape(metrics_url)

    assert slack.command("/pulse", "help", user=TEAM[0]).status == 200
    assert click_answer(slack, sent_pulse, TEAM[1], 4).status == 200
    assert slack.post("command=%2Fpulse&text=help", headers={"X-Slack-Signature": "v0=forged"}).status == 401
    fake_slack.wait_for("response_url")
    text, after = scrape(metrics_url)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("pulsebot_http_requests_total", kind="command", status="200") == 1
    assert grew("pulsebot_http_requests_total", kind="command", status="401") == 1
    assert grew("pulsebot_ack_seconds_count", kind="command") == 2
    assert grew("pulsebot_ack_seconds_bucket", kind="command", le="3.0") == 2
    assert 'kind="action"' not in text  # the answer click: see the next test
    assert "process_resident_memory_bytes" in text


# Series that move with the process itself whatever anyone does, one click lost among the outbox's and
# the scheduler's own polling: CPU time, memory, open files.
PROCESS_WIDE = {
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_open_fds",
}


def moved(before: dict, after: dict) -> list[tuple[str, frozenset, float, float]]:
    return [
        (name, labels, before.get((name, labels), 0.0), figure)
        for (name, labels), figure in after.items()
        if name not in PROCESS_WIDE and figure != before.get((name, labels), 0.0)
    ]


def test_no_series_moves_with_an_answer_click_or_a_comment(
    metrics_url, slack, sent_pulse, sessions, client, settings, fake_slack
):
    """Attack: on a quiet install, scrape just before and just after one person answers and comments."""
    send_retro(sessions, client, settings)
    button = fake_slack.calls_to("chat.postMessage")[-1]["blocks"][3]["elements"][0]
    write_button = {"action_id": button["action_id"], "value": button["value"]}
    fake_slack.reset_calls()
    _, before = scrape(metrics_url)

    assert click_answer(slack, sent_pulse, TEAM[1], 4).status == 200
    fake_slack.wait_for("response_url")
    assert slack.click(**write_button, user=TEAM[2], channel=PULSE_CHANNEL).status == 200
    view = fake_slack.wait_for("views.open")[0]["view"]
    comment = {"comment": {"text": {"type": "plain_text_input", "value": "Fewer meetings on Monday"}}}
    submitted = slack.submit(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        values=comment,
        user=TEAM[2],
    )
    assert submitted.status == 200
    fake_slack.wait_for("chat.postMessage")  # the comment is saved and its author thanked
    _, after = scrape(metrics_url)

    changed = moved(before, after)
    assert changed == [], "\n".join(map(str, changed))


def test_the_slack_port_has_no_metrics(bot_url):
    assert status_of(bot_url) == 404


TOKEN = "scrape-token-0123456789"


def test_with_a_token_set_a_request_without_it_is_refused():
    server = HttpServer(metrics.metrics_app(token=TOKEN), host="127.0.0.1", port=0, limits=HttpLimits())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        refused = [
            status_of(base, **headers)
            for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN})
        ]
        text, _ = scrape(base, Authorization=f"Bearer {TOKEN}")
    finally:
        server.stop()
        thread.join(timeout=15)

    assert refused == [401, 401, 401]
    assert "pulsebot_scheduler_leader" in text


def status_of(base_url: str, path: str = "/metrics", **headers: str) -> int:
    request = urllib.request.Request(f"{base_url}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_metrics_listener_serves_nothing_but_metrics(metrics_url):
    assert status_of(metrics_url, "/slack/events") == 404
    assert status_of(metrics_url, "/healthz") == 404


def test_no_label_names_a_person_a_team_a_survey_or_text(metrics_url, slack, sent_pulse, fake_slack):
    slack.command("/idea", "Call customers back within a day", user=TEAM[0])
    click_answer(slack, sent_pulse, TEAM[1], 2)
    fake_slack.wait_for("response_url", 2)
    text, samples = scrape(metrics_url)

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
    metrics_url, sessions, settings, client: WebClient
):
    _, empty = scrape(metrics_url)
    apply(sessions, DM_SURVEY)
    open_run(
        client, sessions, settings=settings, survey_name="dms", now=datetime.now(UTC)
    )  # no sender runs in this test
    time.sleep(1.1)
    _, waiting = scrape(metrics_url)

    assert value(empty, "pulsebot_outbox_waiting") == 0
    assert value(empty, "pulsebot_outbox_oldest_age_seconds") == 0
    assert value(waiting, "pulsebot_outbox_waiting") == len(TEAM)
    assert value(waiting, "pulsebot_outbox_oldest_age_seconds") >= 1


def test_the_scheduler_reports_leadership_and_job_runs(metrics_url, client, sessions):
    _, before = scrape(metrics_url)
    scheduler = scheduling.start(client=client, sessions=sessions, every=scheduling.timedelta(seconds=1))
    try:
        for _ in range(50):  # 5 s at most for a sweep to run
            _, during = scrape(metrics_url)
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
    assert value(scrape(metrics_url)[1], "pulsebot_scheduler_leader") == 0
