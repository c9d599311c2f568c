"""ISO weeks in SQL: the Monday of the week a date falls in, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date


class iso_week_start(FunctionElement):  # lower case: it reads like the SQL function it stands for
    """`iso_week_start(some_date)`: the Monday starting the ISO week of a DATE column."""

    type = Date()
    inherit_cache = True
    name = "iso_week_start"


@compiles(iso_week_start)
def _postgresql(element: iso_week_start, compiler, **kw) -> str:
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(iso_week_start, "sqlite")
def _sqlite(element: iso_week_start, compiler, **kw) -> str:
    # 'weekday 0' moves forward to the Sunday ending the week (a Sunday stays put); six days back is Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


def week_start(day: date) -> date:
    """The same in Python: the Monday of the ISO week `day` falls in."""
    return day - timedelta(days=day.weekday())
