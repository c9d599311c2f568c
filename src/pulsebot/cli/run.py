"""`pulsebot run`: serve Slack over Socket Mode or HTTP, send the outbox, and (on one replica) schedule."""

import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from importlib.metadata import version
from typing import Annotated

import typer
from slack_sdk.errors import SlackApiError, SlackRequestError

from pulsebot import log_privacy, log_setup, metrics
from pulsebot.cli.common import fail, reachable, settings_or_fail, upgrade
from pulsebot.config import ConfigError
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, session_factory

log = logging.getLogger("pulsebot")


def run(
    web: Annotated[
        bool,
        typer.Option("--web", help="Serve the web dashboard too, on PULSEBOT_WEB_PORT (docs/dashboard.md)."),
    ] = False,
) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PULSEBOT_PORT.

    It reads its settings from the environment. One workspace needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET
    (for HTTP) and PULSEBOT_ANON_KEY; several workspaces need SLACK_CLIENT_ID, SLACK_CLIENT_SECRET,
    SLACK_SIGNING_SECRET, PULSEBOT_TOKEN_KEY and PULSEBOT_ANON_KEY instead of the bot token. DATABASE_URL
    defaults to sqlite:///pulsebot.db. docs/configuration.md lists every setting."""
    try:
        log_format = log_setup.chosen_format()
    except log_setup.LogFormatError as error:
        fail(str(error), code=2)
    # Logging, the signal handlers and the metrics registry belong to the process: they are put back as
    # they were when serving ends, so a process that ran pulsebot (a test, a program) goes on as before.
    with log_setup.configured(log_format), _signal_handlers_kept():
        try:
            _run(web=web)
        finally:
            metrics.unwatch_outbox()  # it reads through an engine disposed of by now


@contextlib.contextmanager
def _signal_handlers_kept() -> Iterator[None]:
    kept = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in kept.items():
            if handler is not None:  # None: set outside Python, which cannot be put back
                signal.signal(number, handler)


def _run(*, web: bool) -> None:
    from pulsebot.services.pulse.answer_mixer import AnswerMixer
    from pulsebot.slack.acks_first import AckGate
    from pulsebot.slack.app import create_app, make_client, make_sender, warm_listeners
    from pulsebot.slack.installations import installed_workspaces
    from pulsebot.slack.server import Readiness
    from pulsebot.slack.workspaces import SingleWorkspace

    log_privacy.install()  # before anything logs: no record pairs a Slack user id with what they wrote
    settings = settings_or_fail()
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        settings.require_serving()  # one line naming every missing or clashing variable
        settings.require_metrics()
        settings.require_shared_port()
        _check_port(settings)
        client = make_client(settings)
        workspaces = installed_workspaces(settings, engine) if settings.oauth else SingleWorkspace(client)
        ack_gate = AckGate()
        sender = make_sender(settings, sessions=sessions, workspaces=workspaces)
        mixer = AnswerMixer(sessions, window=settings.mix_seconds)
        app = create_app(
            settings,
            sessions=sessions,
            client=client,
            workspaces=workspaces,
            sender=sender,
            ack_gate=ack_gate,
            mixer=mixer,
            listener_executor=warm_listeners(),
        )
        dashboard = _dashboard(settings, sessions) if web else None
    except ConfigError as error:
        fail(str(error), code=2)
    # Nothing is created or changed before Slack and the database have answered (connecting to an
    # SQLite file that is not there creates it).
    if not settings.oauth:
        served = _check_bot_token(settings, app)
    reachable(settings, engine)
    upgrade(engine, settings)
    if settings.oauth:
        served = _check_installed_tokens(workspaces.store)
    log.info("%s", _summary(settings, engine, served))
    readiness = Readiness(engine, slack_checked=True)
    metrics.watch_outbox(sessions)
    metrics_server = _metrics_listener(settings)  # bound now: a port taken stops start-up in one line
    # Containers and systemd stop a service with SIGTERM: treat it as Ctrl-C, so the scheduler, the
    # answers waiting for their batch and the outbox wind down, and the scheduler's lock goes to
    # another replica at once.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sender.start()  # every process drains the outbox; claims keep them from posting anything twice
    stop_scheduler = _start_scheduler(settings, engine, workspaces, sender)
    stop_metrics = _serve_metrics(settings, metrics_server)
    stop_dashboard = _serve_dashboard(settings, dashboard)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            _serve(settings, app, ack_gate, readiness)
    finally:
        log.info("stopping")
        stop_dashboard()
        stop_metrics()
        stop_scheduler()
        mixer.stop()  # the answers still in their window are written, and thanked for
        sender.stop()
        engine.dispose()
        log.info("stopped")


def _dashboard(settings, sessions):
    from pulsebot.cli.web import web_server

    return web_server(settings, sessions)


def _serve_dashboard(settings, server) -> Callable[[], None]:
    """`--web`: the dashboard on its own thread and port. Returns how to stop it."""
    if server is None:
        return lambda: None
    from pulsebot.cli.web import serve_beside

    log.info("dashboard at %s (listening on :%s)", settings.web_url, server.port)
    return serve_beside(server)


def _check_port(settings) -> None:
    """Serving HTTP, a port another process holds is found before anything is created or migrated. The
    probe binds as waitress does (reusing an address in TIME_WAIT), so it fails only where waitress would."""
    if settings.slack_app_token is not None:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if settings.reuse_port:  # other pulsebot processes may hold it with SO_REUSEPORT too
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            probe.bind(("0.0.0.0", settings.port))
        except OSError as error:  # the port is taken, or not ours to take
            fail(f"cannot listen on port {settings.port} (PULSEBOT_PORT): {error.strerror or error}")


def _summary(settings, engine, served: str) -> str:
    """The one start-up line: the version, the workspace(s), the mode, the database (without its
    password) and its schema revision."""
    mode = "Socket Mode" if settings.slack_app_token is not None else f"HTTP on :{settings.port}"
    database = engine.url.render_as_string(hide_password=True)
    return (
        f"pulsebot {version('pulsebot')} serving {served} over {mode}; "
        f"database {database} (schema revision {migrate.current_revision(engine)})"
    )


def _check_bot_token(settings, app) -> str:
    """Check SLACK_BOT_TOKEN with Slack; the workspace it belongs to, as the start-up line names it."""
    try:
        # slack_sdk logs each failed try of its retries; the one line below says all of it.
        with log_setup.quieter("slack_sdk", logging.CRITICAL):
            answer = app.client.auth_test()
    except SlackApiError as error:
        fail(f"Slack refused SLACK_BOT_TOKEN: {error.response.get('error')}; nothing was changed", code=2)
    except (OSError, SlackRequestError) as error:  # URLError, refused, timed out, name not found
        reason = getattr(error, "reason", None) or error
        fail(f"cannot reach Slack at {settings.slack_api_url} ({reason}); nothing was changed")
    return f"the workspace {answer.get('team')} ({answer.get('team_id')})"


def _check_installed_tokens(store) -> str:
    """Serving several workspaces, each has its own token: there is none to check with Slack, but the
    stored ones must open with PULSEBOT_TOKEN_KEY, or every request would fail."""
    from pulsebot.store.installations import TokenKeyError

    try:
        teams = store.team_ids()
        for team_id in teams:
            store.find_team_bot(team_id)
    except TokenKeyError as error:
        fail(str(error), code=2)
    installed = ", ".join(teams) or "none yet"
    return f"{len(teams)} installed workspace(s) ({installed}; more install at /slack/install)"


def _metrics_listener(settings):
    """The metrics' own listener, bound but not serving yet; None when PULSEBOT_METRICS_PORT is 0."""
    if not settings.metrics_port:
        return None
    from pulsebot.slack.server import HttpLimits, HttpServer

    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    # A scraper or two: a few threads and connections, small bodies (a GET has none).
    limits = HttpLimits(max_body=1024, threads=2, connections=32, timeout=settings.http_timeout)
    try:
        return HttpServer(
            metrics.metrics_app(token=token),
            host=settings.metrics_host,
            port=settings.metrics_port,
            limits=limits,
        )
    except OSError as error:  # the port is taken, or the host is not this machine's
        fail(
            f"cannot serve metrics on {settings.metrics_host}:{settings.metrics_port} "
            f"(PULSEBOT_METRICS_HOST, PULSEBOT_METRICS_PORT): {error.strerror or error}"
        )


def _serve_metrics(settings, server) -> Callable[[], None]:
    """Serve GET /metrics on its own thread, in Socket Mode as over HTTP. Returns how to stop it."""
    if server is None:
        log.info("metrics off (PULSEBOT_METRICS_PORT=0)")
        return lambda: None
    thread = threading.Thread(target=server.serve, name="metrics", daemon=True)
    thread.start()
    guard = "a bearer token required" if settings.metrics_token else "this machine only"
    log.info("metrics at http://%s:%s/metrics (%s)", settings.metrics_host, server.port, guard)

    def stop() -> None:
        server.stop()
        thread.join(timeout=15)

    return stop


def _start_scheduler(settings, engine, workspaces, sender) -> Callable[[], None]:
    """Open, remind and close pulses on time: here on SQLite, on one replica of many on PostgreSQL
    (whichever holds the lock), nowhere with PULSEBOT_SCHEDULER=false. Returns how to stop it."""
    if not settings.scheduler:
        log.info("scheduler off (PULSEBOT_SCHEDULER=false)")
        return lambda: None
    from pulsebot import scheduling
    from pulsebot.leadership import SchedulerLeader

    def start():
        every = timedelta(seconds=settings.sweep_seconds)
        return scheduling.start(
            workspaces=workspaces,
            sessions=session_factory(engine),
            settings=settings,
            sender=sender,
            every=every,
        )

    if engine.dialect.name == "postgresql":
        leader = SchedulerLeader(engine, start, every=min(3.0, settings.sweep_seconds)).start()
        if not leader.leading:
            log.info("another process runs the scheduler; this one takes over if it stops")
        return leader.stop
    scheduler = start()
    return lambda: scheduler.shutdown(wait=False)


def _serve(settings, app, ack_gate, readiness) -> None:
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        socket_mode = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
        try:
            socket_mode.start()
        finally:
            # Its monitor thread reconnects every few seconds until closed: left running, it could log
            # after run() has put logging back, as a bare line outside the chosen format.
            socket_mode.close()
        return
    from pulsebot.slack.server import HttpLimits, HttpServer, wsgi_app

    application = wsgi_app(app, ready=readiness.problems, ack_gate=ack_gate, max_body=settings.max_body_bytes)
    limits = HttpLimits(
        max_body=settings.max_body_bytes,
        threads=settings.http_threads,
        connections=settings.http_connections,
        timeout=settings.http_timeout,
        shared_port=settings.reuse_port,
    )
    try:
        server = HttpServer(application, host="0.0.0.0", port=settings.port, limits=limits, ack_gate=ack_gate)
    except OSError as error:  # the port is taken, or not ours to take
        fail(f"cannot listen on port {settings.port} (PULSEBOT_PORT): {error.strerror or error}")

    def stop_serving(_signal, _frame) -> None:
        # Stop taking requests, answer those in hand, then return to run()'s wind-down.
        readiness.stopping = True
        server.stop()

    signal.signal(signal.SIGTERM, stop_serving)
    signal.signal(signal.SIGINT, stop_serving)
    endpoints = "POST /slack/events, GET /healthz, GET /readyz"
    if settings.oauth:
        log.info(
            "listening on :%d for every installed workspace (%s); "
            "install pulsebot in a workspace at GET /slack/install",
            settings.port,
            endpoints,
        )
    else:
        log.info("listening on :%d (%s)", settings.port, endpoints)
    server.serve()
