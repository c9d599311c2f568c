"""The HTTP transport, through real sockets on 127.0.0.1: liveness and readiness, the body cap, slow and
idle clients, and a graceful stop. Every loop here is bounded in count and time."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine

from pulsebot.slack.acks_first import AckGate
from pulsebot.slack.app import create_app
from pulsebot.slack.server import HttpLimits, HttpServer, Readiness, wsgi_app
from pulsebot.store.db import make_engine
from tests.conftest import SIGNING_SECRET, serving_app
from tests.slack_requests import SlackRequests


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@contextmanager
def serving(application: Callable, **limits) -> Iterator[HttpServer]:
    server = HttpServer(application, host="127.0.0.1", port=0, limits=HttpLimits(**limits))
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=15)
        assert not thread.is_alive()


def raw_request(port: int, head: bytes, *, wait: float = 5.0) -> bytes:
    """Send `head` as it is and read what comes back until the server closes or `wait` passes."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        connection.sendall(head)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except TimeoutError:
            pass
        return received


def test_healthz_and_readyz_answer_while_all_is_well(bot_url):
    assert get(f"{bot_url}/healthz") == (200, "ok\n")
    assert get(f"{bot_url}/readyz") == (200, "ready\n")


def test_readyz_is_503_when_the_database_is_unreachable_while_healthz_stays_200(settings, sessions, client):
    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    app = create_app(settings, sessions=sessions, client=client)
    with serving(wsgi_app(app, ready=Readiness(dead, slack_checked=True).problems)) as server:
        base = f"http://127.0.0.1:{server.port}"
        assert get(f"{base}/readyz") == (503, "database unreachable\n")
        assert get(f"{base}/healthz") == (200, "ok\n")


def test_readyz_names_a_schema_behind_and_a_token_not_yet_checked(settings, sessions, client, tmp_path):
    empty = make_engine(f"sqlite:///{tmp_path}/empty.db")
    app = create_app(settings, sessions=sessions, client=client)
    with serving(wsgi_app(app, ready=Readiness(empty).problems)) as server:
        status, text = get(f"http://127.0.0.1:{server.port}/readyz")
    assert status == 503
    assert text == "database schema not current (pulsebot db upgrade)\nSlack token not checked yet\n"


def test_readyz_says_stopping_once_a_stop_was_asked_for(settings, sessions, client, engine):
    app = create_app(settings, sessions=sessions, client=client)
    readiness = Readiness(engine, slack_checked=True)
    with serving(wsgi_app(app, ready=readiness.problems)) as server:
        base = f"http://127.0.0.1:{server.port}"
        assert get(f"{base}/readyz") == (200, "ready\n")
        readiness.stopping = True  # what SIGTERM sets, before the server stops taking connections
        assert get(f"{base}/readyz") == (503, "stopping\n")


def test_other_paths_are_404(bot_url):
    assert get(f"{bot_url}/slack/install")[0] == 404


def recording_app(calls: list[str], *, takes: float = 0.0) -> Callable:
    """A WSGI application that notes each request it is handed (and can take its time answering)."""

    def application(environ, start_response):
        calls.append(environ["PATH_INFO"])
        time.sleep(takes)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"done\n"]

    return application


def test_a_body_over_the_cap_is_refused_413_from_its_headers_before_the_application_sees_it():
    calls: list[str] = []
    with serving(recording_app(calls), max_body=1 << 20) as server:
        head = (
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\npayload=" % (40 << 20)
        )
        began = time.monotonic()
        answer = raw_request(server.port, head)  # 40 MiB announced, 8 bytes sent

        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
        assert time.monotonic() - began < 3, "answered from the headers, not after waiting for the body"
        assert calls == []


def test_a_body_over_the_cap_is_refused_by_the_app_itself_too(settings, sessions, client, engine):
    """Served by anything else, the app keeps the cap: a signed but oversized request is not handled."""
    app = create_app(settings, sessions=sessions, client=client)
    application = wsgi_app(app, ready=Readiness(engine).problems, max_body=2048)
    with serving(application, max_body=1 << 20) as server:
        slack = SlackRequests(f"http://127.0.0.1:{server.port}/slack/events", SIGNING_SECRET, "")
        reply = slack.command("/pulse", "help " + "x" * 4096, user="U0ALICE")
    assert reply.status == 413


def test_a_request_trickling_in_is_cut_off_and_others_are_answered_meanwhile(
    settings, sessions, engine, client, sender, fake_slack
):
    """Slowloris: a byte now and then keeps a connection active, but not past the read timeout
    (PULSEBOT_HTTP_TIMEOUT, 10 s by default; 2 s here, still four times a byte's interval)."""
    limits = HttpLimits(timeout=2)
    with serving_app(settings, sessions, engine, client=client, sender=sender, limits=limits) as bot_url:
        port = int(bot_url.rsplit(":", 1)[1])
        head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
        with socket.create_connection(("127.0.0.1", port), timeout=2) as slow:
            slow.sendall(head)
            slack = SlackRequests(f"{bot_url}/slack/events", SIGNING_SECRET, fake_slack.response_url())
            began = time.monotonic()
            assert slack.command("/pulse", "privacy", user="U0ALICE").status == 200
            assert time.monotonic() - began < 1.0, "a stalled body holds nothing another request needs"
            closed_after = None
            for _ in range(20):  # a byte every half second, 10 s at most
                try:
                    slow.sendall(b"a")
                    time.sleep(0.5)
                except OSError:
                    closed_after = time.monotonic() - began
                    break
    assert closed_after is not None and limits.timeout <= closed_after < limits.timeout + 4


def test_idle_connections_hold_no_thread(settings, sessions, client, engine, fake_slack):
    app = create_app(settings, sessions=sessions, client=client)
    application = wsgi_app(app, ready=Readiness(engine).problems)
    with serving(application, threads=2, connections=100) as server:
        idle = [socket.create_connection(("127.0.0.1", server.port), timeout=2) for _ in range(40)]
        try:
            slack = SlackRequests(
                f"http://127.0.0.1:{server.port}/slack/events", SIGNING_SECRET, fake_slack.response_url()
            )
            replies = [slack.command("/pulse", "privacy", user="U0ALICE") for _ in range(3)]
        finally:
            for connection in idle:
                connection.close()
    assert [reply.status for reply in replies] == [200, 200, 200]


def test_idle_connections_are_closed_after_the_timeout():
    with (
        serving(recording_app([]), timeout=1) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=6) as idle,
    ):
        began = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server
        assert time.monotonic() - began < 5


def test_stop_answers_the_requests_in_hand_then_refuses_new_connections():
    calls: list[str] = []
    server = HttpServer(recording_app(calls, takes=1.0), host="127.0.0.1", port=0, limits=HttpLimits())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    answers: list[tuple[int, str]] = []
    in_flight = threading.Thread(target=lambda: answers.append(get(f"http://127.0.0.1:{server.port}/x")))
    in_flight.start()
    for _ in range(100):  # until the application holds the request (5 s at most)
        if calls:
            break
        time.sleep(0.05)
    server.stop()
    in_flight.join(timeout=10)
    thread.join(timeout=15)

    assert answers == [(200, "done\n")]
    assert not thread.is_alive()
    try:
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        refused = False
    except OSError:
        refused = True
    assert refused


def test_requests_waiting_for_a_server_thread_hold_back_work_after_acks():
    """A request read whole but waiting for a thread is waiting for its ack too (acks_first.py)."""
    gate = AckGate()
    server = HttpServer(
        recording_app([], takes=1.0), host="127.0.0.1", port=0, limits=HttpLimits(threads=1), ack_gate=gate
    )
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    clients = [threading.Thread(target=get, args=(f"http://127.0.0.1:{server.port}/{n}",)) for n in range(2)]
    for client in clients:
        client.start()
    seen = []
    for _ in range(40):  # 2 s at most
        seen.append(gate.queued())
        time.sleep(0.05)
    for client in clients:
        client.join(timeout=5)
    server.stop()
    thread.join(timeout=15)

    assert 1 in seen and seen[-1] == 0
