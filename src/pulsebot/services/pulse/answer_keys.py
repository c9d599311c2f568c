"""Each run's answer-key material: made when the run opens, destroyed a while after it closes.

A respondent token is HMAC(PULSEBOT_ANON_KEY and the run's secret, person). While the secret exists,
pulsebot can recompute a person's token to find their answer again (changing it, reminders, anonymous
replies to a comment). PULSEBOT_REPLY_WINDOW_DAYS after the run closes the secret is set to NULL (and
the table scrubbed), and from then on the answers belong to no one, even for whoever holds the database
and the key: forward anonymity. Which cell of the run each person was in (`run_member`) goes with it, so
an answer's cell says only "one of these people" from then on (services/segments/cells.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from pulsebot.services.privacy.anonymity import answer_token, new_run_secret, token
from pulsebot.services.segments.cells import forget_members
from pulsebot.store.models import Answer, Conversation, Delivery, PulseRun, RunSecret, RunStatus


def add_run_secret(session: Session, *, run_id: int) -> None:
    session.add(RunSecret(run_id=run_id, secret=new_run_secret()))


def run_secret(session: Session, *, run_id: int) -> str | None:
    """The run's key material, or None once it was destroyed."""
    return session.exec(select(RunSecret.secret).where(RunSecret.run_id == run_id)).first()


def respondent_token(session: Session, *, key: bytes, run_id: int, user_id: str) -> str | None:
    """This person's token in this run; None once the run's key material is gone."""
    secret = run_secret(session, run_id=run_id)
    return None if secret is None else answer_token(key, secret, run_id=run_id, user_id=user_id)


def respondent_tokens(session: Session, *, key: bytes, run_id: int, people: Iterable[str]) -> dict[str, str]:
    """Each person's token in this run (empty once the key material is gone)."""
    secret = run_secret(session, run_id=run_id)
    if secret is None:
        return {}
    return {user_id: answer_token(key, secret, run_id=run_id, user_id=user_id) for user_id in people}


def unlinked_on(session: Session, *, run_id: int) -> datetime | None:
    """When the run's answers stopped being linkable to anyone, if they have."""
    row = session.get(RunSecret, run_id)
    if row is None or row.secret is not None:
        return None
    return row.destroyed_on


def destroy_expired(session: Session, *, now: datetime, window: timedelta) -> int:
    """Destroy the key material of runs closed more than `window` ago, and who was in which of their
    cells; how many runs."""
    expired = select(PulseRun.id).where(
        PulseRun.status == RunStatus.closed, PulseRun.closed_at <= now - window
    )
    run_ids = session.exec(
        select(RunSecret.run_id).where(RunSecret.secret.is_not(None), RunSecret.run_id.in_(expired))
    ).all()
    if not run_ids:
        return 0
    result = session.exec(
        update(RunSecret)
        .where(RunSecret.secret.is_not(None), RunSecret.run_id.in_(run_ids))
        .values(secret=None, destroyed_on=now.date())
    )
    forget_members(session, run_ids=run_ids)
    return result.rowcount


def key_legacy_runs(session: Session, *, key: bytes, now: datetime, window: timedelta) -> int:
    """Give runs stored before per-run keys existed their key material, re-keying their answers.

    Their answers were keyed by HMAC(PULSEBOT_ANON_KEY, person, run) alone, which the key recomputes for
    ever. Each old token found among the run's people moves to the new token; any other (a person since
    forgotten) to a random one. A run already past its window gets no secret at all: its answers move to
    random tokens, so they belong to no one from now on. How many runs were keyed."""
    # Every minute's sweep asks; after the first pass there is none, and the query reads no run.
    runs = session.exec(select(PulseRun).where(PulseRun.id.not_in(select(RunSecret.run_id)))).all()
    for run in runs:
        expired = run.closed_at is not None and run.closed_at <= now - window
        secret = None if expired else new_run_secret()
        people = session.exec(select(Delivery.user_id).where(Delivery.run_id == run.id)).all()
        moves = {}
        if secret is not None:
            moves = {
                token(key, "answer", user_id, run.id): answer_token(
                    key, secret, run_id=run.id, user_id=user_id
                )
                for user_id in people
            }
        old_tokens = session.exec(select(Answer.respondent).where(Answer.run_id == run.id).distinct()).all()
        for old in old_tokens:
            new = moves.get(old) or secrets.token_hex(32)
            for table in (Answer, Conversation):
                session.exec(
                    update(table)
                    .where(table.run_id == run.id, table.respondent == old)
                    .values(respondent=new)
                )
        session.add(RunSecret(run_id=run.id, secret=secret, destroyed_on=now.date() if expired else None))
        if expired:
            forget_members(session, run_ids=[run.id])
    session.flush()
    return len(runs)
