"""Closed runs' released figures (release.py) as one pass over the organisation reads them.

The digests read the same runs several times: the weekly figures read the window's runs, the driver scores
each team's last two windows of runs, which mostly lie in the same weeks. A run's released figures never
change, so a `ReleasedFigures` made for one pass (one build of every digest) fetches each run's question
cells and each question's description once, and hands the same rows to every reader. Each reader still
applies its own rules to them (week_totals.py, drivers.py); nothing here decides what may be shown.

Neither table belongs to a workspace itself: a run's cells hang off the run and a question off its survey
(store/scoping.py), and both are reached here only by the ids of runs and questions the readers found
through the workspace's session. So they are read with plain SQL on the session's connection, without
the ORM's work on each of 100,000 rows. A list of runs or questions travels as one parameter
(store/among.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

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


# A rated question's released totals in one run: (question, answers, their sum, answers per value 0..10);
# the last three None when too few answered it. Plain tuples: a large organisation has 100,000 of them.
Cell = tuple[int, int | None, int | None, tuple[int, ...] | None]


class ReleasedFigures:
    """The released cells of runs and the questions they belong to, each fetched once per pass."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cells: dict[int, list[Cell]] = {}
        self._questions: dict[int, QuestionInfo] = {}

    def cells(self, run_ids: Collection[int]) -> dict[int, list[Cell]]:
        """The cells of these runs (an empty list for a run without any)."""
        missing = [run_id for run_id in run_ids if run_id not in self._cells]
        if missing:
            query = select(*_CELL_COLUMNS).where(among(RunQuestionFigures.run_id, missing))
            self._keep(missing, self.session.connection().execute(query).all())
        return {run_id: self._cells[run_id] for run_id in run_ids}

    def questions(self, question_ids: Iterable[int]) -> dict[int, QuestionInfo]:
        wanted = set(question_ids)
        missing = wanted - self._questions.keys()
        if missing:
            columns = (Question.id, Question.key, Question.version, Question.prompt, plain(Question.kind))
            columns += (Question.position, Question.driver, Question.reversed, Question.from_library)
            kinds = Members(QuestionKind)
            query = select(*columns).where(among(Question.id, missing))
            for qid, key, version, prompt, kind, *rest in self.session.connection().execute(query).all():
                self._questions[qid] = QuestionInfo(qid, key, version, prompt, kinds[kind], *rest)
        return {qid: self._questions[qid] for qid in wanted if qid in self._questions}

    def _keep(self, run_ids: list[int], rows) -> None:
        fresh: dict[int, list[Cell]] = {run_id: [] for run_id in run_ids}
        # The counts come as text and are parsed in one call (store/plain.py), not row by row.
        counts = json_lists(row[4] for row in rows)
        for (run_id, question_id, n, total, _), counted in zip(rows, counts, strict=True):
            fresh[run_id].append((question_id, n, total, None if counted is None else tuple(counted)))
        self._cells |= fresh


_CELL_COLUMNS = (
    RunQuestionFigures.run_id,
    RunQuestionFigures.question_id,
    RunQuestionFigures.answers,
    RunQuestionFigures.total,
    as_text(RunQuestionFigures.counts),
)
