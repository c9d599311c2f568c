"""`pulsebot run` as a real process: HTTP mode serves signed requests; an app token selects Socket Mode."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import version

import pytest

from tests.conftest import CHILD_PYTHONPATH, SIGNING_SECRET
from tests.slack_requests import SlackRequests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_bot(cli_env, tmp_path):
    processes = []

    def start(**extra: str) -> subprocess.Popen:
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": CHILD_PYTHONPATH, **cli_env}
        env.update(extra)
        process = subprocess.Popen(
            [sys.executable, "-m", "pulsebot", "run"],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.kill()
        process.wait()


def wait_until(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("timed out")


def wait_healthy(port: int) -> None:
    wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).status == 200)


def test_http_mode_answers_health_checks_and_signed_commands(start_bot, fake_slack):
    port = free_port()
    start_bot(PULSEBOT_PORT=str(port))

    wait_healthy(port)
    slack = SlackRequests(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, fake_slack.response_url())
    reply = slack.command("/pulse", "privacy", user="U0ALICE")

    assert reply.status == 200 and "*Who can learn what*" in reply.text
    assert fake_slack.calls_to("auth.test"), "the bot token is checked at start"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as ready:
        assert (ready.status, ready.read()) == (200, b"ready\n")


def test_an_app_token_selects_socket_mode(start_bot, fake_slack):
    start_bot(SLACK_APP_TOKEN="xapp-test-token")

    fake_slack.wait_for("apps.connections.open", timeout=20)

    assert next(c.token for c in fake_slack.calls if c.method == "apps.connections.open") == "xapp-test-token"


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_sigterm_stops_it_cleanly(start_bot, fake_slack, mode):
    """How containers and systemd stop a service: it winds down and exits 0, with no traceback."""
    if mode == "http":
        port = free_port()
        process = start_bot(PULSEBOT_PORT=str(port))
        wait_healthy(port)
    else:
        process = start_bot(SLACK_APP_TOKEN="xapp-test-token")
        fake_slack.wait_for("apps.connections.open", timeout=20)

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=20) == 0
    log = process.stderr.read()
    assert "stopped" in log and "Traceback" not in log
    assert "will be unused" not in log  # Bolt's warning about the token it read from the environment


def test_metrics_are_served_on_their_own_listener_on_this_machine_only(start_bot):
    port, metrics_port = free_port(), free_port()
    process = start_bot(PULSEBOT_PORT=str(port), PULSEBOT_METRICS_PORT=str(metrics_port))

    wait_healthy(port)
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as scraped:
        assert scraped.status == 200 and b"pulsebot_scheduler_leader" in scraped.read()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)
        public = 200
    except urllib.error.HTTPError as error:
        public = error.code
    assert public == 404  # nothing of it on the Slack port
    # Bound to 127.0.0.1 itself, not every address: another loopback address finds nothing there.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", metrics_port), timeout=2).close()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert f"metrics at http://127.0.0.1:{metrics_port}/metrics (this machine only)" in process.stderr.read()


def test_the_log_says_once_what_runs_and_stays_quiet_while_idle(start_bot, fake_slack, cli_env):
    """One start-up line names the version, workspace, mode and database; the scheduler's runs and the
    readiness probes add nothing at INFO."""
    port = free_port()
    process = start_bot(PULSEBOT_PORT=str(port), PULSEBOT_SWEEP_SECONDS="1")
    wait_healthy(port)
    for _ in range(3):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as ready:
            assert ready.status == 200
    time.sleep(3)  # three sweeps of the scheduler and the outbox

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    lines = process.stderr.read().splitlines()

    summary = [line for line in lines if " serving " in line]
    assert len(summary) == 1, lines
    assert summary[0].endswith(
        f"INFO pulsebot: pulsebot {version('pulsebot')} serving the workspace Acme (T0ACME) over HTTP on "
        f":{port}; database {cli_env['DATABASE_URL']} (schema revision {current_revision()})"
    )
    assert not [line for line in lines if " apscheduler" in line or " alembic" in line]
    assert len(lines) <= 6, lines  # the summary, listening, and stopping


def test_logs_can_be_json_lines_for_a_log_shipper(start_bot, fake_slack):
    process = start_bot(SLACK_APP_TOKEN="xapp-test-token", PULSEBOT_LOG_FORMAT="json")
    fake_slack.wait_for("apps.connections.open", timeout=20)

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    entries = [json.loads(line) for line in process.stderr.read().splitlines()]

    summary = next(entry for entry in entries if " serving " in entry["message"])
    assert summary["level"] == "INFO" and summary["logger"] == "pulsebot"
    assert "over Socket Mode" in summary["message"]
    assert entries[-1]["message"] == "stopped"


def test_an_unknown_log_format_is_one_line(start_bot):
    process = start_bot(PULSEBOT_LOG_FORMAT="xml")

    assert process.wait(timeout=20) == 2
    assert (
        process.stderr.read()
        == "pulsebot: PULSEBOT_LOG_FORMAT: “xml” is not a log format; use text or json\n"
    )


def current_revision() -> str:
    from pulsebot.store.migrate import _shipped_heads

    (head,) = _shipped_heads()
    return head
