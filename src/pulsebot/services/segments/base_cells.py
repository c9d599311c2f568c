"""The base cells of a period: one run's cell each, with its attributes and its answers' tallies.

Every segment figure is a sum of base cells, so they are read from the answers once, when the period is
released, and never again. A base cell is (run, cell): the cell fixed when the run opened (`run_cell`),
or, for a run opened without people's attributes (or an answer that carries no cell), the run's people
outside every cell, all of whose attributes are "not recorded".

Measures, each a tally of answers bounded by the answer scale (services/segments/disclosure.py Tally):

- each library driver: its items' answers on the 1–5 scale, a reversed item's turned round (6 − value),
  one answer per respondent (their mean when a run asks them two items of the driver);
- "enps": the 0–10 answers of eNPS questions, with "enps_promoters" (9–10) and "enps_detractors" (0–6)
  as 0/1 measures of the same answers;
- "participation": each person asked counts 1 if they answered, 0 if not (`run_cell.people` asked).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import distinct, func
from sqlmodel import Session, select

from pulsebot.services.segments.dimensions import Labels
from pulsebot.services.segments.disclosure import BaseCell, Tally
from pulsebot.services.survey.library import SCALE_TOP
from pulsebot.store.among import among
from pulsebot.store.models import Answer, Delivery, PulseRun, Question, QuestionKind, RunCell, Survey

ENPS, PROMOTERS, DETRACTORS, PARTICIPATION = "enps", "enps_promoters", "enps_detractors", "participation"
ENPS_MEASURES = (ENPS, PROMOTERS, DETRACTORS)
PROMOTER_FROM, DETRACTOR_TO = 9, 6
SCALE = (1.0, float(SCALE_TOP))


@dataclass(frozen=True)
class CellPlace:
    """Where a base cell sits: its run and team, and its cell's labels (None: not recorded)."""

    run: int
    team: str  # the survey's name
    labels: Labels = field(default_factory=Labels)

    def attribute(self, name: str) -> str | None:
        return getattr(self.labels, name)


@dataclass(frozen=True)
class PeriodCells:
    cells: tuple[BaseCell, ...]
    places: tuple[CellPlace, ...]  # the same order as `cells`


def read_base_cells(session: Session, *, run_ids: Sequence[int]) -> PeriodCells:
    """The base cells of these (closed) runs, with every cell of a run listed even when no one in it
    answered, so that participation counts everyone asked."""
    runs = dict(
        session.exec(
            select(PulseRun.id, Survey.name)
            .join(Survey, Survey.id == PulseRun.survey_id)
            .where(among(PulseRun.id, run_ids))
        ).all()
    )
    if not runs:
        return PeriodCells(cells=(), places=())
    snapshot = session.exec(select(RunCell).where(among(RunCell.run_id, list(runs)))).all()
    respondents = {
        (run, cell): count
        for run, cell, count in session.exec(
            select(Answer.run_id, Answer.cell, func.count(distinct(Answer.respondent)))
            .where(among(Answer.run_id, list(runs)))
            .group_by(Answer.run_id, Answer.cell)
        ).all()
    }
    asked = dict(
        session.exec(
            select(Delivery.run_id, func.count())
            .where(among(Delivery.run_id, list(runs)))
            .group_by(Delivery.run_id)
        ).all()
    )
    tallies = _driver_tallies(session, list(runs))
    for key, enps in _enps_tallies(session, list(runs)).items():
        tallies[key].update(enps)

    cells: list[BaseCell] = []
    places: list[CellPlace] = []
    in_cells: dict[int, int] = defaultdict(int)
    for row in sorted(snapshot, key=lambda row: (row.run_id, row.cell)):
        people = respondents.get((row.run_id, row.cell), 0)
        audience = max(row.people, people)
        in_cells[row.run_id] += row.people
        cells.append(_cell(row.run_id, people, audience, tallies.get((row.run_id, row.cell), {})))
        places.append(CellPlace(run=row.run_id, team=runs[row.run_id], labels=Labels.held_by(row)))
    known = {(row.run_id, row.cell) for row in snapshot}
    # Answers that carry no cell (or a cell the snapshot does not have): the run's people outside its cells.
    outside: dict[int, int] = defaultdict(int)
    outside_tallies: dict[int, dict[str, Tally]] = defaultdict(dict)
    for (run, cell), people in respondents.items():
        if (run, cell) not in known:
            outside[run] += people
            outside_tallies[run] = _added(outside_tallies[run], tallies.get((run, cell), {}))
    for run in sorted(runs):
        if run in in_cells and run not in outside:
            continue
        people = outside.get(run, 0)
        audience = max(asked.get(run, 0) - in_cells.get(run, 0), people)
        cells.append(_cell(run, people, audience, outside_tallies.get(run, {})))
        places.append(CellPlace(run=run, team=runs[run]))
    return PeriodCells(cells=tuple(cells), places=tuple(places))


def _cell(run: int, people: int, audience: int, tallies: dict[str, Tally]) -> BaseCell:
    measures = dict(tallies)
    if audience:
        measures[PARTICIPATION] = Tally(answers=audience, total=float(people), low=0.0, high=1.0)
    return BaseCell(run=run, people=people, tallies=measures)


def _added(into: dict[str, Tally], more: dict[str, Tally]) -> dict[str, Tally]:
    merged = dict(into)
    for measure, tally in more.items():
        had = merged.get(measure)
        merged[measure] = (
            tally
            if had is None
            else Tally(
                answers=had.answers + tally.answers, total=had.total + tally.total, low=had.low, high=had.high
            )
        )
    return merged


def _driver_tallies(session: Session, run_ids: list[int]) -> dict[tuple[int, int | None], dict[str, Tally]]:
    """A driver's answers counted per respondent: a run may ask two items of one driver (more items a
    pulse than drivers), and a respondent's mean over them is one answer, so that a cell never holds
    more answers of a driver than people."""
    rows = session.exec(
        select(
            Answer.run_id,
            Answer.cell,
            Answer.respondent,
            Question.driver,
            Question.reversed,
            func.count(),
            func.sum(Answer.value),
        )
        .join(Question, Question.id == Answer.question_id)
        .where(
            among(Answer.run_id, run_ids),
            Question.driver.is_not(None),
            Question.kind == QuestionKind.scale,
            Answer.value.is_not(None),
        )
        .group_by(Answer.run_id, Answer.cell, Answer.respondent, Question.driver, Question.reversed)
    ).all()
    per_respondent: dict[tuple[int, int | None, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for run, cell, respondent, driver, reversed_item, count, total in rows:
        turned = (SCALE_TOP + 1) * count - total if reversed_item else total  # each value v counts 6 − v
        per_respondent[run, cell, respondent, driver][0] += count
        per_respondent[run, cell, respondent, driver][1] += float(turned)
    sums: dict[tuple[int, int | None], dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0.0])
    )
    for (run, cell, _respondent, driver), (count, total) in per_respondent.items():
        sums[run, cell][driver][0] += 1
        sums[run, cell][driver][1] += total / count
    tallies: dict[tuple[int, int | None], dict[str, Tally]] = defaultdict(dict)
    for key, drivers in sums.items():
        for driver, (count, total) in drivers.items():
            tallies[key][driver] = Tally(answers=int(count), total=total, low=SCALE[0], high=SCALE[1])
    return tallies


def _enps_tallies(session: Session, run_ids: list[int]) -> dict[tuple[int, int | None], dict[str, Tally]]:
    rows = session.exec(
        select(
            Answer.run_id,
            Answer.cell,
            func.count(),
            func.sum(Answer.value),
            func.count().filter(Answer.value >= PROMOTER_FROM),
            func.count().filter(Answer.value <= DETRACTOR_TO),
        )
        .join(Question, Question.id == Answer.question_id)
        .where(among(Answer.run_id, run_ids), Question.kind == QuestionKind.enps, Answer.value.is_not(None))
        .group_by(Answer.run_id, Answer.cell)
    ).all()
    return {
        (run, cell): {
            ENPS: Tally(answers=count, total=float(total), low=0.0, high=10.0),
            PROMOTERS: Tally(answers=count, total=float(promoters), low=0.0, high=1.0),
            DETRACTORS: Tally(answers=count, total=float(detractors), low=0.0, high=1.0),
        }
        for run, cell, count, total, promoters, detractors in rows
    }
