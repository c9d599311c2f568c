"""`among(column, values)`: `column IN (values)` as ONE bound parameter, whatever the number of values.

A plain `column.in_(values)` binds one parameter per value. psycopg refuses a statement with more than
65,535 of them and SQLite more than 32,766, and a list drawn from the organisation (its teams, their
questions, a week's runs) passes those limits in a large company. So the values travel as one array on
PostgreSQL (`column = ANY(:values)`) and as one JSON text on SQLite
(`column IN (SELECT value FROM json_each(:values))`): the statement's size no longer grows with them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, Boolean, String, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement


class among(ColumnElement[bool]):  # lower case: it reads as an operator, `where(among(Run.id, ids))`
    type = Boolean()
    inherit_cache = False  # the values are part of the element, not a bound parameter SQLAlchemy can see

    def __init__(self, column: ColumnElement[Any], values: Iterable[Any]) -> None:
        self.column = column
        self.values = list(values)


@compiles(among, "postgresql")
def _as_array(element: among, compiler, **kw) -> str:
    values = bindparam(None, element.values, type_=ARRAY(element.column.type), unique=True)
    column, values = compiler.process(element.column, **kw), compiler.process(values, **kw)
    return f"{column} = ANY({values})"


@compiles(among)
def _as_json(element: among, compiler, **kw) -> str:
    values = bindparam(None, json.dumps(element.values, default=str), type_=String(), unique=True)
    column, values = compiler.process(element.column, **kw), compiler.process(values, **kw)
    return f"{column} IN (SELECT value FROM json_each({values}))"
