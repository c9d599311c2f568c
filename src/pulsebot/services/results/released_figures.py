"""Closed runs' released figures (release.py) as one pass over the organisation reads them.

The digests read the same runs several times: the weekly figures read the window's runs, the driver scores
each team's last two windows of runs, which mostly lie in the same weeks. A run's released figures never
change, so a `ReleasedFigures` made for one pass (one build of every digest) fetches each run's question
cells and each question's description once, and hands the same rows to every reader. Each reader still
applies its own rules to them (week_totals.py, drivers.py); nothing here decides what may be shown.

Every statement goes through the session (so a workspace's session reads its own rows only), and a list
of runs or questions travels as one parameter (store/among.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

from sqlalchemy import CTE
from sqlmodel import Session, select

from pulsebot.store.among import among
from pulsebot.store.models import Question, QuestionKind, RunQuestionFigures
from pulsebot.store.plain import Members, as_text, json_lists, plain


class QuestionInfo(NamedTuple):
    id: int
    key: str
    version: int
    prompt: str
    kind: QuestionKind
    position: int
    driver: str | None = None  # a library item's driver (services/results/drivers.py)
    reversed: bool = False  # a library item where agreeing is unfavourable: it counts as 6 − the answer
    from_library: bool = False  # asked from the question library (its driver scores read these only)


class Cell(NamedTuple):
    """A rated question's released totals in one run; `answers` None when too few answered it."""

    question_id: int
    answers: int | None
    total: int | None
    counts: list[int] | None  # answers per value 0..10


class ReleasedFigures:
    """The released cells of runs and the questions they belong to, each fetched once per pass."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cells: dict[int, list[Cell]] = {}
        self._questions: dict[int, QuestionInfo] = {}

    def cells_of_window(self, runs: CTE, run_ids: Iterable[int]) -> dict[int, list[Cell]]:
        """The cells of every run of `runs` (a CTE with an `id` column; `run_ids` are all of its runs),
        read by joining it, which is cheaper than naming each run."""
        wanted = list(run_ids)
        if any(run_id not in self._cells for run_id in wanted):
            query = select(*_CELL_COLUMNS).select_from(runs)
            query = query.join(RunQuestionFigures, RunQuestionFigures.run_id == runs.c.id)
            self._keep(wanted, self.session.exec(query).all())
        return {run_id: self._cells[run_id] for run_id in wanted}

    def cells(self, run_ids: Collection[int]) -> dict[int, list[Cell]]:
        """The cells of these runs (an empty list for a run without any)."""
        missing = [run_id for run_id in run_ids if run_id not in self._cells]
        if missing:
            query = select(*_CELL_COLUMNS).where(among(RunQuestionFigures.run_id, missing))
            self._keep(missing, self.session.exec(query).all())
        return {run_id: self._cells[run_id] for run_id in run_ids}

    def questions(self, question_ids: Iterable[int]) -> dict[int, QuestionInfo]:
        wanted = set(question_ids)
        missing = wanted - self._questions.keys()
        if missing:
            columns = (Question.id, Question.key, Question.version, Question.prompt, plain(Question.kind))
            columns += (Question.position, Question.driver, Question.reversed, Question.from_library)
            kinds = Members(QuestionKind)
            for row in self.session.exec(select(*columns).where(among(Question.id, missing))).all():
                self._questions[row[0]] = QuestionInfo(*row[:4], kinds[row[4]], *row[5:])
        return {qid: self._questions[qid] for qid in wanted if qid in self._questions}

    def _keep(self, run_ids: list[int], rows) -> None:
        """Keep the rows of those of `run_ids` not kept yet (a run read before keeps its rows)."""
        fresh = {run_id: [] for run_id in run_ids if run_id not in self._cells}
        # The counts come as text and are parsed in one call (store/plain.py), not row by row.
        counts = json_lists(row[4] for row in rows)
        for (run_id, question_id, n, total, _), counted in zip(rows, counts, strict=True):
            if run_id in fresh:
                fresh[run_id].append(Cell(question_id, n, total, counted))
        self._cells |= fresh


_CELL_COLUMNS = (
    RunQuestionFigures.run_id,
    RunQuestionFigures.question_id,
    RunQuestionFigures.answers,
    RunQuestionFigures.total,
    as_text(RunQuestionFigures.counts),
)
