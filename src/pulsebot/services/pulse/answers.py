"""Answers: checked when the person clicks, written later together with others in a shuffled batch.

`prepare_answer` / `prepare_comment` only read: they refuse what cannot be recorded (a closed pulse,
someone it was not sent to, a value that is not a choice) and compute the person's respondent token.
`write_answers` then writes a whole batch in one transaction and one statement, in random order, so
that neither PostgreSQL's transaction ids (`xmin`), nor the physical order of rows (`ctid`, SQLite's
rowid), nor SQLite's commit order separates one click of the batch from another. Nothing else is
written with them: whether someone answered is never stored, it is found by recomputing their token.
An answer carries its respondent's cell (services/segments/cells.py), read from the run's members when
they click: one of at least K people of the audience, the same for every answer of theirs to the run.
A pulse that closed while an answer waited for its batch refuses it then: closed figures never change.

"N/A" (a rated question with `not_applicable`) is an answer like any other, stored with no value and the
choice NOT_APPLICABLE: its respondent counts among the run's respondents (the response rate), and no
figure of the question counts it, since every figure is made of values (services/results/release.py,
services/segments/base_cells.py). So the question's figures, and its minimum group, rest on the others.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import delete, tuple_
from sqlmodel import Session, select

from pulsebot.i18n import N_
from pulsebot.services.errors import Closed, Invalid, NotFound, Refusal
from pulsebot.services.pulse.answer_keys import respondent_tokens
from pulsebot.services.pulse.answerable import GONE, Answerable, answerable, local_day
from pulsebot.services.pulse.open_runs import OpenRuns
from pulsebot.services.pulse.pulses import QuestionView
from pulsebot.services.results.comment_language import written_in_english
from pulsebot.services.results.sentiment import score_text
from pulsebot.store.db import lock_still_open
from pulsebot.store.models import Answer, PulseRun, QuestionKind, RunStatus
from pulsebot.store.upsert import upsert

COMMENT_MAX_CHARS = 2000
LATE = N_("This pulse closed before your answer was saved, so it was not counted.")
VALUE_RANGES = {QuestionKind.scale: range(1, 6), QuestionKind.enps: range(11), QuestionKind.yes_no: range(2)}
NOT_APPLICABLE = "n/a"  # the answer "N/A": stored as the choice of a rated question, never as a value
NOT_APPLICABLE_LABEL = "not applicable"

_shuffle = random.SystemRandom().shuffle


class AnswerPart(enum.StrEnum):
    rating = "rating"  # a click: a value, or a choice's text
    comment = "comment"  # a comment, or a text question's answer
    no_comment = "no_comment"  # an optional comment taken back


@dataclass(frozen=True)
class AnswerReceipt:
    replaced: bool
    question_prompt: str
    value_label: str
    closes_at: datetime
    timezone: str
    removed: bool = False  # an optional comment was taken back
    prompts: tuple[tuple[str, str], ...] = ()  # the question's translations (QuestionView.prompts)

    def prompt_in(self, language: str) -> str:
        return dict(self.prompts).get(language, self.question_prompt)


@dataclass(frozen=True)
class PendingAnswer:
    """One person's checked answer, waiting for its batch. Holds the token and the cell, never the
    person."""

    run_id: int
    question_id: int
    respondent: str
    run_date: date
    part: AnswerPart
    receipt: AnswerReceipt
    cell: int | None = None  # the respondent's cell of the run; None for a run without cells
    value: int | None = None
    choice: str | None = None
    comment: str | None = None
    sentiment: float | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return self.run_id, self.question_id, self.respondent


def prepare_answer(
    session: Session,
    *,
    run_id: int,
    question_id: int,
    user_id: str,
    value: int | str,
    key: bytes,
    now: datetime,
    is_admin: bool = False,
    runs: OpenRuns | None = None,
) -> PendingAnswer:
    """Check one rated answer (a click): a value, a choice's number, or NOT_APPLICABLE; answering again
    will replace the earlier one. `is_admin`: the person is a pulsebot admin now (see
    services/pulse/answerable.py); `runs`: the process's open runs, read once (open_runs.py)."""
    asked = answerable(
        session,
        run_id=run_id,
        question_id=question_id,
        user_id=user_id,
        key=key,
        now=now,
        is_admin=is_admin,
        runs=runs,
    )
    label, choice = _validate_value(asked.question, value)
    receipt = _receipt(asked, label)
    value = None if choice is not None else value
    return _pending(asked, AnswerPart.rating, receipt, value=value, choice=choice)


def prepare_comment(
    session: Session,
    *,
    run_id: int,
    question_id: int,
    user_id: str,
    comment: str,
    key: bytes,
    now: datetime,
    is_admin: bool = False,
    runs: OpenRuns | None = None,
) -> PendingAnswer:
    """Check a free-text answer, or the comment on a rated answer; sending again replaces it.

    A required text question refuses blank text. Anything optional (a comment on a rated question, a
    text question that is not required) is taken back when sent blank.
    """
    asked = answerable(
        session,
        run_id=run_id,
        question_id=question_id,
        user_id=user_id,
        key=key,
        now=now,
        is_admin=is_admin,
        runs=runs,
    )
    comment = comment.strip()
    receipt = _receipt(asked, "your comment")
    if not comment:
        if asked.question.required and asked.question.kind is QuestionKind.text:
            raise Invalid(N_("This question needs an answer; write a few words, or press Cancel."))
        earlier = session.get(Answer, (run_id, question_id, asked.respondent))
        if earlier is None or earlier.comment is None:
            raise Invalid(N_("The comment is empty, so nothing was recorded."))
        removal = replace(receipt, replaced=True, removed=True)
        return _pending(asked, AnswerPart.no_comment, removal)
    if len(comment) > COMMENT_MAX_CHARS:
        raise Invalid(
            N_("Please keep it under {limit} characters (this one has {length})."),
            limit=lambda tr: tr.number(COMMENT_MAX_CHARS, 0),
            length=lambda tr: tr.number(len(comment), 0),
        )
    # The model reads English only: another language's comment gets no score rather than a wrong one.
    sentiment = score_text(comment).score if written_in_english(comment) else None
    return _pending(asked, AnswerPart.comment, receipt, comment=comment, sentiment=sentiment)


@dataclass(frozen=True)
class CommentForm:
    question: QuestionView
    earlier: str | None  # the person's own earlier comment, shown back to them alone


def comment_form(
    session: Session,
    *,
    run_id: int,
    question_id: int,
    user_id: str,
    key: bytes,
    now: datetime,
    is_admin: bool = False,
    runs: OpenRuns | None = None,
) -> CommentForm:
    """What the comment modal needs; refuses up front (closed, not a member) so no one types in vain."""
    asked = answerable(
        session,
        run_id=run_id,
        question_id=question_id,
        user_id=user_id,
        key=key,
        now=now,
        is_admin=is_admin,
        runs=runs,
    )
    answer = session.get(Answer, (run_id, question_id, asked.respondent))
    return CommentForm(question=asked.question, earlier=answer.comment if answer is not None else None)


def write_answers(session: Session, pending: Sequence[PendingAnswer]) -> list[AnswerReceipt | Refusal]:
    """Write a batch, in arrival order for each answer and in random order overall; one receipt per
    pending answer, or the refusal of one whose pulse closed (or went) while it waited for its window.

    A run's figures are shown from its close on and must never change after: each run is checked open
    in this transaction, under a lock its close takes too (services/pulse/closing.py), so either the
    whole batch is in before the close or the close comes first and the batch's answers to it are
    refused. That holds whichever replica's window holds them."""
    runs = sorted({item.run_id for item in pending})
    open_runs, gone = lock_still_open(session, PulseRun.id, PulseRun.status, runs, open_status=RunStatus.open)
    refused = {
        run_id: NotFound(GONE) if run_id in gone else Closed(LATE)
        for run_id in runs
        if run_id not in open_runs
    }
    live = [item for item in pending if item.run_id in open_runs]
    keys = {item.key for item in live}
    stored: dict[tuple[int, int, str], dict] = {}
    if keys:
        columns = (Answer.run_id, Answer.question_id, Answer.respondent)
        for answer in session.exec(select(Answer).where(tuple_(*columns).in_(list(keys)))).all():
            stored[answer.run_id, answer.question_id, answer.respondent] = answer.model_dump()
    final: dict[tuple[int, int, str], dict] = {}
    receipts: dict[int, AnswerReceipt | Refusal] = {}
    for number, item in enumerate(pending):
        if item.run_id in refused:
            receipts[number] = refused[item.run_id]
            continue
        earlier = final.get(item.key) or stored.get(item.key)
        row = dict(earlier or _empty_row(item))
        row["cell"] = item.cell  # the run's members are fixed: the same cell as any earlier part
        receipts[number] = (
            item.receipt
            if item.part is AnswerPart.no_comment
            else replace(item.receipt, replaced=_changes(earlier, item))
        )
        if item.part is AnswerPart.rating:
            row["value"], row["choice"] = item.value, item.choice
        elif item.part is AnswerPart.comment:
            row["comment"], row["sentiment"] = item.comment, item.sentiment
        else:
            row["comment"], row["sentiment"] = None, None
        final[item.key] = row
    keep = [row for row in final.values() if not _blank(row)]
    gone = [key for key, row in final.items() if _blank(row) and key in stored]
    _shuffle(keep)
    _shuffle(gone)
    upsert(
        session,
        Answer.__table__,
        keep,
        key=("run_id", "question_id", "respondent"),
        update=("value", "choice", "comment", "sentiment", "cell"),
    )
    if gone:
        columns = (Answer.run_id, Answer.question_id, Answer.respondent)
        session.exec(delete(Answer).where(tuple_(*columns).in_(gone)))
    session.flush()
    return [receipts[number] for number in range(len(pending))]


def _changes(earlier: dict | None, item: PendingAnswer) -> bool:
    """Whether this answer replaces a different one: the same answer again (Slack's retry of a click,
    or a second click on the same button) is thanked with the first time's words."""
    if earlier is None:
        return False
    if item.part is AnswerPart.rating:
        before = (earlier["value"], earlier["choice"])
        return before != (None, None) and before != (item.value, item.choice)
    return earlier["comment"] is not None and earlier["comment"] != item.comment


def record_answer(session: Session, **kwargs) -> AnswerReceipt:
    """Check and write one rated answer at once (the demo, the tests' data, PULSEBOT_MIX_SECONDS=0)."""
    return _written(write_answers(session, [prepare_answer(session, **kwargs)])[0])


def record_comment(session: Session, **kwargs) -> AnswerReceipt:
    """Check and write one comment at once."""
    return _written(write_answers(session, [prepare_comment(session, **kwargs)])[0])


def _written(result: AnswerReceipt | Refusal) -> AnswerReceipt:
    if isinstance(result, Refusal):
        raise result
    return result


def has_answered(session: Session, *, run_id: int, user_id: str, key: bytes) -> bool:
    """Whether this person answered anything in this run, found by recomputing their token."""
    return user_id in answered_among(session, run_id=run_id, people=[user_id], key=key)


def answered_among(session: Session, *, run_id: int, people: Iterable[str], key: bytes) -> set[str]:
    """Which of these people answered anything in this run: their tokens recomputed, looked for at once."""
    tokens = respondent_tokens(session, key=key, run_id=run_id, people=people)
    if not tokens:
        return set()
    found = set(
        session.exec(
            select(Answer.respondent)
            .where(Answer.run_id == run_id, Answer.respondent.in_(list(tokens.values())))
            .distinct()
        ).all()
    )
    return {user_id for user_id, token in tokens.items() if token in found}


def closing_phrase(receipt: AnswerReceipt) -> str:
    return local_day(receipt.closes_at, receipt.timezone)


def _pending(asked: Answerable, part: AnswerPart, receipt: AnswerReceipt, **values) -> PendingAnswer:
    return PendingAnswer(
        run_id=asked.run.run_id,
        question_id=asked.question.id,
        respondent=asked.respondent,
        run_date=asked.run.run_date,
        part=part,
        receipt=receipt,
        cell=asked.cell,
        **values,
    )


def _empty_row(item: PendingAnswer) -> dict:
    """A new answer's row, with every column a stored one has (Answer.model_dump): the batch is one
    INSERT of many rows in random order, and one whose columns differ from the first row's cannot join it."""
    return {
        "run_id": item.run_id,
        "question_id": item.question_id,
        "respondent": item.respondent,
        "run_date": item.run_date,
        "value": None,
        "choice": None,
        "comment": None,
        "sentiment": None,
        "cell": item.cell,
    }


def _blank(row: dict) -> bool:
    return row["value"] is None and row["choice"] is None and row["comment"] is None


def _receipt(asked: Answerable, label: str) -> AnswerReceipt:
    return AnswerReceipt(
        replaced=False,
        question_prompt=asked.question.prompt,
        prompts=asked.question.prompts,
        value_label=label,
        closes_at=asked.run.closes_at,
        timezone=asked.run.timezone,
    )


def _validate_value(question: QuestionView, value: int | str) -> tuple[str, str | None]:
    """Return the label to echo back and, for a choice or "N/A", the text to store."""
    if value == NOT_APPLICABLE and question.not_applicable and question.kind in VALUE_RANGES:
        return NOT_APPLICABLE_LABEL, NOT_APPLICABLE
    if isinstance(value, int) and question.kind is QuestionKind.choice:
        options = question.options
        if 0 <= value < len(options):
            return options[value], options[value]
    elif isinstance(value, int) and question.kind in VALUE_RANGES and value in VALUE_RANGES[question.kind]:
        if question.kind is QuestionKind.yes_no:
            return ("yes" if value else "no"), None
        return str(value), None
    raise Invalid(N_("That answer is not one of the choices, so nothing was recorded."))
