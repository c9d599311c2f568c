"""The read-only API (/api/v1/…): JSON over the released figures the digests and the dashboard read, a
workspace's actions and ideas, each call within its token's workspace and scopes (auth.py). Its
description is at /api/openapi.json and drawn at /api/docs. Nothing here counts anything: see
services/api/figures.py."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request
from sqlalchemy import func
from sqlmodel import Session, select

from pulsebot.services.api import figures
from pulsebot.services.errors import NotFound
from pulsebot.services.idea.ideas import idea_views
from pulsebot.services.loop.actions import action_fields, actions_of
from pulsebot.services.privacy import audit
from pulsebot.services.segments.segment_views import find_release, released_periods, segment_table, tables_of
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, Idea, IdeaStatus, Survey
from pulsebot.web.api.auth import ApiError, error_response, needs
from pulsebot.web.api.openapi import DEFAULT_LIMIT, MAX_LIMIT, description

api = Blueprint("api", __name__, url_prefix="/api", template_folder="templates")


def _board():
    from pulsebot.web.app import dashboard

    return dashboard(current_app)


@api.errorhandler(ApiError)
def _refused(refused: ApiError):
    return error_response(refused.status, refused.error, refused.message)


@api.get("/openapi.json")
def openapi():
    return jsonify(description())


@api.get("/docs")
def docs():
    return render_template("api/docs.html", spec=description())


@api.get("/v1/teams")
@needs("teams")
def teams():
    page, limit = _paging()
    with transaction(g.caller.sessions) as session:
        listed = figures.teams(session)
    return _page(listed, page, limit)


@api.get("/v1/teams/<team>/weeks")
@needs("teams")
def team_weeks(team: str):
    weeks = _int_arg("weeks", 12)
    if weeks not in figures.TREND_WEEKS:
        raise ApiError(400, "bad_parameter", "weeks: one of 12, 26 or 52.")
    with transaction(g.caller.sessions) as session:
        digest = _digest(session, team, weeks)
        _viewed(session, team, f"team weeks, week of {digest.week:%-d %b %Y}, {weeks} weeks")
    return jsonify(figures.team_weeks(digest))


@api.get("/v1/teams/<team>/drivers")
@needs("teams")
def team_drivers(team: str):
    with transaction(g.caller.sessions) as session:
        digest = _digest(session, team, figures.TREND_WEEKS[0])
        _viewed(session, team, f"team drivers, week of {digest.week:%-d %b %Y}")
    return jsonify(figures.team_drivers(digest))


@api.get("/v1/segments")
@needs("segments")
def segments():
    page, limit = _paging()
    with transaction(g.caller.sessions) as session:
        releases = [
            {
                "period": release.period,
                "starts_on": release.starts_on.isoformat(),
                "ends_on": release.ends_on.isoformat(),
                "tables": tables_of(session, release_id=release.id),
            }
            for release in released_periods(session)
        ]
    return _page(releases, page, limit)


@api.get("/v1/segments/<period>/<table>")
@needs("segments")
def segment(period: str, table: str):
    with transaction(g.caller.sessions) as session:
        try:
            release = find_release(session, period=period[:20])
        except NotFound as missing:
            raise ApiError(404, "not_released", missing.message) from None
        if table not in tables_of(session, release_id=release.id):
            raise ApiError(404, "not_released", f"{release.period} has no segments by “{table[:40]}”.")
        released = segment_table(session, release=release, table=table, min_group=_board().settings.min_group)
        _viewed(session, audit.ORG_SCOPE, f"segments by {table}, {release.period}")
    return jsonify(figures.segment_table(released))


@api.get("/v1/actions")
@needs("actions")
def actions():
    page, limit = _paging()
    team = request.args.get("team") or None
    with transaction(g.caller.sessions) as session:
        if team is not None:
            _survey(session, team)
        listed = [
            action_fields(line) for line in actions_of(session, survey_names=None if team is None else [team])
        ]
    return _page(listed, page, limit)


@api.get("/v1/ideas")
@needs("ideas")
def ideas():
    page, limit = _paging()
    where = []
    if status := request.args.get("status"):
        if status not in IdeaStatus.__members__:
            raise ApiError(400, "bad_parameter", f"status: one of {', '.join(IdeaStatus.__members__)}.")
        where.append(Idea.status == IdeaStatus(status))
    with transaction(g.caller.sessions) as session:
        total = session.exec(select(func.count()).select_from(Idea).where(*where)).one()
        ids = session.exec(
            select(Idea.id)
            .where(*where)
            .order_by(Idea.created_at.desc(), Idea.id.desc())
            .offset((page - 1) * limit)
            .limit(limit)
        ).all()
        listed = [figures.idea_of(idea) for idea in idea_views(session, Idea.id.in_(ids))] if ids else []
    return _paged(listed, page, limit, total)


def _viewed(session: Session, scope: str, what: str) -> None:
    """A read of figures goes to the audit log, as a look at the dashboard's page does."""
    audit.record(
        session,
        actor=g.caller.actor,
        action=AuditAction.api_viewed,
        scope=scope,
        now=_board().clock(),
        detail=f"API: {what}",
    )


def _digest(session: Session, name: str, weeks: int):
    survey = _survey(session, name)
    board = _board()
    return figures.team_digest(
        session, survey=survey, now=board.clock(), min_group=board.settings.min_group, weeks=weeks
    )


def _survey(session: Session, name: str) -> Survey:
    """The team in the token's workspace; a team of another workspace is as unknown as one that never was."""
    survey = session.exec(select(Survey).where(Survey.name == name)).first()
    if survey is None:
        raise ApiError(404, "not_found", f"There is no team called “{name[:80]}”.")
    return survey


def _int_arg(name: str, default: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(400, "bad_parameter", f"{name}: a whole number, not “{text[:20]}”.") from None


def _paging() -> tuple[int, int]:
    page, limit = _int_arg("page", 1), _int_arg("limit", DEFAULT_LIMIT)
    if page < 1:
        raise ApiError(400, "bad_parameter", "page: 1 or more.")
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, "bad_parameter", f"limit: from 1 to {MAX_LIMIT}.")
    return page, limit


def _page(rows: list, page: int, limit: int):
    start = (page - 1) * limit
    return _paged(rows[start : start + limit], page, limit, len(rows))


def _paged(rows: list, page: int, limit: int, total: int):
    more = page * limit < total
    return jsonify(
        {"data": rows, "page": page, "limit": limit, "total": total, "next_page": page + 1 if more else None}
    )
