"""The API's OpenAPI 3.1 description, served at /api/openapi.json and drawn as a page at /api/docs."""

from __future__ import annotations

from importlib.metadata import version

MAX_LIMIT = 100
DEFAULT_LIMIT = 50


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict:
    return {
        "allOf": [
            _ref("Page"),
            {"type": "object", "properties": {"data": {"type": "array", "items": _ref(name)}}},
        ]
    }


def _ok(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = {"content": {"application/json": {"schema": _ref("Error")}}}
REFUSALS = {
    "400": {"description": "A parameter is not one the API takes.", **_ERROR},
    "401": {"description": "No token, an unknown or revoked one, or the dashboard's cookie alone.", **_ERROR},
    "403": {"description": "The token's scopes or workspace do not allow this.", **_ERROR},
    "404": {"description": "Not in the token's workspace, or not released.", **_ERROR},
}
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
]
TEAM = {"name": "team", "in": "path", "required": True, "schema": {"type": "string"}}
NUMBER = {"type": ["number", "null"]}
HIDDEN = {
    "hidden": {
        "type": "boolean",
        "description": "true when the figures are withheld under the privacy rules",
    },
    "reason": {"type": ["string", "null"], "description": "why they are withheld"},
}


def _get(summary: str, scope: str, response: dict, parameters: list | None = None) -> dict:
    return {
        "get": {
            "summary": summary,
            "security": [{"token": [scope]}],
            "parameters": parameters or [],
            "responses": {"200": response, **REFUSALS},
        }
    }


def description() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pulsebot API",
            "version": version("pulsebot"),
            "description": "Read-only: the released figures the digests and the dashboard show, "
            "a workspace's actions and ideas. A token (`Authorization: Bearer pbt_…`) is made "
            "by an admin with `pulsebot api token create` and reads its own workspace, within its scopes.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/teams": _get(
                "The workspace's teams", "teams", _ok(_page_of("Team"), "A page of teams"), PAGING
            ),
            "/teams/{team}/weeks": _get(
                "A team's latest complete week and its trend, as its digest shows them",
                "teams",
                _ok(_ref("TeamWeeks"), "The team's weeks, newest first"),
                [TEAM, {"name": "weeks", "in": "query", "schema": {"type": "integer", "enum": [12, 26, 52]}}],
            ),
            "/teams/{team}/drivers": _get(
                "A team's driver scores, as its digest shows them",
                "teams",
                _ok(_ref("TeamDrivers"), "The team's drivers"),
                [TEAM],
            ),
            "/segments": _get(
                "The released segment periods and their tables",
                "segments",
                _ok(_page_of("Release"), "A page of released periods, newest first"),
                PAGING,
            ),
            "/segments/{period}/{table}": _get(
                "One released table of a period",
                "segments",
                _ok(_ref("SegmentTable"), "The released table"),
                [
                    {"name": "period", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "table", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
            ),
            "/actions": _get(
                "The teams' actions",
                "actions",
                _ok(_page_of("Action"), "A page of actions"),
                [{"name": "team", "in": "query", "schema": {"type": "string"}}, *PAGING],
            ),
            "/ideas": _get(
                "The workspace's ideas, newest first",
                "ideas",
                _ok(_page_of("Idea"), "A page of ideas"),
                [{"name": "status", "in": "query", "schema": {"type": "string"}}, *PAGING],
            ),
        },
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "bearerFormat": "pbt_<id>_<secret>"}
            },
            "schemas": _schemas(),
        },
    }


def _schemas() -> dict:
    return {
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
        },
        "Page": {
            "type": "object",
            "required": ["data", "page", "limit", "total", "next_page"],
            "properties": {
                "data": {"type": "array"},
                "page": {"type": "integer"},
                "limit": {"type": "integer"},
                "total": {"type": "integer"},
                "next_page": {"type": ["integer", "null"]},
            },
        },
        "Team": {"type": "object", "properties": {"name": {"type": "string"}, "title": {"type": "string"}}},
        "Question": {
            "type": "object",
            "properties": {
                "key": {"type": "string"},
                "prompt": {"type": "string"},
                "kind": {"type": "string", "enum": ["scale", "enps", "yes_no", "choice", "text"]},
                **HIDDEN,
                "answers": {"type": ["integer", "null"]},
                "mean": NUMBER,
                "enps": NUMBER,
                "distribution": {"type": ["array", "null"], "items": {"type": "integer"}},
            },
        },
        "Week": {
            "type": "object",
            "required": ["week", "status", "hidden", "reason"],
            "properties": {
                "week": {"type": "string", "format": "date", "description": "the Monday of the ISO week"},
                "status": {"type": "string", "enum": ["shown", "suppressed", "no_data"]},
                **HIDDEN,
                "respondents": {"type": "integer"},
                "audience": {"type": "integer"},
                "response_rate": NUMBER,
                "score": NUMBER,
                "enps": NUMBER,
                "comments": {"type": ["integer", "null"]},
                "sentiment": NUMBER,
                "compared_with": {"type": ["string", "null"], "format": "date"},
                "score_change": NUMBER,
                "enps_change": NUMBER,
                "sentiment_change": NUMBER,
                "response_rate_change": NUMBER,
                "questions": {"type": "array", "items": _ref("Question")},
            },
        },
        "TeamWeeks": {
            "type": "object",
            "properties": {
                "team": {"type": "string"},
                "title": {"type": "string"},
                "min_group": {"type": "integer"},
                "week": _ref("Week"),
                "trend": {"type": "array", "items": _ref("Week")},
            },
        },
        "TeamDrivers": {
            "type": "object",
            "properties": {
                "team": {"type": "string"},
                "window_runs": {"type": "integer"},
                "runs": {"type": "integer"},
                "enps": NUMBER,
                "drivers": {
                    "type": ["array", "null"],
                    "items": {
                        "type": "object",
                        "properties": {
                            "driver": {"type": "string"},
                            "name": {"type": "string"},
                            **HIDDEN,
                            "score": NUMBER,
                            "people": {"type": ["integer", "null"]},
                            "change": NUMBER,
                            "org": NUMBER,
                        },
                    },
                },
            },
        },
        "Release": {
            "type": "object",
            "properties": {
                "period": {"type": "string"},
                "starts_on": {"type": "string", "format": "date"},
                "ends_on": {"type": "string", "format": "date"},
                "tables": {"type": "array", "items": {"type": "string"}},
            },
        },
        "SegmentTable": {
            "type": "object",
            "properties": {
                "period": {"type": "string"},
                "table": {"type": "string"},
                "min_group": {"type": "integer"},
                "measures": {"type": "array", "items": {"type": "string"}},
                "segments": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"key": {"type": "string"}, **HIDDEN}},
                },
            },
        },
        "Action": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "team": {"type": "string"},
                "text": {"type": "string"},
                "owner": {"type": "string"},
                "due_on": {"type": "string", "format": "date"},
                "status": {"type": "string", "enum": ["planned", "in_progress", "done", "dropped"]},
            },
        },
        "Idea": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "text": {"type": "string"},
                "anonymous": {"type": "boolean"},
                "author": {"type": ["string", "null"], "description": "null for an anonymous idea"},
                "status": {"type": "string"},
                "votes": {"type": "integer"},
            },
        },
    }
