"""The ideas board (/ideas) for everyone signed in, and moving an idea through the workflow from it
(POST /ideas/ID/status) for those who may in Slack by pulsebot's own lists: PULSEBOT_MANAGERS and
PULSEBOT_ADMINS (members of PULSEBOT_MANAGER_GROUP are known only to Slack, so they move ideas there).

A move follows the Slack path's rules (services/idea/idea_status.py) and its author hears from Slack as
when it is made there: the change is written with a notice the scheduler tells Slack of (the card, the
author's DM, the shipped note; services/idea/idea_notices.py). An idea that is not in the viewer's
workspace is not found, like an idea that does not exist, and the attempt goes to the audit log.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from pulsebot.services.errors import FieldErrors, Invalid, NotAllowed, NotFound
from pulsebot.services.idea import idea_notices, idea_status
from pulsebot.services.idea.idea_board import BOARD_LIMIT, BoardChoice, idea_board, parse_choice
from pulsebot.services.idea.ideas import idea_view
from pulsebot.services.privacy.roles import Role, role_of
from pulsebot.store.db import transaction
from pulsebot.store.models import IdeaStatus
from pulsebot.web.guard import refuse, signed_in, viewer_sessions
from pulsebot.web.ideas.page import chosen_args, filters, idea_rows

ideas = Blueprint("ideas", __name__, template_folder="templates")

IDEAS_SCOPE = "ideas"  # the audit scope of a refused idea
ONLY_MANAGERS = "Only managers and admins can change an idea's status."
ASKED = ("status", "category", "stage", "order")


def _board():
    from pulsebot.web.app import dashboard

    return dashboard(current_app)


def _role() -> Role:
    settings = _board().settings
    return role_of(g.viewer.user_id, admins=settings.admins, managers=settings.managers)


@ideas.get("/ideas")
@signed_in
def board():
    asked = {name: request.args.get(name, "") for name in ASKED}
    try:
        choice = parse_choice(asked)
    except FieldErrors as wrong:
        return _page(asked, BoardChoice(), errors=wrong.errors), 400
    return _page(asked, choice, moved=request.args.get("moved", type=int))


@ideas.post("/ideas/<int:idea_id>/status")
@signed_in
def move(idea_id: int):
    board, viewer = _board(), g.viewer
    back = _back_choice()
    typed = {"status": request.form.get("status", ""), "reason": request.form.get("reason", "")}
    role = _role()
    with transaction(viewer_sessions(viewer)) as session:
        try:
            idea_view(session, idea_id=idea_id)
        except NotFound:
            refuse(IDEAS_SCOPE, "not an idea of their workspace")
    if role < Role.manager:
        refuse(IDEAS_SCOPE, "a member may not change an idea's status", status=403, sentence=ONLY_MANAGERS)
    status = next((status for status in IdeaStatus if status.value == typed["status"]), None)
    try:
        if status is None:
            raise Invalid("Choose where the idea goes from the list.", field="status")
        with transaction(viewer_sessions(viewer)) as session:
            change = idea_status.change_status(
                session,
                idea_id=idea_id,
                status=status,
                user_id=viewer.user_id,
                role=role,
                reason=typed["reason"],
                now=board.clock(),
            )
            idea_notices.queue_status_notice(session, change, now=board.clock())
    except NotAllowed as refusal:  # a final idea reopened by someone not an admin
        refuse(IDEAS_SCOPE, "not an admin, reopening a final idea", status=403, sentence=refusal.message)
    except Invalid as invalid:
        field = invalid.field or "status"
        args = chosen_args(back)
        return _page(args, back, move_errors={idea_id: {field: invalid.message}}, typed={idea_id: typed}), 422
    return redirect(
        url_for("ideas.board", moved=idea_id, **chosen_args(back), _anchor=f"idea-{idea_id}"), 303
    )


def _page(asked: dict, choice: BoardChoice, **shown):
    viewer = g.viewer
    role = _role()
    with transaction(viewer_sessions(viewer)) as session:
        found = idea_board(session, choice=choice)
    return render_template(
        "ideas/board.html",
        rows=idea_rows(found, role=role),
        total=found.total,
        limit=BOARD_LIMIT,
        filters=filters(asked),
        back=chosen_args(choice),
        may_move=role >= Role.manager,
        errors=shown.get("errors", {}),
        move_errors=shown.get("move_errors", {}),
        typed=shown.get("typed", {}),
        moved=shown.get("moved"),
    )


def _back_choice() -> BoardChoice:
    """The board's choice the form was sent from (its hidden fields), to go back to; anything not allowed
    is dropped rather than refused, as the move itself does not depend on it."""
    try:
        return parse_choice({name: request.form.get(f"back_{name}", "") for name in ASKED})
    except FieldErrors:
        return BoardChoice()
