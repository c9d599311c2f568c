"""`pulsebot segments`: a released period's figures by department, site, tenure, level or reporting line,
in the terminal or as CSV. It reads the figures released when the period ended; nothing is counted anew."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Annotated

import typer

from pulsebot.cli.common import Team, existing, fail, out, settings_or_fail, team_sessions, wrapping_table
from pulsebot.clock import utc_now
from pulsebot.services.errors import Refusal
from pulsebot.services.privacy import audit
from pulsebot.services.results.analytics import ORG
from pulsebot.services.segments import segment_text as words
from pulsebot.services.segments.segment_groups import CROSS
from pulsebot.services.segments.segment_views import find_release, measure_name, segment_table, tables_of
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction

DEFAULT_TABLE = "department"
# A table longer than this (a large organisation's reporting line) is printed as plain aligned columns:
# drawing its borders and folding its cells would take tens of seconds.
DRAWN_ROWS = 200
ANSWERED = "responses: answers to the period's pulses, a person counted once for each pulse they answered"


def segments(
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="TABLE",
            help="Which segments: department, division, site, region, tenure, level, line, team, "
            "organisation, or a crossing such as “department × tenure” (or department x tenure).",
        ),
    ] = DEFAULT_TABLE,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="PERIOD",
            help="A released period, 2027-06 or 2027-Q2; the latest if left out.",
        ),
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", metavar="FILE", help="Also write the table, one figure a row, here."),
    ] = None,
    team: Team = "",
) -> None:
    """Print a released period's segments × measures (participation, drivers, eNPS): hidden cells are
    shown as — with why, and who stands out on each driver only where the gap is beyond its noise."""
    settings = settings_or_fail()
    engine = existing(settings)
    table_name = _table_name(by)
    try:
        with transaction(team_sessions(settings, engine, team)) as session:
            release = find_release(session, period=period)
            tables = tables_of(session, release_id=release.id)
            if table_name not in tables:
                fail(
                    f"--by: {release.period} has no segments by “{by}”; it has: {', '.join(tables)}",
                    code=2,
                )
            audit.record(
                session,
                actor=audit.CLI,
                action=AuditAction.report,
                scope=ORG,
                now=utc_now(),
                detail=f"segments by {table_name}, {release.period}"
                + (f", to {csv_file.name}" if csv_file else ""),
            )
            table = segment_table(session, release=release, table=table_name, min_group=settings.min_group)
    except Refusal as refusal:
        fail(refusal.message)
    headers = ["segment", "responses", *(measure_name(measure) for measure in table.measures)]
    cells = [
        [
            row.key,
            words.people_text(row),
            *(words.value_text(m, row.figure(m)) for m in table.measures),
        ]
        for row in table.rows
    ]
    title = f"Segments by {table.table}, {words.period_words(table)} ({words.released_words(table)})"
    if len(cells) > DRAWN_ROWS:
        _print_plain(title, headers, cells)
    else:
        # The title on its own line: as the table's title it would wrap to the width of a narrow table.
        out.print(title, markup=False, highlight=False, soft_wrap=True)
        grid = wrapping_table(*headers, caption=ANSWERED)
        for row, values in zip(table.rows, cells, strict=True):
            grid.add_row(*values, style="dim" if row.hidden is not None else None)
        out.print(grid)
    for reason in words.reasons(table):
        out.print(reason, markup=False, highlight=False, soft_wrap=True)
    standouts = words.standout_lines(table)
    if standouts:
        out.print("Who stands out:", highlight=False)
        for line in standouts:
            out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    if csv_file is not None:
        rows = words.csv_rows(table)
        try:
            with csv_file.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=words.CSV_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
        except OSError as error:
            fail(f"{csv_file}: cannot write the file ({error.strerror})")
        out.print(f"wrote {len(rows)} figures to {csv_file}", highlight=False, soft_wrap=True)


def _table_name(by: str) -> str:
    """`department x tenure`, `department*tenure` and `department × tenure` all name the crossing."""
    parts = re.split(r"\s*[×*]\s*|\s+x\s+", by.strip().lower())
    return CROSS.join(parts) if len(parts) == 2 else by.strip().lower()


def _print_plain(title: str, headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(header), *(len(row[i]) for row in rows)) for i, header in enumerate(headers)]
    out.print(title, markup=False, highlight=False, soft_wrap=True)
    for values in (headers, *rows):
        line = "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    out.print(ANSWERED, highlight=False)
