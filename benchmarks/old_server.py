"""The baseline of benchmarks/ack_latency.py: `pulsebot run` served as it was before waitress, by the
standard library's `wsgiref` with a thread per connection and no limits. Not for production.

    python benchmarks/old_server.py      (the environment of `pulsebot run`)
"""

from __future__ import annotations

import logging
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from pulsebot.slack import server


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 1024


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        logging.getLogger(__name__).debug(format, *args)


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
    from pulsebot.cli import main

    sys.argv = ["pulsebot", "run"]
    main()
