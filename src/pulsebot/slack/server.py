"""HTTP transport: Slack's requests at POST /slack/events, liveness at GET /healthz, readiness at GET
/readyz, and, serving several workspaces, Bolt's install pages at GET /slack/install and GET
/slack/oauth_redirect; served by waitress (README, "Serving HTTP", says why waitress). No /metrics here:
the metrics have a listener of their own (metrics.py), off the public port.

waitress reads each request, headers and body, on its one I/O thread, and hands it to a worker thread
only once it is complete: a client that sends slowly, or not at all, holds a connection, never a thread
nor the ack gate. On top of waitress's own limits (a body over PULSEBOT_MAX_BODY_BYTES is answered 413
from its Content-Length, before anything is read or parsed; connections and threads are bounded; idle
connections are closed) a request must arrive whole within PULSEBOT_HTTP_TIMEOUT seconds of its first
byte, however steadily it trickles in.
"""

from __future__ import annotations

import contextlib
import io
import logging
import resource
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import parse_body
from sqlalchemy import Engine
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from pulsebot import metrics
from pulsebot.slack.acks_first import AckGate
from pulsebot.store.db import database_reachable
from pulsebot.store.migrate import migrations_current

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 10.0  # seconds for the requests in hand to finish after SIGTERM


@dataclass
class Readiness:
    """What GET /readyz reports: may a load balancer send this process requests?"""

    engine: Engine
    slack_checked: bool = False  # set once the token(s) were checked with Slack at start-up
    stopping: bool = False  # set on SIGTERM: the balancer should send requests elsewhere

    def problems(self) -> list[str]:
        if self.stopping:
            return ["stopping"]
        if not database_reachable(self.engine):
            return ["database unreachable"]
        found = []
        if not migrations_current(self.engine):
            found.append("database schema not current (pulsebot db upgrade)")
        if not self.slack_checked:
            found.append("Slack token not checked yet")
        return found


def _plain(start_response: Callable, status: str, text: str) -> list[bytes]:
    body = text.encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]


def wsgi_app(
    app: App,
    *,
    ready: Callable[[], list[str]],
    ack_gate: AckGate | None = None,
    max_body: int = 1 << 20,
) -> Callable:
    slack = SlackRequestHandler(app, path="/slack/events")
    ack_gate = ack_gate or AckGate()

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if method in ("GET", "HEAD") and path in ("/healthz", "/readyz"):
            return _counted(_probe(path, ready, start_response), "probe", start_response)
        # The server refuses longer bodies already; this keeps the cap when the app is served otherwise.
        if _content_length(environ) > max_body:
            return _plain(start_response, "413 Request Entity Too Large", "request body too large\n")
        kind = "install" if path and path.startswith("/slack/") and method == "GET" else "other"
        if path == "/slack/events" and method == "POST":
            kind = _slack_kind(environ)
        counting = _Counting(start_response)
        began = time.perf_counter()
        try:
            with ack_gate.request():  # listeners' after-ack work waits while requests wait for acks
                return slack(environ, counting)
        except Exception:
            # Bolt raises (rather than answers) on a few payload shapes Slack never sends, e.g. a view
            # without a type; that is a bad request, and the details belong in the log, not the reply.
            log.exception("could not make sense of a request")
            return _plain(counting, "400 Bad Request", "malformed request\n")
        finally:
            if kind not in metrics.UNMETERED:  # never answer clicks nor forms: see metrics.UNMETERED
                if kind != "install":
                    metrics.ACK_SECONDS.labels(kind).observe(time.perf_counter() - began)
                metrics.REQUESTS.labels(kind, counting.code).inc()

    return application


def _probe(path: str, ready: Callable[[], list[str]], start_response: Callable) -> tuple[str, bytes]:
    if path == "/healthz":
        return "200 OK", b"ok\n"  # alive: the process answers
    found = ready()
    if found:
        return "503 Service Unavailable", ("\n".join(found) + "\n").encode()
    return "200 OK", b"ready\n"


def _counted(answer: tuple[str, bytes], kind: str, start_response: Callable) -> list[bytes]:
    status, body = answer
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    metrics.REQUESTS.labels(kind, status[:3]).inc()
    return [body]


class _Counting:
    """Passes start_response through, noting the status code for the metrics."""

    def __init__(self, start_response: Callable) -> None:
        self.start_response, self.code = start_response, "000"

    def __call__(self, status: str, headers: list, exc_info=None):
        self.code = status[:3]
        return self.start_response(status, headers, exc_info)


def _slack_kind(environ: dict) -> str:
    """The kind of Slack request (a metrics label), from a body already known to be within the cap;
    the body is put back for Bolt to read."""
    raw = environ["wsgi.input"].read(_content_length(environ))
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        return metrics.slack_kind(parse_body(raw.decode("utf-8", "replace"), environ.get("CONTENT_TYPE")))
    except (ValueError, AttributeError):  # not JSON, or JSON that is not an object: Bolt answers it
        return "other"


def _content_length(environ: dict) -> int:
    try:
        return max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class _DeadlineChannel(HTTPChannel):
    """A connection that notes when the request it is reading began to arrive."""

    reading_since = 0.0

    def received(self, data: bytes) -> bool:
        if data and self.request is None:
            self.reading_since = time.time()
        return super().received(data)


class _Server(TcpWSGIServer):
    channel_class = _DeadlineChannel
    read_timeout = 10.0

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # closes connections idle for longer than channel_timeout
        cutoff = now - self.read_timeout
        for channel in list(self.active_channels.values()):
            if channel.request is not None and channel.reading_since < cutoff:
                channel.will_close = True  # a request still arriving after read_timeout: slowloris


class _SharedPortServer(_Server):
    """Listens on a port other processes listen on too (SO_REUSEPORT): the kernel hands each new
    connection to one of them."""

    def set_reuse_addr(self) -> None:
        super().set_reuse_addr()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)


@dataclass
class HttpLimits:
    max_body: int = 1 << 20
    threads: int = 32
    connections: int = 1000
    timeout: float = 10.0
    shared_port: bool = False  # PULSEBOT_REUSE_PORT: other processes may listen on the same port


def _allow_open_files(wanted: int) -> None:
    """Raise this process's soft limit on open files (often 1,024) toward `wanted`, within the hard
    limit: idle connections cost no thread here, so a bound of file descriptors is what is left."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        if new_soft < wanted:
            log.warning("open files limited to %d: fewer connections than configured can be served", new_soft)


class HttpServer:
    """waitress, run on the calling thread until `stop()`: then no new connection is accepted, the
    requests in hand get up to SHUTDOWN_GRACE seconds to be answered, and `serve()` returns."""

    def __init__(
        self,
        application: Callable,
        *,
        host: str,
        port: int,
        limits: HttpLimits,
        ack_gate: AckGate | None = None,
    ) -> None:
        self.adjustments = Adjustments(
            host=host,
            port=port,
            ident="pulsebot",
            threads=limits.threads,
            connection_limit=limits.connections,
            channel_timeout=int(max(1, limits.timeout)),
            cleanup_interval=int(max(1, min(limits.timeout / 2, 30))),
            max_request_body_size=limits.max_body,
            max_request_header_size=64 * 1024,
            backlog=1024,  # a crowd of clicks at once is queued by the kernel, not refused
            expose_tracebacks=False,
        )
        _allow_open_files(limits.connections + 256)  # the connections, the database's, Slack's, logs
        self._map: dict = {}
        self._dispatcher = ThreadedTaskDispatcher()
        self._dispatcher.set_thread_count(limits.threads)
        server_class = _SharedPortServer if limits.shared_port else _Server
        self._server = server_class(application, self._map, dispatcher=self._dispatcher, adj=self.adjustments)
        self._server.read_timeout = limits.timeout
        if ack_gate is not None:  # requests read but waiting for a thread wait for their acks too
            ack_gate.queued = lambda: len(self._dispatcher.queue)
        self._stop = threading.Event()
        self._serving_thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.effective_port

    def stop(self) -> None:
        """Safe from a signal handler: the serving loop notices within a fraction of a second."""
        self._stop.set()
        if threading.current_thread() is not self._serving_thread:  # never wake it from inside itself
            # Only to wake it sooner: its loop looks at the flag at least every 0.2 s anyway, so a
            # trigger already closed (the loop ended) is no matter.
            with contextlib.suppress(OSError):
                self._server.pull_trigger()

    def serve(self) -> None:
        self._serving_thread = threading.current_thread()
        while not self._stop.is_set():
            wasyncore.loop(timeout=0.2, map=self._map, use_poll=True, count=1)
        self._server.accepting = False
        wasyncore.dispatcher.close(self._server)  # the listening socket only; the channels go on
        deadline = time.monotonic() + SHUTDOWN_GRACE
        while self._in_hand() and time.monotonic() < deadline:
            wasyncore.loop(timeout=0.05, map=self._map, use_poll=True, count=1)
        # Let the threads end before their connections and the trigger are closed under them.
        self._dispatcher.shutdown(cancel_pending=True, timeout=max(1.0, deadline - time.monotonic()))
        self._server.trigger.close()
        wasyncore.close_all(self._map)

    def _in_hand(self) -> bool:
        """Is a request still being answered, or an answer still being sent?"""
        return any(
            channel.requests or channel.total_outbufs_len
            for channel in list(self._map.values())
            if isinstance(channel, HTTPChannel)
        )
