"""Who calls the API: a bearer token (services/api/tokens.py), never the dashboard's session cookie. A
request without a token, or with one that is unknown, revoked, of a workspace pulsebot no longer serves,
or without the scope the call needs, is refused with a JSON error; every refusal of a token pulsebot knows
goes to that token's workspace's audit log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, jsonify, request

from pulsebot.services.api import tokens
from pulsebot.services.privacy import audit
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import ApiToken, AuditAction
from pulsebot.store.scoping import scoped_sessions
from pulsebot.web.guard import COOKIE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    token_id: int
    scope: str  # the token's workspace (store/scoping.py)
    scopes: tuple[str, ...]
    sessions: SessionFactory  # that workspace only

    @property
    def actor(self) -> str:
        return f"api-token-{self.token_id}"[:20]


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def error_response(status: int, error: str, message: str):
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pulsebot"'
    return response


def needs(scope: str) -> Callable:
    """The call needs a token with `scope`; the caller is `g.caller`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            try:
                g.caller = _caller(scope)
                return view(*args, **kwargs)
            except ApiError as refused:
                return error_response(refused.status, refused.error, refused.message)

        return wrapped

    return decorate


def _board():
    from pulsebot.web.app import dashboard

    return dashboard(current_app)


def _caller(scope: str) -> Caller:
    header = request.headers.get("Authorization", "")
    kind, _, value = header.partition(" ")
    if not header:
        if COOKIE in request.cookies:
            raise ApiError(401, "session_not_accepted", "The API takes a token, not the dashboard's session.")
        raise ApiError(401, "no_token", "Send a token: Authorization: Bearer pbt_…")
    presented = tokens.presented(value) if kind.lower() == "bearer" else None
    if presented is None:
        raise ApiError(401, "invalid_token", "That is not a pulsebot API token.")
    board = _board()
    with transaction(board.sessions) as session:  # any workspace's: the token says which
        row = session.get(ApiToken, presented.id)
        found = tokens.find(session, presented)
        team_id = row.team_id if row is not None else None
        revoked, granted = (found.revoked_at is not None, tokens.scopes_of(found)) if found else (False, ())
    if found is None:
        if team_id is not None:
            _refused(team_id, presented.id, "its secret does not match")
        raise ApiError(401, "invalid_token", "That token is not known.")
    if revoked:
        _refused(team_id, presented.id, "it was revoked")
        raise ApiError(401, "revoked_token", "That token was revoked.")
    if not board.workspaces.serves(team_id):
        _refused(team_id, presented.id, "its workspace is no longer served")
        raise ApiError(403, "wrong_workspace", "That token's workspace is not served by this pulsebot.")
    if scope not in granted:
        _refused(team_id, presented.id, f"it has no {scope} scope")
        raise ApiError(
            403, "missing_scope", f"That token may not read {scope}; its scopes: {', '.join(granted)}."
        )
    return Caller(
        token_id=presented.id,
        scope=team_id,
        scopes=granted,
        sessions=scoped_sessions(board.sessions, team_id),
    )


def _refused(team_id: str, token_id: int, why: str) -> None:
    board = _board()
    with transaction(scoped_sessions(board.sessions, team_id)) as session:
        audit.record(
            session,
            actor=f"api-token-{token_id}"[:20],
            action=AuditAction.api_refused,
            scope=audit.ORG_SCOPE,
            now=board.clock(),
            detail=f"GET {request.path[:200]}: {why}",
        )
