"""Signing in with Slack and out: /signin, /auth/slack/start, /auth/slack/callback, POST /auth/signout."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, url_for

from pulsebot.services.signin import web_sessions
from pulsebot.services.signin.rights import rights_of
from pulsebot.store.db import transaction
from pulsebot.store.scoping import scoped_sessions
from pulsebot.web.auth.signin import CALLBACK_PATH, SignInRefused
from pulsebot.web.guard import COOKIE, SIGNIN_COOKIE, signed_in

log = logging.getLogger(__name__)

auth = Blueprint("auth", __name__, template_folder="templates")

ENDED = {
    "expired": "Your session ended (it was idle too long, or open too long). Sign in again to go on.",
    "rights": "What you may see in pulsebot changed, so you were signed out. Sign in again to go on.",
    "out": "You are signed out.",
}
SIGNIN_SECONDS = web_sessions.SIGNIN_MINUTES * 60


def _board():
    from pulsebot.web.app import dashboard

    return dashboard(current_app)


@auth.get("/signin")
def signin_page():
    if g.get("viewer") is not None:
        return redirect(url_for("teams.home"))
    return render_template("auth/signin.html", ended=ENDED.get(request.args.get("ended", "")))


@auth.get("/auth/slack/start")
def start():
    board = _board()
    with transaction(board.sessions) as session:
        started = web_sessions.start_signin(session, now=board.clock())
    response = redirect(board.signin.authorize_url(state=started.state, nonce=started.nonce))
    response.set_cookie(
        SIGNIN_COOKIE,
        started.browser_key,
        max_age=SIGNIN_SECONDS,
        secure=True,
        httponly=True,
        samesite="Lax",  # sent back on Slack's redirect, a top-level GET
        path="/",
    )
    return response


@auth.get(CALLBACK_PATH)
def callback():
    board = _board()
    if request.args.get("error"):  # the person chose not to sign in
        return _refused("You did not sign in with Slack.", status=400)
    with transaction(board.sessions) as session:
        nonce = web_sessions.finish_signin(
            session,
            state=request.args.get("state", ""),
            browser_key=request.cookies.get(SIGNIN_COOKIE, ""),
            now=board.clock(),
        )
    if nonce is None:
        return _refused(
            "This sign-in has expired or was started in another browser, so it cannot be finished. "
            "Sign in again.",
            status=400,
        )
    try:
        identity = board.signin.identity(code=request.args.get("code", ""), nonce=nonce)
    except SignInRefused as refused:
        log.warning("a sign-in with Slack was refused: %s", refused.reason)
        return _refused("Slack's answer could not be verified, so you are not signed in.", status=403)
    scope = board.workspaces.scope_of(identity.slack_team_id)
    if scope is None:
        log.warning("a sign-in from a workspace pulsebot does not serve was refused")
        return _refused("pulsebot does not serve that Slack workspace, so you are not signed in.", status=403)
    with transaction(scoped_sessions(board.sessions, scope)) as session:
        rights = rights_of(session, user_id=identity.user_id, admins=board.settings.admins)
    with transaction(board.sessions) as session:
        # A new id at every sign-in: an id the browser brought (planted by someone else) is ended, never kept.
        session_id, _ = web_sessions.open_session(
            session,
            team_id=scope,
            rights=rights,
            now=board.clock(),
            idle=timedelta(minutes=board.settings.web_idle_minutes),
            longest=timedelta(hours=board.settings.web_session_hours),
            replacing=request.cookies.get(COOKIE),
        )
    response = redirect(url_for("teams.home"))
    response.set_cookie(COOKIE, session_id, secure=True, httponly=True, samesite="Lax", path="/")
    response.delete_cookie(SIGNIN_COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
    return response


@auth.post("/auth/signout")
@signed_in
def signout():
    board = _board()
    with transaction(board.sessions) as session:
        web_sessions.end_session(session, session_id=g.viewer.session_id)
    response = redirect(url_for("auth.signin_page", ended="out"))
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
    return response


def _refused(why: str, *, status: int):
    response = make_response(render_template("refused.html", why=why, signin=True), status)
    response.delete_cookie(SIGNIN_COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
    return response
