"""What an answer click reads about an open run, kept per process so that a burst of clicks on one run
does not read the same rows again for each.

A click has to know the run's questions, its survey's channel, time zone and whether managers answer,
and the run's key material; none of that changes while the run is open, except through an edit of the
survey (which moves `Survey.updated_at`). So each click reads one small row, the run's state: whether
it is still open, when it closes, and the survey's `updated_at`; the rest comes from this cache when the
`updated_at` it was read under is still the survey's, and is read afresh otherwise. Whatever another
process may change meanwhile is read on every click: the run's state (closed early by an admin or the
scheduler of another replica), and everything about the person (their delivery, their cell, whether
they manage the team now). The batch that writes the answers checks the run open once more, under the
lock its close takes (services/pulse/answers.py), so the cache can never let an answer in after a close.

An entry goes when its run is seen closed, when its closing time has passed (its key material must not
outlive the run in memory longer than in the database), or when the cache is full (least recently used
first). The cache serves every workspace of the process: an entry is only reached after the run's state
was read through the request's own scoped session, which sees its workspace's runs alone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from cachetools import LRUCache
from sqlalchemy import or_
from sqlmodel import Session, select

from pulsebot.services.pulse.answer_keys import run_secret
from pulsebot.services.pulse.pulses import QuestionView, question_view
from pulsebot.store.models import PulseRun, Question, RunQuestion, RunStatus, Survey

# Open runs held at once: a 2,000-team organisation with every team's pulse open at the same time,
# twice over; each entry is a few questions' wording.
OPEN_RUNS_HELD = 4096


@dataclass(frozen=True)
class RunState:
    """What may change under an open run, read on every click (one row)."""

    status: RunStatus
    closes_at: datetime
    closed_at: datetime | None
    survey_edited_at: datetime
    timezone: str

    def closed(self, now: datetime) -> bool:
        return self.status is RunStatus.closed or now >= self.closes_at


@dataclass(frozen=True)
class RunFacts:
    """What does not change while a run is open and its survey is not edited."""

    run_id: int
    survey_id: int
    run_date: date
    closes_at: datetime
    survey_edited_at: datetime  # the survey's `updated_at` these facts were read under
    timezone: str
    channel_id: str
    managers_answer: bool
    secret: str | None  # None only for a run from before per-run keys, not yet keyed
    questions: dict[int, QuestionView]  # every question the run takes an answer to, by id


def run_state(session: Session, *, run_id: int) -> RunState | None:
    """The run's state now, or None when there is no such run (in this workspace)."""
    row = session.exec(
        select(PulseRun.status, PulseRun.closes_at, PulseRun.closed_at, Survey.updated_at, Survey.timezone)
        .join(Survey, Survey.id == PulseRun.survey_id)
        .where(PulseRun.id == run_id)
    ).first()
    return None if row is None else RunState(*row)


class OpenRuns:
    """The facts of the open runs clicked lately in this process, by run id."""

    def __init__(self, *, maxsize: int = OPEN_RUNS_HELD) -> None:
        self._held: LRUCache[int, RunFacts] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def facts(self, session: Session, *, run_id: int, state: RunState, now: datetime) -> RunFacts:
        """The run's facts, from the cache when they were read under the survey's current edit; `state`
        was just read in `session` and says the run is open."""
        with self._lock:
            held = self._held.get(run_id)
        if held is not None and held.survey_edited_at == state.survey_edited_at:
            return held
        facts = load_facts(session, run_id=run_id)  # outside the lock: other runs' clicks go on
        with self._lock:
            self._forget_closed(now)
            if facts.secret is not None:  # a run still to be keyed is read again until it is
                self._held[run_id] = facts
        return facts

    def forget(self, run_id: int) -> None:
        """The run was seen closed (or gone): nothing of it is kept."""
        with self._lock:
            self._held.pop(run_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._held)

    def _forget_closed(self, now: datetime) -> None:
        for run_id in [run_id for run_id, facts in self._held.items() if now >= facts.closes_at]:
            del self._held[run_id]


def load_facts(session: Session, *, run_id: int) -> RunFacts:
    """Read a run's facts: its survey, its key material, and the questions it takes answers to (the
    survey's own questions, any version of them, and the library items written down for this run)."""
    run = session.get(PulseRun, run_id)
    survey = session.get(Survey, run.survey_id)
    chosen = select(RunQuestion.question_id).where(RunQuestion.run_id == run_id)
    questions = session.exec(
        select(Question).where(
            Question.survey_id == run.survey_id,
            or_(Question.from_library.is_(False), Question.id.in_(chosen)),
        )
    ).all()
    return RunFacts(
        run_id=run_id,
        survey_id=survey.id,
        run_date=run.run_date,
        closes_at=run.closes_at,
        survey_edited_at=survey.updated_at,
        timezone=survey.timezone,
        channel_id=survey.channel_id,
        managers_answer=survey.managers_answer,
        secret=run_secret(session, run_id=run_id),
        questions={question.id: _view(question) for question in questions},
    )


def _view(question: Question) -> QuestionView:
    return question_view(question)
