"""The teams a person may see (/), a team's page (/team/NAME), and planning, editing and moving its
actions from it. A change to an action posted to the team's channel is written with a notice that the
scheduler tells Slack (services/loop/action_notices.py): the dashboard posts nothing itself.

A team's page is the team's digest in a page: only the team's managers (its survey's `managers:`) and
pulsebot's admins see it. Anyone else asking for it, and anyone asking for a team that is not in their
workspace, gets the same 404, and the attempt goes to the audit log.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from sqlmodel import Session, select

from pulsebot.services.errors import FieldErrors, Invalid, Refusal
from pulsebot.services.loop import action_notices, actions
from pulsebot.services.loop.focus import parse_focus_value
from pulsebot.services.privacy import audit
from pulsebot.services.privacy.roles import sees_team_results
from pulsebot.services.segments.segment_views import latest_line_node
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus, AuditAction, Survey, TeamAction
from pulsebot.web.guard import refuse, signed_in, viewer_sessions
from pulsebot.web.teams.page import plan_form, team_page, trend_weeks

teams = Blueprint("teams", __name__, template_folder="templates")

NOT_THEIRS = "web"  # the audit scope of a refused page whose team is not in the workspace


def _board():
    from pulsebot.web.app import dashboard

    return dashboard(current_app)


@teams.get("/")
@signed_in
def home():
    viewer = g.viewer
    with transaction(viewer_sessions(viewer)) as session:
        query = select(Survey.name, Survey.title).order_by(Survey.title, Survey.name)
        if not viewer.rights.is_admin:
            query = query.where(Survey.name.in_(viewer.rights.teams or ("",)))
        listed = session.exec(query).all()
        line = None if viewer.rights.is_admin else latest_line_node(session, user=viewer.user_id)
    return render_template("teams/home.html", teams=listed, line=line)


@teams.get("/team/<name>")
@signed_in
def team(name: str):
    board, viewer = _board(), g.viewer
    weeks = trend_weeks(request.args.get("weeks"))
    now = board.clock()
    with transaction(viewer_sessions(viewer)) as session:
        survey = _visible_team(session, name)
        page = team_page(
            session,
            survey=survey,
            now=now,
            min_group=board.settings.min_group,
            weeks=weeks,
            viewer=viewer.user_id,
        )
        form = _plan_form(session, survey)
        audit.record(
            session,
            actor=viewer.user_id,
            action=AuditAction.web_viewed,
            scope=survey.name,
            now=now,
            detail=f"team page, week of {page.digest.week:%-d %b %Y}, {weeks} weeks",
        )
    return render_template(
        "teams/team.html",
        page=page,
        form=form,
        typed={},
        errors={},
        changing={},
        planned=request.args.get("planned"),
        changed=request.args.get("changed"),
    )


@teams.post("/team/<name>/actions")
@signed_in
def plan(name: str):
    board, viewer = _board(), g.viewer
    now = board.clock()
    typed = {key: request.form.get(key, "") for key in ("focus", "text", "owner", "due")}
    focus = parse_focus_value(typed["focus"])
    try:
        with transaction(viewer_sessions(viewer)) as session:
            survey = _visible_team(session, name)
            form = _plan_form(session, survey)
            owners = _owners(form)
            action = actions.create_action(
                session,
                survey_name=survey.name,
                focus_kind=focus[0] if focus else None,
                focus_key=focus[1] if focus else "",
                text=typed["text"],
                owner_id=typed["owner"],
                due_on=_day(typed["due"]),
                visible=False,  # no post to the team's channel from here: see docs/dashboard.md
                created_by=viewer.user_id,
                now=now,
                today=form.today,
                min_group=board.settings.min_group,
                is_admin=viewer.rights.is_admin,
                errors=None if typed["owner"] in owners else {"owner": "Choose who owns it from the list."},
            )
    except (FieldErrors, Invalid) as invalid:
        errors = getattr(invalid, "errors", None) or {invalid.field or "text": invalid.message}
        return _team_with_errors(name, typed, errors)
    except Refusal as refusal:  # the team is gone, or no longer theirs
        abort(403, refusal.message)
    return redirect(url_for("teams.team", name=name, planned=action.id, _anchor="actions"), code=303)


@teams.post("/team/<name>/actions/<int:action_id>/edit")
@signed_in
def edit(name: str, action_id: int):
    """Change what an action will do, who owns it and by when, with the planning form's rules."""
    board, viewer = _board(), g.viewer
    typed = {key: request.form.get(key, "") for key in ("text", "owner", "due")}
    try:
        with transaction(viewer_sessions(viewer)) as session:
            survey, action = _changeable_action(session, name, action_id)
            form = _plan_form(session, survey)
            owners = _owners(form) | {action.owner_id}  # an owner chosen in Slack may stay
            before = (action.text, action.owner_id, action.due_on)
            line = actions.edit_action(
                session,
                action_id=action_id,
                text=typed["text"],
                owner_id=typed["owner"],
                due_on=_day(typed["due"]),
                actor=viewer.user_id,
                now=board.clock(),
                today=form.today,
                is_admin=viewer.rights.is_admin,
                errors=None if typed["owner"] in owners else {"owner": "Choose who owns it from the list."},
            )
            if (line.text, line.owner_id, line.due_on) != before:  # its post in the channel is redrawn
                action_notices.queue_edit_notice(session, line, changed_by=viewer.user_id, now=board.clock())
    except (FieldErrors, Invalid) as invalid:
        errors = getattr(invalid, "errors", None) or {invalid.field or "text": invalid.message}
        return _team_with_errors(name, {}, {}, changing={"id": action_id, "typed": typed, "errors": errors})
    except Refusal as refusal:  # the team is gone, or no longer theirs
        abort(403, refusal.message)
    return redirect(
        url_for("teams.team", name=name, changed=action_id, _anchor=f"action-{action_id}"), code=303
    )


@teams.post("/team/<name>/actions/<int:action_id>/status")
@signed_in
def move(name: str, action_id: int):
    """Move an action along its workflow (services/loop/actions.py), as Slack's buttons do."""
    board, viewer = _board(), g.viewer
    typed = {key: request.form.get(key, "") for key in ("status", "reason")}
    status = next((status for status in ActionStatus if status.value == typed["status"]), None)
    try:
        if status is None:
            raise Invalid("Choose its new status from the list.", field="status")
        with transaction(viewer_sessions(viewer)) as session:
            _changeable_action(session, name, action_id)
            change = actions.change_status(
                session,
                action_id=action_id,
                status=status,
                reason=typed["reason"],
                actor=viewer.user_id,
                now=board.clock(),
                is_admin=viewer.rights.is_admin,
            )
            # The dashboard posts nothing: the team hears of it from the scheduler (action-notices).
            action_notices.queue_status_notice(session, change, now=board.clock())
    except Invalid as invalid:
        errors = {invalid.field or "status": invalid.message}
        return _team_with_errors(name, {}, {}, changing={"id": action_id, "typed": typed, "errors": errors})
    except Refusal as refusal:
        abort(403, refusal.message)
    return redirect(
        url_for("teams.team", name=name, changed=action_id, _anchor=f"action-{action_id}"), code=303
    )


def _changeable_action(session: Session, name: str, action_id: int) -> tuple[Survey, TeamAction]:
    """The team, when the viewer may see it and the action is one of its own; another team's action (or
    another workspace's) is a 404 like one that does not exist, the attempt audited."""
    survey = _visible_team(session, name)
    action = session.exec(
        select(TeamAction).where(TeamAction.id == action_id, TeamAction.survey_id == survey.id)
    ).first()
    if action is None:
        refuse(survey.name, f"action #{action_id} is not one of this team's")
    return survey, action


def _owners(form) -> set[str]:
    return {user for user, _ in form.owners}


def _team_with_errors(name: str, typed: dict, errors: dict, *, changing: dict | None = None):
    board, viewer = _board(), g.viewer
    with transaction(viewer_sessions(viewer)) as session:
        survey = _visible_team(session, name)
        page = team_page(
            session,
            survey=survey,
            now=board.clock(),
            min_group=board.settings.min_group,
            weeks=trend_weeks(None),
            viewer=viewer.user_id,
        )
        form = _plan_form(session, survey)
    return render_template(
        "teams/team.html", page=page, form=form, typed=typed, errors=errors, changing=changing or {}
    ), 422


def _plan_form(session: Session, survey: Survey):
    board, viewer = _board(), g.viewer
    today = actions.team_today(session, survey_name=survey.name, now=board.clock())
    return plan_form(
        session,
        survey=survey,
        now=board.clock(),
        min_group=board.settings.min_group,
        viewer=viewer.user_id,
        today=today,
    )


def _visible_team(session: Session, name: str) -> Survey:
    """The team, when the viewer may see it; otherwise a 404 like a team that does not exist, the attempt
    audited (in its own transaction, so it stays when the page's is rolled back)."""
    viewer = g.viewer
    survey = session.exec(select(Survey).where(Survey.name == name)).first()
    if survey is not None and sees_team_results(
        session, survey_id=survey.id, user_id=viewer.user_id, is_admin=viewer.rights.is_admin
    ):
        return survey
    refuse(survey.name if survey is not None else NOT_THEIRS, "not a team they may see")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
