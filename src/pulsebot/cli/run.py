"""`pulsebot run`: serve Slack over Socket Mode or HTTP."""

import contextlib
import logging

from slack_sdk.errors import SlackApiError

from pulsebot.cli.common import fail, reachable, settings_or_fail
from pulsebot.config import ConfigError
from pulsebot.store import migrate
from pulsebot.store.db import database_reachable, make_engine, session_factory


def run() -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PULSEBOT_PORT."""
    from pulsebot.slack.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_or_fail()
    engine = make_engine(settings.database_url)
    try:
        app = create_app(settings, sessions=session_factory(engine))
    except ConfigError as error:
        fail(str(error), code=2)
    reachable(settings, engine)
    migrate.upgrade(engine)
    try:
        app.client.auth_test()
    except SlackApiError as error:
        fail(f"Slack refused SLACK_BOT_TOKEN: {error.response.get('error')}", code=2)
    scheduler = _start_scheduler(settings, engine, app)
    try:
        _serve(settings, engine, app)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _start_scheduler(settings, engine, app):
    """Open, remind and close pulses on time (unless PULSEBOT_SCHEDULER is off on this replica)."""
    if not settings.scheduler:
        logging.getLogger("pulsebot").info("scheduler off (PULSEBOT_SCHEDULER=false)")
        return None
    from pulsebot import scheduling

    return scheduling.start(engine, client=app.client, sessions=session_factory(engine), settings=settings)


def _serve(settings, engine, app) -> None:
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        return
    from pulsebot.slack.server import make_http_server, wsgi_app

    server = make_http_server(wsgi_app(app, healthy=lambda: database_reachable(engine)), port=settings.port)
    logging.getLogger("pulsebot").info("listening on :%d (POST /slack/events, GET /healthz)", settings.port)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
