"""Dashboard sessions and sign-ins, kept in the database: the browser holds a random id, the database
only its SHA-256, so a copy of the table opens no session.

A sign-in with Slack is one row from the moment the person is sent to Slack until Slack sends them back:
the state sent to Slack (hashed), a hash of the browser's own sign-in cookie (so a link from someone
else's sign-in cannot finish it in this browser) and the nonce the id token must carry; it is used once
and lapses after SIGNIN_MINUTES. A session ends on sign-out, after its idle or absolute time, or when the
person's rights change (services/signin/rights.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from pulsebot.services.signin.rights import Rights
from pulsebot.store.models import WebSession, WebSignIn

SIGNIN_MINUTES = 10
# last_seen_at is written at most this often, so reading pages does not write on every request.
SEEN_EVERY = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SignInStart:
    state: str  # sent to Slack and back
    browser_key: str  # in the browser's sign-in cookie
    nonce: str  # in the id token Slack signs


def start_signin(session: Session, *, now: datetime) -> SignInStart:
    """A new sign-in; sign-ins older than SIGNIN_MINUTES are removed first, so visits cannot pile up."""
    session.exec(delete(WebSignIn).where(WebSignIn.created_at < now - timedelta(minutes=SIGNIN_MINUTES)))
    started = SignInStart(state=new_secret(), browser_key=new_secret(), nonce=new_secret())
    session.add(
        WebSignIn(
            state_hash=_hash(started.state),
            browser_hash=_hash(started.browser_key),
            nonce=started.nonce,
            created_at=now,
        )
    )
    session.flush()
    return started


def finish_signin(session: Session, *, state: str, browser_key: str, now: datetime) -> str | None:
    """The nonce of the sign-in `state` names, when this browser started it within SIGNIN_MINUTES; None
    otherwise. Either way the sign-in cannot be finished a second time."""
    found = session.get(WebSignIn, _hash(state or ""))
    if found is None:
        return None
    session.delete(found)
    session.flush()
    if found.created_at < now - timedelta(minutes=SIGNIN_MINUTES):
        return None
    if not hmac.compare_digest(found.browser_hash, _hash(browser_key or "")):
        return None
    return found.nonce


def open_session(
    session: Session,
    *,
    team_id: str,
    rights: Rights,
    now: datetime,
    idle: timedelta,
    longest: timedelta,
    replacing: str | None = None,
) -> tuple[str, WebSession]:
    """A new session with a new id (never one the browser brought: `replacing` is ended), and the id for
    the browser's cookie. Every session past its idle or absolute time goes first, so the sessions of
    people who never came back (and their user ids) are not kept."""
    session.exec(
        delete(WebSession).where(
            (WebSession.last_seen_at <= now - idle) | (WebSession.created_at <= now - longest)
        )
    )
    if replacing:
        end_session(session, session_id=replacing)
    session_id = new_secret()
    row = WebSession(
        team_id=team_id,
        id_hash=_hash(session_id),
        user_id=rights.user_id,
        role=rights.role.name,
        rights=rights.digest(),
        csrf_token=new_secret(),
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return session_id, row


def find_session(
    session: Session, *, session_id: str, now: datetime, idle: timedelta, longest: timedelta
) -> WebSession | None:
    """The live session of this id, its last use noted; None (and the session ended) once it has been idle
    for `idle` or open for `longest`."""
    if not session_id:
        return None
    found = session.get(WebSession, _hash(session_id))
    if found is None:
        return None
    if found.last_seen_at <= now - idle or found.created_at <= now - longest:
        session.delete(found)
        session.flush()
        return None
    if found.last_seen_at <= now - SEEN_EVERY:
        found.last_seen_at = now
        session.add(found)
        session.flush()
    return found


def end_session(session: Session, *, session_id: str) -> bool:
    """End the session of this id (sign-out, a change of rights); True when there was one."""
    found = session.get(WebSession, _hash(session_id or ""))
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


def same_token(expected: str, given: str | None) -> bool:
    """A CSRF token compared in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())
