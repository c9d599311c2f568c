"""The Me page (/me) of everyone signed in: what their teams were told in their channels ("You said, we
did"), what pulsebot keeps tied to them, and forgetting them (/me/forget: the question first, then a
POST with the form's CSRF token and its confirmation), which does what `/pulse forget-me` and
`pulsebot forget` do (services/privacy/forgetting.py). Each person sees only their own."""

from __future__ import annotations

from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, url_for

from pulsebot.services.idea import idea_notices
from pulsebot.services.loop.told_the_team import told_the_team
from pulsebot.services.privacy import audit
from pulsebot.services.privacy.forgetting import forget_person, scrub_forgotten
from pulsebot.services.privacy.inventory import what_is_kept
from pulsebot.store.db import transaction
from pulsebot.web.guard import COOKIE, signed_in, viewer_sessions
from pulsebot.web.me.page import done_lines, kept_lines, teams_shown

me = Blueprint("me", __name__, template_folder="templates")

CONFIRM_FIELD = "confirm"
CONFIRMED = "forget"


def _board():
    from pulsebot.web.app import dashboard

    return dashboard(current_app)


@me.get("/me")
@signed_in
def page():
    board, viewer = _board(), g.viewer
    settings = board.settings
    with transaction(viewer_sessions(viewer)) as session:
        told = told_the_team(
            session,
            user_id=viewer.user_id,
            now=board.clock(),
            min_group=settings.min_group,
            weeks=settings.trend_weeks,
        )
        kept = what_is_kept(session, user_id=viewer.user_id, key=settings.anon_key_bytes())
    return render_template(
        "me/me.html",
        teams=teams_shown(told),
        done=done_lines(told),
        kept=kept_lines(kept),
        reply_window_days=settings.reply_window_days,
    )


@me.get("/me/forget")
@signed_in
def question():
    return render_template("me/forget.html", reply_window_days=_board().settings.reply_window_days)


@me.post("/me/forget")
@signed_in
def forget():
    if request.form.get(CONFIRM_FIELD) != CONFIRMED:  # the question was not answered: ask it
        return redirect(url_for("me.question"), 303)
    board, viewer = _board(), g.viewer
    sessions = viewer_sessions(viewer)
    now = board.clock()
    with transaction(sessions) as session:
        # The one signed in is the one forgotten: no one can forget someone else from here.
        forgotten = forget_person(
            session,
            user_id=viewer.user_id,
            key=board.settings.anon_key_bytes(),
            actor=audit.FORGET_ME,
            now=now,
        )
        # Signed ideas' cards still name them in Slack: the scheduler redraws those (and only those, as
        # `/pulse forget-me` does: redrawing an anonymous card would show whose it was).
        idea_notices.queue_card_redraws(session, forgotten.signed_ideas, now=now)
    scrub_forgotten(sessions)
    g.viewer = None  # their sessions went with the rest: the page is shown to someone signed out
    response = make_response(render_template("me/forgotten.html", forgotten=forgotten))
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
    return response
