"""HTTP transport: Slack's requests at POST /slack/events, a health check at GET /healthz, and, serving
several workspaces, Bolt's install pages at GET /slack/install and GET /slack/oauth_redirect."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from pulsebot.slack.acks_first import AckGate

log = logging.getLogger(__name__)


def wsgi_app(app: App, *, healthy: Callable[[], bool], ack_gate: AckGate | None = None) -> Callable:
    slack = SlackRequestHandler(app, path="/slack/events")
    ack_gate = ack_gate or AckGate()

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = healthy()
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"ok\n" if ok else b"database unreachable\n"]
        try:
            with ack_gate.request():  # listeners' after-ack work waits while requests wait for acks
                return slack(environ, start_response)
        except Exception:
            # Bolt raises (rather than answers) on a few payload shapes Slack never sends, e.g. a view
            # without a type; that is a bad request, and the details belong in the log, not the reply.
            log.exception("could not make sense of a request")
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"malformed request\n"]

    return application


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a crowd of clicks arriving at once would see connections
    # refused or retried a second later by the kernel. A thread per request takes them from here.
    request_queue_size = 1024


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def make_http_server(application: Callable, *, host: str = "0.0.0.0", port: int) -> WSGIServer:
    return make_server(host, port, application, server_class=_ThreadingServer, handler_class=_QuietHandler)
