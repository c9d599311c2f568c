"""`pulsebot web`: serve the web dashboard on its own port (PULSEBOT_WEB_PORT), from the same database as
the bot, with no scheduler and no Slack sender, so pages never compete with Slack's 3-second acks.
`pulsebot run --web` serves it beside the bot, for a small install."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable

from pulsebot import log_privacy, log_setup
from pulsebot.cli.common import fail, reachable, settings_or_fail, upgrade
from pulsebot.config import ConfigError, Settings
from pulsebot.store.db import SessionFactory, make_engine, session_factory

log = logging.getLogger("pulsebot")


def web() -> None:
    """Serve the web dashboard: managers and admins sign in with Slack and read their teams' figures.

    It needs PULSEBOT_WEB_URL (its public https address), the Slack app's client id and secret
    (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, or PULSEBOT_WEB_CLIENT_ID and PULSEBOT_WEB_CLIENT_SECRET with
    SLACK_BOT_TOKEN), and the bot's DATABASE_URL. docs/dashboard.md says how to set it up."""
    try:
        log_format = log_setup.chosen_format()
    except log_setup.LogFormatError as error:
        fail(str(error), code=2)
    with log_setup.configured(log_format):  # put back as it was when serving ends
        _serve_dashboard()


def _serve_dashboard() -> None:
    log_privacy.install()
    settings = settings_or_fail()
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        server = web_server(settings, sessions)
    except ConfigError as error:
        fail(str(error), code=2)
    reachable(settings, engine)
    upgrade(engine, settings)
    stop = threading.Event()

    def stop_serving(_signal, _frame) -> None:
        stop.set()
        server.stop()

    signal.signal(signal.SIGTERM, stop_serving)
    signal.signal(signal.SIGINT, stop_serving)
    log.info("dashboard at %s (listening on :%s)", settings.web_url, server.port)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve()
    finally:
        engine.dispose()
        log.info("dashboard stopped")


def web_server(settings: Settings, sessions: SessionFactory):
    """The dashboard behind waitress on PULSEBOT_WEB_PORT, bound but not serving yet. ConfigError when
    Sign in with Slack cannot be set up; a port that cannot be had stops with one line."""
    from pulsebot.slack.server import HttpLimits, HttpServer
    from pulsebot.web import create_app

    app = create_app(settings, sessions)
    limits = HttpLimits(
        max_body=64 * 1024,
        threads=min(settings.http_threads, 16),
        connections=settings.http_connections,
        timeout=settings.http_timeout,
    )
    try:
        return HttpServer(app, host="0.0.0.0", port=settings.web_port, limits=limits)
    except OSError as error:
        fail(f"cannot listen on port {settings.web_port} (PULSEBOT_WEB_PORT): {error.strerror or error}")


def serve_beside(server) -> Callable[[], None]:
    """Serve the dashboard on a thread of its own (`pulsebot run --web`); how to stop it."""
    thread = threading.Thread(target=server.serve, name="dashboard", daemon=True)
    thread.start()

    def stop() -> None:
        server.stop()
        thread.join(timeout=15)

    return stop
