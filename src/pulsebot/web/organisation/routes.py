"""The organisation's pages: a released period's segments (/organisation), participation before and after
sharing (/organisation/participation) and every team's actions (/organisation/actions), for pulsebot's
admins, and for a leader their own node of the reporting line and what is below it; the audit log
(/organisation/audit) and what moves eNPS (/organisation/enps), for admins only: its correlations run
over every team.

/organisation/onboarding shows admins the released cohorts of new joiners (services/onboarding/).

Anyone else gets the same 404 as a team page that is not theirs, and the attempt goes to the audit log.
The page's `period` and `table` choose only among the released periods and the tables each has; anything
else is "not released", never counted on request.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template, request

from pulsebot.services.onboarding.cohort_figures import released_cohorts
from pulsebot.services.onboarding.questions import onboarding_questions
from pulsebot.services.privacy import audit
from pulsebot.services.results.analytics import ORG
from pulsebot.services.results.heatmap import enps_lines, what_moves_enps
from pulsebot.services.segments.segment_views import teams_in_line
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction
from pulsebot.web.guard import refuse, signed_in, viewer_sessions
from pulsebot.web.organisation.page import NotLeading, NotReleased, not_released_yet, organisation_page
from pulsebot.web.organisation.teams_view import audit_page, entry_number, participation, team_actions

organisation = Blueprint("organisation", __name__, template_folder="templates")


def _board():
    from pulsebot.web.app import dashboard

    return dashboard(current_app)


@organisation.get("/organisation")
@signed_in
def segments():
    board, viewer = _board(), g.viewer
    leader = None if viewer.rights.is_admin else viewer.user_id
    period = request.args.get("period") or None
    table = request.args.get("table") or None
    now = board.clock()
    try:
        with transaction(viewer_sessions(viewer)) as session:
            page = organisation_page(
                session, period=period, table=table, min_group=board.settings.min_group, leader=leader
            )
            audit.record(
                session,
                actor=viewer.user_id,
                action=AuditAction.web_viewed,
                scope=ORG,
                now=now,
                detail=f"organisation page, segments by {page.table}, {page.period}"
                + (f", the line from {page.node}" if page.node else ""),
            )
    except NotLeading:
        refuse(ORG, "not an admin, and no reporting line of theirs in the period")
    except NotReleased as missing:
        if leader is not None:  # only admins learn which periods and tables were released
            refuse(ORG, "not an admin, and not a released period or table of their line")
        if not missing.periods:  # nothing released yet: say when the first can be
            sentence = not_released_yet(now=now, kind=board.settings.segment_period)
            status = 200 if period is None and table is None else 404
            return render_template("organisation/none_yet.html", sentence=sentence), status
        return render_template("organisation/not_released.html", missing=missing), 404
    return render_template("organisation/segments.html", page=page)


@organisation.get("/organisation/onboarding")
@signed_in
def onboarding():
    """The released cohorts of new joiners, for admins only (a leader's line has no cohort of its own)."""
    board, viewer = _board(), g.viewer
    if not viewer.rights.is_admin:
        refuse(ORG, "not an admin: onboarding cohorts are for admins")
    with transaction(viewer_sessions(viewer)) as session:
        cohorts = released_cohorts(session, min_group=board.settings.min_group)
        audit.record(
            session,
            actor=viewer.user_id,
            action=AuditAction.web_viewed,
            scope=ORG,
            now=board.clock(),
            detail="organisation page, onboarding",
        )
    return render_template("organisation/onboarding.html", cohorts=cohorts, questions=onboarding_questions())


@organisation.get("/organisation/participation")
@signed_in
def participation_page():
    board, viewer = _board(), g.viewer
    now = board.clock()
    with transaction(viewer_sessions(viewer)) as session:
        teams = _teams_seen(session)
        report = participation(session, now=now, min_group=board.settings.min_group, teams=teams)
        _viewed(session, "participation before and after sharing", teams)
    return render_template("organisation/participation.html", report=report, leader=teams is not None)


@organisation.get("/organisation/actions")
@signed_in
def actions_page():
    board, viewer = _board(), g.viewer
    with transaction(viewer_sessions(viewer)) as session:
        teams = _teams_seen(session)
        listed = team_actions(session, now=board.clock(), teams=teams)
        _viewed(session, "every team's actions", teams)
    return render_template("organisation/actions.html", teams=listed, leader=teams is not None)


@organisation.get("/organisation/audit")
@signed_in
def audit_log():
    viewer = g.viewer
    if not viewer.rights.is_admin:
        refuse(ORG, "not an admin: the audit log")
    before = entry_number(request.args.get("before"))
    with transaction(viewer_sessions(viewer)) as session:
        found = audit_page(session, before=before)
        _viewed(session, "the audit log" + ("" if before is None else f", before entry {before}"), None)
    return render_template("organisation/audit.html", log=found)


@organisation.get("/organisation/enps")
@signed_in
def enps_page():
    """The admins' digest's "What moves eNPS", from the same released figures and in the same words."""
    board, viewer = _board(), g.viewer
    if not viewer.rights.is_admin:
        refuse(ORG, "not an admin: what moves eNPS runs over every team")
    with transaction(viewer_sessions(viewer)) as session:
        result = what_moves_enps(session, min_group=board.settings.min_group, through=board.clock().date())
        _viewed(session, "what moves eNPS", None)
    lines = enps_lines(result)
    return render_template("organisation/enps.html", links=result.links, lines=lines, enough=result.enough)


def _teams_seen(session) -> list[str] | None:
    """Every team (None) for an admin; for a leader the teams of their line; anyone else is refused."""
    viewer = g.viewer
    if viewer.rights.is_admin:
        return None
    teams = teams_in_line(session, user=viewer.user_id)
    if teams is None:
        refuse(ORG, "not an admin, and no reporting line of theirs")
    return teams


def _viewed(session, what: str, teams: list[str] | None) -> None:
    audit.record(
        session,
        actor=g.viewer.user_id,
        action=AuditAction.web_viewed,
        scope=ORG,
        now=_board().clock(),
        detail=f"organisation page, {what}"
        + ("" if teams is None else f", {len(teams)} teams of their line"),
    )
