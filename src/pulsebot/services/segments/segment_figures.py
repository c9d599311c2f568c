"""Storing a period's released segment figures: a figure for every shown group and measure, and for every
hidden one only why it is hidden.

Rows (`segment_figure`), per group of every table but "run" (a run's own figures were released when it
closed, run_figures), keyed by table, group and measure:

- "respondents": `people`, the responses: one per person who answered a run, so someone who answered two
  teams' pulses counts twice. Not the number of different people (at least the most of one run), since
  the audit models each shown count as a sum of base cells: a maximum over runs would be a figure it does
  not bound, and could pin a run's share that the sum leaves open;
- each driver: `answers` (item answers), `value` their mean on the 1–5 scale;
- "enps": `answers`, `value` the eNPS (−100 … 100), shown only when its 0–10 tally and its promoters and
  detractors are all shown;
- "participation": `answers` the people asked, `value` the share of them who answered.

A hidden group keeps one row, "respondents", with the reason and no figure; a shown group's hidden measure
keeps its row with the reason and no figure.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlmodel import Session

from pulsebot.services.segments.base_cells import DETRACTORS, ENPS, ENPS_MEASURES, PROMOTERS
from pulsebot.services.segments.disclosure import BaseCell, Group, Released
from pulsebot.services.segments.segment_groups import RUN
from pulsebot.store.models import SegmentFigure

RESPONDENTS = "respondents"
ROWS_PER_STATEMENT = 2000


def store_figures(
    session: Session,
    *,
    release_id: int,
    cells: Sequence[BaseCell],
    groups: Sequence[Group],
    released: Released,
) -> int:
    """Write the figures of a released period; return how many rows."""
    rows = []
    for index, group in enumerate(groups):
        if group.table == RUN:
            continue
        rows += _group_rows(release_id, index, group, cells, released)
    session.flush()
    connection = session.connection()
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        connection.execute(insert(SegmentFigure.__table__), rows[start : start + ROWS_PER_STATEMENT])
    return len(rows)


def _group_rows(
    release_id: int, index: int, group: Group, cells: Sequence[BaseCell], released: Released
) -> list[dict]:
    def row(measure: str, **figures) -> dict:
        empty = {"people": None, "answers": None, "value": None, "hidden": None}
        return {
            "release_id": release_id,
            "table_name": group.table,
            "group_key": group.key,
            "measure": measure,
        } | (empty | figures)

    why = released.hidden.get(index)
    if why is not None:
        return [row(RESPONDENTS, hidden=str(why))]
    people = int(sum(cells[member].people for member in group.cells))
    sums: dict[str, list[float]] = {}
    for member in group.cells:
        for measure, tally in cells[member].tallies.items():
            total = sums.setdefault(measure, [0, 0.0])
            total[0] += tally.answers
            total[1] += tally.total
    rows = [row(RESPONDENTS, people=people)]
    for measure in sorted(sums):
        answers, total = sums[measure]
        if measure in (PROMOTERS, DETRACTORS) or not answers:
            continue
        hidden = _hidden(released, index, (*ENPS_MEASURES,) if measure == ENPS else (measure,))
        if hidden is not None:
            rows.append(row(measure, hidden=hidden))
        elif measure == ENPS:
            promoters, detractors = sums[PROMOTERS][1], sums[DETRACTORS][1]
            rows.append(
                row(ENPS, people=people, answers=int(answers), value=100 * (promoters - detractors) / answers)
            )
        else:
            rows.append(row(measure, people=people, answers=int(answers), value=total / answers))
    return rows


def _hidden(released: Released, index: int, measures: tuple[str, ...]) -> str | None:
    for measure in measures:
        why = released.hidden_measures.get((index, measure))
        if why is not None:
            return str(why)
    return None
