"""The mixing window: answers wait up to PULSEBOT_MIX_SECONDS and are written together, shuffled.

Written one by one, each answer would get its own transaction id on PostgreSQL and its own commit in
SQLite's write-ahead log, in the order people clicked: anyone who reads the database and knows (or
watches) when a colleague clicked could pick out their row. Held back and written as one shuffled
batch (services/pulse/answers.py), the answers of a window cannot be told apart by anything the database
keeps. The click is acknowledged at once; the person is thanked once their batch is committed. A
process that dies holds answers nobody was thanked for: they are lost, and clicking again works.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from pulsebot.services.errors import Refusal
from pulsebot.services.loop.helping import HelpingReceipt, PendingHelpingAnswer, write_helping_answers
from pulsebot.services.onboarding.onboarding import (
    OnboardingReceipt,
    PendingOnboardingAnswer,
    write_onboarding_answers,
)
from pulsebot.services.pulse.answers import AnswerReceipt, PendingAnswer, write_answers
from pulsebot.store.db import SessionFactory, engine_of, scrub, transaction

log = logging.getLogger(__name__)

MOST_PENDING = 200  # a window this full is written at once: it mixes enough, and thanks are not held up


Pending = PendingAnswer | PendingHelpingAnswer | PendingOnboardingAnswer
Receipt = AnswerReceipt | HelpingReceipt | OnboardingReceipt


@dataclass(frozen=True)
class Waiting:
    answer: Pending  # a pulse answer, or an "Is this helping?" answer (services/loop/helping.py)
    # The receipt, or the refusal of an answer whose pulse or round closed (or went) while it waited.
    saved: Callable[[Receipt | Refusal], None]
    failed: Callable[[], None]  # the batch could not be written: nothing of it was saved


class AnswerMixer:
    def __init__(self, sessions: SessionFactory, *, window: float, most_pending: int = MOST_PENDING) -> None:
        self.sessions, self.window, self.most_pending = sessions, window, most_pending
        self._pending: list[Waiting] = []
        self._lock = threading.Lock()
        self._full = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(
        self,
        answer: Pending,
        *,
        saved: Callable[[Receipt | Refusal], None],
        failed: Callable[[], None],
    ) -> None:
        """Take a checked answer; `saved` or `failed` is called once its batch is written or not."""
        waiting = Waiting(answer, saved, failed)
        if self.window <= 0:
            self._write([waiting])
            return
        with self._lock:
            if self._stopped.is_set():
                write_now = True
            else:
                write_now = False
                self._pending.append(waiting)
                if len(self._pending) >= self.most_pending:
                    self._full.set()
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="answer-mixer", daemon=True)
                    self._thread.start()
        if write_now:  # stopping: write it now rather than lose it
            self._write([waiting])

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Write everything waiting now, as one batch; how many answers it held."""
        with self._lock:
            batch, self._pending = self._pending, []
            self._full.clear()
        if batch:
            self._write(batch)
        return len(batch)

    def stop(self) -> None:
        """Write what is waiting, and stop the window's thread (pulsebot is shutting down)."""
        with self._lock:
            self._stopped.set()
            self._full.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._full.wait(self.window)
            self.flush()

    def _write(self, batch: list[Waiting]) -> None:
        try:
            with transaction(self.sessions) as session:
                receipts = write_batch(session, [waiting.answer for waiting in batch])
            # SQLite's write-ahead log would keep this commit apart from the next: empty it. (PostgreSQL
            # needs nothing more: every row of the batch carries the same transaction id.)
            scrub(engine_of(self.sessions), ())
        except SQLAlchemyError as error:
            # Never the answers themselves in the log, nor how many there were (a live count of a run
            # still open): only that a batch was lost, and why. Each person was told.
            log.error("could not save a batch of answers: %s", type(error).__name__)
            for waiting in batch:
                waiting.failed()
            return
        for waiting, receipt in zip(batch, receipts, strict=True):
            waiting.saved(receipt)


def write_batch(session: Session, batch: list[Pending]) -> list[Receipt | Refusal]:
    """Pulse answers, "Is this helping?" answers and onboarding answers of one window, in one
    transaction; receipts (or refusals) in the batch's order."""
    receipts: list[Receipt | Refusal | None] = [None] * len(batch)
    kinds = (
        (PendingAnswer, write_answers),
        (PendingHelpingAnswer, write_helping_answers),
        (PendingOnboardingAnswer, write_onboarding_answers),
    )
    for kind, write in kinds:
        numbers = [number for number, item in enumerate(batch) if isinstance(item, kind)]
        if numbers:
            for number, receipt in zip(numbers, write(session, [batch[n] for n in numbers]), strict=True):
                receipts[number] = receipt
    return [receipt for receipt in receipts if receipt is not None]
