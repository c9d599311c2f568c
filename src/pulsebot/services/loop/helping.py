""" "Is this helping?" on a shared action: a short anonymous round, then only its counts.

A round opens when a shared (visible) action starts and again when it is done, and stays open
`ROUND_DAYS`. Only the team answers: the people its latest pulse was sent to. An answer is keyed like
a pulse answer, by HMAC(PULSEBOT_ANON_KEY and the round's own secret, person), with no Slack id and no
time, and it waits for the mixing window (services/pulse/answer_mixer.py) like any answer, so the order
and transaction of its row say nothing about the click. Answering again replaces the answer; an answer
whose batch comes after the round closed is refused, never counted.

When the round closes its counts are kept only if at least the minimum group answered (otherwise the
round is `withheld`, and not even how many answered is kept) and only if the rule for distributions
lets them be shown (services/privacy/distributions.py: "5 no", or "1 yes, 4 no" read by the one who said
yes, would tell colleagues what the others answered; then only how many answered is kept), then the
answers and the secret are deleted: from then on nobody, the operator included, can tell who answered
what. A round's counts are shown once, as they are: two rounds are two separate questions, never a
running total that could be subtracted.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, tuple_
from sqlmodel import Session, select

from pulsebot.services.errors import Closed, Invalid, NotAllowed, NotFound, Refusal
from pulsebot.services.privacy.anonymity import helping_token, new_run_secret
from pulsebot.services.privacy.distributions import shown_counts
from pulsebot.services.privacy.roles import sees_team_results
from pulsebot.services.survey.audience import latest_run, recipients, run_minimum, teams_of, viewers_counted
from pulsebot.store.db import lock_still_open, write_lock
from pulsebot.store.models import (
    ActionCheck,
    ActionCheckAnswer,
    ActionStatus,
    RunStatus,
    Survey,
    TeamAction,
)
from pulsebot.store.upsert import upsert

ROUND_DAYS = 7
LATE = "This question closed before your answer was saved, so it was not counted."
GONE = "That question is no longer asked."

_shuffle = random.SystemRandom().shuffle
ASKED_AT = (ActionStatus.in_progress, ActionStatus.done)


class Helping(enum.StrEnum):
    yes = "yes"
    not_yet = "not_yet"
    no = "no"


LABELS = {Helping.yes: "Yes", Helping.not_yet: "Not yet", Helping.no: "No"}


@dataclass(frozen=True)
class HelpingRound:
    """What the channel and the digest show of a round: counts only once closed and not withheld."""

    id: int
    action_id: int
    action_text: str
    focus_label: str
    owner_id: str
    for_status: ActionStatus
    open: bool
    closes_at: datetime
    channel_id: str | None
    message_ts: str | None
    answered: int | None = None  # once closed, when at least the minimum group answered
    counts: dict[Helping, int] | None = None  # and only when the rule for distributions shows them
    # Those of the team asked who can see its results (`managers_answer`): the round's minimum is the
    # minimum group plus this many (services/survey/audience.py).
    viewers: int = 0

    def minimum(self, min_group: int) -> int:
        return run_minimum(min_group, self.viewers)

    @property
    def withheld(self) -> bool:
        return not self.open and self.counts is None

    @property
    def too_alike(self) -> bool:
        """Enough answered, but the counts would tell someone a colleague's answer: only how many."""
        return self.withheld and self.answered is not None


@dataclass(frozen=True)
class PendingHelpingAnswer:
    """A checked answer waiting for its batch: the round and the token, never the person."""

    check_id: int
    respondent: str
    answer: Helping
    closes_at: datetime


@dataclass(frozen=True)
class HelpingReceipt:
    replaced: bool
    answer: Helping
    closes_at: datetime


def open_due_rounds(session: Session, *, now: datetime) -> list[HelpingRound]:
    """Open a round for each shared action that has started or is done and has no round for that yet."""
    asked = select(ActionCheck.id).where(
        ActionCheck.action_id == TeamAction.id, ActionCheck.for_status == TeamAction.status
    )
    due = session.exec(
        select(TeamAction).where(TeamAction.visible, TeamAction.status.in_(ASKED_AT), ~asked.exists())
    ).all()
    opened = []
    for action in due:
        check = ActionCheck(
            team_id=action.team_id,
            action_id=action.id,
            for_status=action.status,
            opened_at=now,
            closes_at=now + timedelta(days=ROUND_DAYS),
            secret=new_run_secret(),
        )
        session.add(check)
        session.flush()
        opened.append(_round(check, action, viewers=_viewers(session, survey_id=action.survey_id)))
    return opened


def mark_posted(session: Session, *, check_id: int, channel_id: str, message_ts: str) -> None:
    check = session.get(ActionCheck, check_id)
    check.channel_id, check.message_ts = channel_id, message_ts
    session.add(check)


def prepare_helping_answer(
    session: Session,
    *,
    check_id: int,
    user_id: str,
    answer: str,
    key: bytes,
    now: datetime,
    is_admin: bool = False,
) -> PendingHelpingAnswer:
    """Check one answer (read only): an open round, someone of the team, one of the three answers. As for
    a pulse, someone of the team who has since come to see its results (`is_admin`: a pulsebot admin now)
    is not asked unless the survey asks such people."""
    choice = next((item for item in Helping if item.value == answer), None)
    if choice is None:
        raise Invalid("That button is not one pulsebot recognises, so nothing was recorded.")
    check = session.get(ActionCheck, check_id)
    if check is None:
        raise NotFound(GONE)
    if check.status is RunStatus.closed or check.secret is None or now >= check.closes_at:
        raise Closed("This question has closed, so answers are no longer taken.")
    action = session.get(TeamAction, check.action_id)
    if action.survey_id not in teams_of(session, user_id=user_id):
        raise NotAllowed("Only the team this action is for can answer, and you are not in its latest pulse.")
    survey = session.get(Survey, action.survey_id)
    if not survey.managers_answer and sees_team_results(
        session, survey_id=survey.id, user_id=user_id, is_admin=is_admin
    ):
        raise NotAllowed("You can now see this team's results, so this question no longer takes your answer.")
    respondent = helping_token(key, check.secret, check_id=check.id, user_id=user_id)
    return PendingHelpingAnswer(
        check_id=check.id, respondent=respondent, answer=choice, closes_at=check.closes_at
    )


def write_helping_answers(
    session: Session, pending: Sequence[PendingHelpingAnswer]
) -> list[HelpingReceipt | Refusal]:
    """Write a batch in one statement, shuffled by the mixer; the refusal of an answer whose round closed
    (or went) while it waited for its window. As for a pulse run (services/pulse/answers.py), each round
    is checked open under a lock its close takes too, so a closed round's counts never take in an answer
    afterwards, and no answer is thanked for and then left out of them."""
    rounds = sorted({item.check_id for item in pending})
    still_open, gone = lock_still_open(
        session, ActionCheck.id, ActionCheck.status, rounds, open_status=RunStatus.open
    )
    refused = {
        check_id: NotFound(GONE) if check_id in gone else Closed(LATE)
        for check_id in rounds
        if check_id not in still_open
    }
    live = [item for item in pending if item.check_id in still_open]
    keys = list({(item.check_id, item.respondent) for item in live})
    stored: dict[tuple[int, str], str] = {}
    if keys:
        columns = (ActionCheckAnswer.check_id, ActionCheckAnswer.respondent)
        rows = session.exec(select(*columns, ActionCheckAnswer.answer).where(tuple_(*columns).in_(keys)))
        stored = {(check_id, respondent): answer for check_id, respondent, answer in rows.all()}
    final: dict[tuple[int, str], str] = {}
    receipts: list[HelpingReceipt | Refusal] = []
    for item in pending:
        if item.check_id in refused:
            receipts.append(refused[item.check_id])
            continue
        key = (item.check_id, item.respondent)
        earlier = final.get(key, stored.get(key))
        # The same answer again (Slack's retry of the click) is thanked with the first time's words.
        changed = earlier is not None and earlier != item.answer.value
        receipts.append(HelpingReceipt(replaced=changed, answer=item.answer, closes_at=item.closes_at))
        final[key] = item.answer.value
    rows = [{"check_id": c, "respondent": r, "answer": a} for (c, r), a in final.items()]
    _shuffle(rows)  # the statement's order is the rows' physical order: never the order of the clicks
    upsert(session, ActionCheckAnswer.__table__, rows, key=("check_id", "respondent"), update=("answer",))
    return receipts


def due_rounds_people(session: Session, *, now: datetime) -> set[str]:
    """Everyone who may have answered a round whose time is up: its team's latest pulse's people."""
    survey_ids = session.exec(
        select(TeamAction.survey_id)
        .join(ActionCheck, ActionCheck.action_id == TeamAction.id)
        .where(ActionCheck.status == RunStatus.open, ActionCheck.closes_at <= now)
    ).all()
    runs = [latest_run(session, survey_id=survey_id) for survey_id in set(survey_ids)]
    return recipients(session, run_ids=[run.id for run in runs if run is not None])


def close_due_rounds(
    session: Session, *, now: datetime, min_group: int, admins: Collection[str]
) -> list[HelpingRound]:
    """Close the rounds whose time is up: keep their counts (at or above the minimum group only), delete
    their answers and secret. `admins`: the pulsebot admins among `due_rounds_people`."""
    # The lock every batch of answers checks the round under (write_helping_answers): a batch being
    # written keeps its round open until the next sweep rather than be counted out of it.
    write_lock(session)
    due = session.exec(
        select(ActionCheck)
        .where(ActionCheck.status == RunStatus.open, ActionCheck.closes_at <= now)
        .order_by(ActionCheck.id)
        .with_for_update(skip_locked=True)
    ).all()
    closed = []
    for check in due:
        counts = dict(
            session.exec(
                select(ActionCheckAnswer.answer, func.count())
                .where(ActionCheckAnswer.check_id == check.id)
                .group_by(ActionCheckAnswer.answer)
            ).all()
        )
        answered = sum(counts.values())
        action = session.get(TeamAction, check.action_id)
        # As for a pulse run: those of the team who can see its results and are asked too
        # (`managers_answer`), or came to see them since, raise the minimum by their number, since each of
        # them knows their own answer.
        viewers = _viewers(session, survey_id=action.survey_id, admins=admins)
        if answered >= run_minimum(min_group, viewers):
            check.answered = answered
            shown = shown_counts([counts.get(item.value, 0) for item in Helping])
            if shown is not None:  # otherwise withheld entirely: not stored, so not even the operator has it
                check.yes, check.not_yet, check.no = shown
        else:
            check.withheld = True
        check.status, check.secret = RunStatus.closed, None
        session.exec(delete(ActionCheckAnswer).where(ActionCheckAnswer.check_id == check.id))
        session.add(check)
        closed.append(_round(check, action, viewers=viewers))
    session.flush()
    return closed


def rounds_of(session: Session, *, action_ids: Sequence[int]) -> dict[int, list[HelpingRound]]:
    """Each action's rounds, oldest first."""
    if not action_ids:
        return {}
    rows = session.exec(
        select(ActionCheck, TeamAction)
        .join(TeamAction, TeamAction.id == ActionCheck.action_id)
        .where(ActionCheck.action_id.in_(list(action_ids)))
        .order_by(ActionCheck.opened_at, ActionCheck.id)
    ).all()
    found: dict[int, list[HelpingRound]] = {}
    for check, action in rows:
        viewers = _viewers(session, survey_id=action.survey_id)
        found.setdefault(action.id, []).append(_round(check, action, viewers=viewers))
    return found


def _viewers(session: Session, *, survey_id: int, admins: Collection[str] | None = None) -> int:
    """The round's team is its latest pulse's people: how many of them can see the team's results (as
    counted by that run; brought up to date from `admins`, the pulsebot admins among them, when given)."""
    latest = latest_run(session, survey_id=survey_id)
    if latest is None:
        return 0
    return latest.managers_asked if admins is None else viewers_counted(session, run=latest, admins=admins)


def _round(check: ActionCheck, action: TeamAction, *, viewers: int) -> HelpingRound:
    closed = check.status is RunStatus.closed
    answered = check.answered if closed and not check.withheld else None
    counts = None
    # Rounds closed before the rule existed kept their counts: the same rule decides when they are read.
    if answered is not None and check.yes is not None:
        shown = shown_counts([check.yes, check.not_yet, check.no])
        counts = None if shown is None else dict(zip(Helping, shown, strict=True))
    return HelpingRound(
        id=check.id,
        action_id=action.id,
        action_text=action.text,
        focus_label=action.focus_label,
        owner_id=action.owner_id,
        for_status=check.for_status,
        open=not closed,
        closes_at=check.closes_at,
        channel_id=check.channel_id,
        message_ts=check.message_ts,
        answered=answered,
        counts=counts,
        viewers=viewers,
    )


def channel_of(session: Session, *, action_id: int) -> str | None:
    action = session.get(TeamAction, action_id)
    survey = session.get(Survey, action.survey_id) if action else None
    return survey.channel_id if survey else None
