"""Other HTTP servers for benchmarks/ack_latency.py to compare waitress with, `pulsebot run` otherwise
unchanged. Neither is for production.

    python benchmarks/old_server.py wsgiref|gunicorn      (the environment of `pulsebot run`)

wsgiref: as pulsebot served before waitress, the standard library's server with a thread per
connection, no body cap, and the WSGI application as it was (nothing read before Bolt).
gunicorn: one gthread worker with PULSEBOT_HTTP_THREADS threads, the app loaded before the fork. The
outbox sender and the scheduler stay in the arbiter process (the clicks need neither), so this is a
measure of gunicorn serving the clicks, not a way to run pulsebot.
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


class GunicornServer:
    def __init__(
        self, application, *, host: str, port: int, limits: server.HttpLimits, ack_gate=None
    ) -> None:
        from gunicorn.app.base import BaseApplication

        options = {
            "bind": f"{host}:{port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": limits.threads,
            "backlog": 1024,
            "keepalive": 5,
            "loglevel": "warning",
        }

        class Served(BaseApplication):
            def load_config(self) -> None:
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self):
                return application

        self._served = Served()
        self.port = port

    def stop(self) -> None:
        raise KeyboardInterrupt

    def serve(self) -> None:
        self._served.run()


if __name__ == "__main__":
    if sys.argv[1:] == ["gunicorn"]:
        server.HttpServer = GunicornServer
    else:
        server.HttpServer = WsgirefServer
        server.wsgi_app = old_wsgi_app
    from pulsebot.cli import main

    sys.argv = ["pulsebot", "run"]
    main()
