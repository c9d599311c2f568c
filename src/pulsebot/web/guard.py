"""In front of every request: who is signed in (the session in the `__Host-pulsebot` cookie, its rights
checked again against pulsebot's), the Fetch-Metadata and CSRF checks of every POST, and the headers of
every answer (a strict Content-Security-Policy: no script at all, no inline style, nothing from elsewhere).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import Flask, abort, current_app, g, redirect, request, url_for

from pulsebot.services.privacy import audit
from pulsebot.services.signin import web_sessions
from pulsebot.services.signin.rights import Rights, rights_of
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import AuditAction
from pulsebot.store.scoping import scoped_sessions

log = logging.getLogger(__name__)

COOKIE = "__Host-pulsebot"
SIGNIN_COOKIE = "__Host-pulsebot-signin"
CSRF_FIELD = "csrf_token"
# Charts are inline SVG images (data: URLs); nothing else comes from anywhere but this server.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SAME_ORIGIN_ONLY = "This form was sent from another site, so nothing was changed."
STALE_FORM = "This form is out of date (its security token does not match), so nothing was changed."


@dataclass(frozen=True)
class Viewer:
    """The person signed in, in the workspace they signed in to."""

    rights: Rights
    scope: str  # the workspace's scope (store/scoping.py)
    csrf_token: str
    session_id: str

    @property
    def user_id(self) -> str:
        return self.rights.user_id


def install(app: Flask) -> None:
    app.before_request(_refuse_cross_site_posts)
    app.before_request(_load_viewer)
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.context_processor(lambda: {"viewer": g.get("viewer"), "csrf_field": CSRF_FIELD})


def signed_in(view: Callable) -> Callable:
    """The page needs someone signed in: anyone else is sent to sign in."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("viewer") is None:
            return redirect(url_for("auth.signin_page", ended=g.get("ended")))
        return view(*args, **kwargs)

    return wrapped


def viewer_sessions(viewer: Viewer) -> SessionFactory:
    """Sessions that see the viewer's workspace only."""
    return scoped_sessions(_dashboard().sessions, viewer.scope)


def refuse(scope: str, why: str, *, status: int = 404, sentence: str | None = None):
    """Stop the request (404 by default, like a page that does not exist), the attempt audited in its
    own transaction, so it stays when the page's is rolled back."""
    viewer = g.viewer
    with transaction(viewer_sessions(viewer)) as refusal:
        audit.record(
            refusal,
            actor=viewer.user_id,
            action=AuditAction.web_refused,
            scope=scope,
            now=_dashboard().clock(),
            detail=f"{request.method} {request.path[:200]}: {why}",
        )
    abort(status, sentence)


def _dashboard():
    from pulsebot.web.app import dashboard

    return dashboard(current_app)


def _refuse_cross_site_posts() -> None:
    """A browser says where a request came from (Sec-Fetch-Site): a change sent from another site, or
    from a sibling subdomain, is refused before anything else is looked at."""
    if request.method in ("GET", "HEAD"):
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        abort(403, SAME_ORIGIN_ONLY)


def _load_viewer() -> None:
    """Find the session; end it when it has been idle too long, is too old, its workspace is no longer
    served, or the person's rights in pulsebot are no longer those it was opened with."""
    g.viewer = None
    session_id = request.cookies.get(COOKIE)
    if not session_id or request.endpoint == "static" or request.blueprint == "api":
        return  # the API takes tokens only (web/api/auth.py): its requests have no viewer
    board = _dashboard()
    settings, now = board.settings, board.clock()
    with transaction(board.sessions) as session:
        found = web_sessions.find_session(
            session,
            session_id=session_id,
            now=now,
            idle=timedelta(minutes=settings.web_idle_minutes),
            longest=timedelta(hours=settings.web_session_hours),
        )
        if found is None:
            g.ended = "expired"
            return
        scope, digest, csrf = found.team_id, found.rights, found.csrf_token
    rights = None
    if board.workspaces.serves(scope):
        with transaction(scoped_sessions(board.sessions, scope)) as session:
            rights = rights_of(session, user_id=found.user_id, admins=settings.admins)
    if rights is None or rights.digest() != digest:
        with transaction(board.sessions) as session:
            web_sessions.end_session(session, session_id=session_id)
        g.ended = "rights"
        return
    g.viewer = Viewer(rights=rights, scope=scope, csrf_token=csrf, session_id=session_id)


def _check_csrf() -> None:
    if request.method in ("GET", "HEAD"):
        return
    viewer = g.get("viewer")
    if viewer is None:
        return  # the page's own check sends them to sign in; nothing is changed without a session
    if not web_sessions.same_token(viewer.csrf_token, request.form.get(CSRF_FIELD)):
        abort(403, STALE_FORM)


def _headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"  # team figures stay out of shared and back-button caches
    if (_dashboard().settings.web_url or "").startswith("https://"):
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return response
