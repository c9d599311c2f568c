"""The dashboard's Flask app: one blueprint per feature (auth/, teams/, organisation/, ideas/, me/), each
with its templates beside it, and the guard (guard.py) in front of every request; and the read-only API
(api/), which answers in JSON and takes tokens, never the dashboard's session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, render_template, request

from pulsebot.clock import utc_now
from pulsebot.config import Settings
from pulsebot.store.db import SessionFactory
from pulsebot.web import guard
from pulsebot.web.api.auth import error_response
from pulsebot.web.api.routes import api
from pulsebot.web.auth.routes import auth
from pulsebot.web.auth.signin import SlackSignIn
from pulsebot.web.ideas.routes import ideas
from pulsebot.web.me.routes import me
from pulsebot.web.organisation.routes import organisation
from pulsebot.web.teams.routes import teams
from pulsebot.web.workspaces import ServedWorkspaces, served_workspaces

PULSEBOT = "pulsebot"  # where the app's parts are kept in app.extensions


class Dashboard:
    """What the pages share: settings, the database, the clock, the workspaces served and the sign-in."""

    def __init__(
        self,
        settings: Settings,
        sessions: SessionFactory,
        *,
        clock: Callable[[], datetime],
        workspaces: ServedWorkspaces,
        signin: SlackSignIn,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.workspaces = workspaces
        self.signin = signin


def create_app(
    settings: Settings,
    sessions: SessionFactory,
    *,
    clock: Callable[[], datetime] = utc_now,
    workspaces: ServedWorkspaces | None = None,
) -> Flask:
    """The dashboard for these settings and this database. Raises ConfigError when Sign in with Slack
    cannot be set up (PULSEBOT_WEB_URL, the client id or secret missing)."""
    base_url, client_id, client_secret = settings.require_web()
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=64 * 1024,  # the largest form is an action's text
        TEMPLATES_AUTO_RELOAD=False,
        PREFERRED_URL_SCHEME="https",
    )
    app.jinja_env.autoescape = True  # every template, whatever its name: all text a person wrote is escaped
    app.extensions[PULSEBOT] = Dashboard(
        settings,
        sessions,
        clock=clock,
        workspaces=workspaces or served_workspaces(settings, sessions),
        signin=SlackSignIn(settings, base_url=base_url, client_id=client_id, client_secret=client_secret),
    )
    guard.install(app)
    app.register_blueprint(auth)
    app.register_blueprint(teams)
    app.register_blueprint(organisation)
    app.register_blueprint(ideas)
    app.register_blueprint(me)
    app.register_blueprint(api)

    @app.get("/healthz")
    def alive():
        return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(404)
    def not_found(_error):
        if _is_api():
            return error_response(404, "not_found", "There is no such API path.")
        return render_template("not_found.html"), 404

    @app.errorhandler(403)
    def forbidden(error):
        if _is_api():
            return error_response(403, "refused", error.description or "Refused.")
        return render_template("refused.html", why=error.description), 403

    @app.errorhandler(405)
    def not_allowed(error):
        if _is_api():
            return error_response(405, "read_only", "The API only reads: use GET.")
        return error

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("refused.html", why="That form was too large."), 413

    @app.errorhandler(500)
    def failed(_error):
        if _is_api():
            return error_response(500, "failed", "Something went wrong; try again.")
        return render_template("refused.html", why="Something went wrong; nothing was changed."), 500

    return app


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def dashboard(app: Flask) -> Dashboard:
    return app.extensions[PULSEBOT]
