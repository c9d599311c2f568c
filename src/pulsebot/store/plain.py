"""Columns read as the driver gives them, and turned into Python values once for many rows.

SQLAlchemy converts a JSON, DATE or enum column row by row (a JSON parse, a date parse, an enum lookup
per value). Reading every team's released figures that way cost more than the query: 100,000 lists of
counts parsed one call at a time. So the readers that go through many rows select these columns as
plain text (`plain`, `as_text`) and convert them here: all JSON lists in one parse, each distinct date or
enum value once.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import String, Text, cast, type_coerce
from sqlalchemy.sql.elements import ColumnElement


def plain(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """The column as the driver returns it: no conversion by SQLAlchemy (the SQL is unchanged)."""
    return type_coerce(column, String())


def as_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A JSON column as its text on both databases (psycopg would otherwise parse each value itself)."""
    return cast(column, Text())


def json_lists(texts: Iterable[str | None]) -> list[list | None]:
    """Many JSON texts (of lists, or None) parsed in one call, in order."""
    return json.loads("[" + ",".join("null" if text is None else text for text in texts) + "]")


class Dates(dict):
    """Dates as SQLite gives them (ISO text) or PostgreSQL does (date), each distinct one parsed once."""

    def __missing__(self, value: str | date) -> date:
        self[value] = day = date.fromisoformat(value) if isinstance(value, str) else value
        return day


class Members(dict):
    """An enum column's stored values turned into its members, each distinct one looked up once."""

    def __init__(self, kind: type[enum.Enum]) -> None:
        super().__init__()
        self.kind = kind

    def __missing__(self, value: str) -> enum.Enum:
        self[value] = member = self.kind(value)
        return member
