"""The baseline of benchmarks/ack_latency.py: `pulsebot run` served as it was before waitress, by the
standard library's `wsgiref` with a thread per connection and no limits. Not for production.

    python benchmarks/old_server.py      (the environment of `pulsebot run`)
"""

from __future__ import annotations

import logging
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.wsgi import SlackRequestHandler

from pulsebot.slack import server
from pulsebot.slack.acks_first import AckGate


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 1024


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        logging.getLogger(__name__).debug(format, *args)


def old_wsgi_app(app, *, ready, ack_gate=None, max_body=None):
    """The WSGI application as it was: no body cap, nothing read before Bolt, the ack gate around it."""
    slack = SlackRequestHandler(app, path="/slack/events")
    ack_gate = ack_gate or AckGate()

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        with ack_gate.request():
            return slack(environ, start_response)

    return application


class WsgirefServer:
    """What `pulsebot run` needs of its HTTP server (slack/server.py's HttpServer), done by wsgiref."""

    def __init__(
        self, application, *, host: str, port: int, limits: server.HttpLimits, ack_gate=None
    ) -> None:
        self._server = make_server(
            host, port, application, server_class=_ThreadingServer, handler_class=_QuietHandler
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def stop(self) -> None:
        raise KeyboardInterrupt  # from the SIGTERM handler on the serving thread, as it was

    def serve(self) -> None:
        self._server.serve_forever()


if __name__ == "__main__":
    server.HttpServer = WsgirefServer
    server.wsgi_app = old_wsgi_app
    from pulsebot.cli import main

    sys.argv = ["pulsebot", "run"]
    main()
