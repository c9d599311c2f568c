"""Forget a person: everything pulsebot stores that can be tied to them goes, at their own request
(`/pulse forget-me`) or an admin's (`pulsebot forget USER_ID`).

- the records of the pulses they were sent, pending ones included (who was asked, whether they answered);
- their votes, found by recomputing the vote token of (person, idea) for every idea;
- the authorship of their ideas: the name on a signed idea is cleared, and each anonymous idea of theirs
  gets a random author token in place of the one computed from them, so not even PULSEBOT_ANON_KEY leads
  back to them. Every other anonymous idea of the workspace is rewritten in the same statement order, its
  token under a new mask (services/idea/idea_authors.py `forget_author`), so the transaction does not
  single theirs out; only their signed ideas' cards change in Slack;
- the digests and drop alerts recorded as sent to them;
- the anonymous-reply conversations they held as the manager. Those they wrote in as an anonymous author
  stay as they are, for the same reason as their anonymous ideas (services/reply/conversation_cleanup.py);
- their name on the status changes they made on the dashboard that Slack has not been told yet;
- their HR attributes (`person`), whichever source they came from, and their name as the manager in
  other people's rows (the reporting line then ends below them); and which cell of each run still open
  to answers they were in (`run_member`); their id in the workspace's directory (`directory_person`),
  which Slack's next full listing of the workspace brings back for as long as they are in it, and in the
  survey channels' members (`channel_member`), which the next read of a channel brings back likewise;
- their own pause of their pulses (`snooze`), if they had one, and the language they chose;
- the onboarding pulses owed or sent to them (their answers stay under the cohort's tokens until its
  release), and their exit surveys with every answer: those are not anonymous, so they go whole.

Their answers and comments stay, under their one-way tokens: with the key, the database and the person's
id, the operator could recompute those until the run's key material is destroyed (the forward-anonymity
window), and nobody can after it. The audit entry of a forgetting holds the counts, never the person's id,
nor how many anonymous ideas they had (only they are told that).

Deleted rows must not survive where a database reader could still find them: after the forgetting is
committed, `scrub_forgotten` rewrites the tables it touched (store/db.py `scrub`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, tuple_, update
from sqlmodel import Session, select

from pulsebot.services.idea import idea_authors, idea_notices
from pulsebot.services.loop import action_notices
from pulsebot.services.onboarding.exits import forget_exits
from pulsebot.services.onboarding.onboarding import forget_pulses
from pulsebot.services.people import workspace_people
from pulsebot.services.people.languages import forget_language
from pulsebot.services.privacy import audit
from pulsebot.services.privacy.anonymity import token
from pulsebot.services.reply.conversation_cleanup import forget_conversations
from pulsebot.services.survey import channel_members
from pulsebot.services.survey.leave import forget_leave
from pulsebot.services.survey.snooze import forget_snooze
from pulsebot.store.db import SessionFactory, engine_of, scrub
from pulsebot.store.models import (
    AuditAction,
    Delivery,
    ManagerNotice,
    Person,
    PulseRun,
    RunCell,
    RunMember,
    SegmentFigure,
    SegmentRelease,
    Vote,
    WebSession,
)

IDEAS_PER_STATEMENT = 500
# The tables a forgetting deletes from or changes, the ones with a copy of the person to scrub.
FORGOTTEN_IN = (
    "delivery",
    "vote",
    "idea",
    "manager_notice",
    "conversation",
    "conversation_message",
    "person",
    "run_member",
    "run_cell",
    "segment_figure",
    "web_session",
    "idea_notice",
    "action_notice",
    "snooze",
    "directory_person",
    "channel_member",
    "person_language",
    "onboarding_pulse",
    "exit_survey",
    "exit_answer",
)


@dataclass(frozen=True)
class Forgotten:
    deliveries: int
    votes: int
    signed_ideas: tuple[int, ...]  # the ideas that named the person (their cards must be redrawn)
    anonymous_ideas: int  # told to the person alone: the audit and the CLI do not say it
    notices: int
    conversations: int
    attributes: int = 0  # their HR attributes: 1 when pulsebot held some
    run_cells: int = 0  # the runs whose cell they were in
    reports: int = 0  # people whose row named them as manager
    exits: int = 0  # their exit surveys (confidential to HR, not anonymous), with their answers

    def describe(self) -> str:
        said = (
            f"{self.deliveries} pulse records, {self.votes} votes, {len(self.signed_ideas)} signed ideas "
            f"unlinked, {self.notices} digest notices, {self.conversations} conversations"
        )
        if self.exits:
            said += f", {self.exits} exit surveys"
        if self.attributes or self.run_cells or self.reports:  # only where segments are in use
            said += (
                f", {self.attributes} HR attribute records, {self.run_cells} run cells, "
                f"{self.reports} reporting lines unlinked"
            )
        return said


def forget_person(session: Session, *, user_id: str, key: bytes, actor: str, now: datetime) -> Forgotten:
    """Remove what ties `user_id` to pulsebot's data, in the caller's transaction, and audit it."""
    deliveries = _delete(session, delete(Delivery).where(Delivery.user_id == user_id))
    votes = _forget_votes(session, user_id=user_id, key=key)
    conversations = forget_conversations(session, user_id=user_id)
    signed, anonymous = idea_authors.forget_author(session, user_id=user_id, key=key)
    notices = _delete(session, delete(ManagerNotice).where(ManagerNotice.user_id == user_id))
    _delete(session, delete(WebSession).where(WebSession.user_id == user_id))  # signed out everywhere
    idea_notices.forget_changer(session, user_id=user_id)
    action_notices.forget_changer(session, user_id=user_id)
    forget_snooze(session, user_id=user_id)  # not counted anywhere: whether they had paused is theirs
    forget_leave(session, user_id=user_id)
    workspace_people.forget(session, user_id=user_id)
    channel_members.forget(session, user_id=user_id)
    forget_language(session, user_id=user_id)  # like a pause: theirs, counted nowhere
    attributes, run_cells, reports = _forget_attributes(session, user_id=user_id)
    forget_pulses(session, user_id=user_id)  # whether they were a new joiner is theirs: not counted
    forgotten = Forgotten(
        deliveries,
        votes,
        signed,
        anonymous,
        notices,
        conversations,
        attributes,
        run_cells,
        reports,
        exits=forget_exits(session, user_id=user_id),
    )
    audit.record(
        session,
        actor=actor,
        action=AuditAction.forget,
        scope=audit.ORG_SCOPE,
        now=now,
        detail=f"forgot a person: {forgotten.describe()}",
    )
    return forgotten


def scrub_forgotten(sessions: SessionFactory) -> None:
    """Once the forgetting is committed: leave no dead copy of the person's rows in the database."""
    scrub(engine_of(sessions), FORGOTTEN_IN, rewrite=True)


def _delete(session: Session, statement) -> int:
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount


def _forget_votes(session: Session, *, user_id: str, key: bytes) -> int:
    return sum(
        _delete(session, delete(Vote).where(their)) for their in votes_of(session, user_id=user_id, key=key)
    )


def votes_of(session: Session, *, user_id: str, key: bytes) -> Iterator[ColumnElement[bool]]:
    """Conditions that together match the person's votes, a few hundred ideas each: a vote is found only
    by recomputing its token of (person, idea) for every idea voted on."""
    idea_ids = session.exec(select(Vote.idea_id).distinct()).all()
    for start in range(0, len(idea_ids), IDEAS_PER_STATEMENT):
        keys = [
            (idea_id, token(key, "vote", user_id, idea_id))
            for idea_id in idea_ids[start : start + IDEAS_PER_STATEMENT]
        ]
        yield tuple_(Vote.idea_id, Vote.voter).in_(keys)


def _forget_attributes(session: Session, *, user_id: str) -> tuple[int, int, int]:
    """Their `person` row, their name as others' manager, and their `run_member` rows: (rows, cells,
    reports). `run_member` has no workspace column: its rows are the workspace's through their run."""
    attributes = _delete(session, delete(Person).where(Person.user_id == user_id))
    reports = session.exec(
        update(Person)
        .where(Person.manager_id == user_id)
        .values(manager_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    runs = session.exec(  # the scoped session joins only this workspace's runs
        select(RunMember.run_id)
        .join(PulseRun, PulseRun.id == RunMember.run_id)
        .where(RunMember.user_id == user_id)
    ).all()
    cells = _delete(
        session, delete(RunMember).where(RunMember.user_id == user_id, RunMember.run_id.in_(runs))
    )
    _forget_in_lines(session, user_id=user_id)
    return attributes, cells, reports


def _forget_in_lines(session: Session, *, user_id: str) -> None:
    """Reporting lines name managers by Slack id, in runs' cells and in released segments' keys: a
    forgotten manager's id becomes a random name of its own, the same in both, so their part of the
    line still adds up but no longer says who led it."""
    alias = f"gone-{secrets.token_hex(6)}"
    pattern = f"%{user_id}%"
    cells = session.exec(  # the scoped session joins only this workspace's runs
        select(RunCell).join(PulseRun, PulseRun.id == RunCell.run_id).where(RunCell.line.like(pattern))
    ).all()
    for cell in cells:
        cell.line = _renamed(cell.line, user_id, alias)
    figures = session.exec(
        select(SegmentFigure)
        .join(SegmentRelease, SegmentRelease.id == SegmentFigure.release_id)
        .where(SegmentFigure.group_key.like(pattern))
    ).all()
    for figure in figures:
        renamed = _renamed(figure.group_key, user_id, alias)
        if renamed != figure.group_key:  # keys are primary: a new row replaces the old one
            session.add(SegmentFigure(**(figure.model_dump() | {"group_key": renamed})))
            session.delete(figure)
    session.flush()


def _renamed(path: str, user_id: str, alias: str) -> str:
    return "/".join(alias if step == user_id else step for step in path.split("/"))
