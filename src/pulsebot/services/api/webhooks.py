"""Webhooks: URLs an admin registers (CLI) to hear of idea status changes, shared results and action
changes. Each change writes one delivery row per webhook that hears it, in the change's own transaction
(the outbox pattern the pulses use), and the scheduler's `webhook-deliveries` sweep sends them
(webhook_sender.py).

A body names what changed and where to read it, never what anyone answered and never an idea's author:
an idea is its id, text, status and votes; a share is the team and the week (its figures are the API's,
`/api/v1/teams/{team}`); an action is what the team sees of it. Each delivery is signed like Slack's own
requests: `X-Pulsebot-Signature: v1=HMAC-SHA256(secret, "v1:{timestamp}:{body}")` with the timestamp in
`X-Pulsebot-Request-Timestamp`. A webhook's secret is derived from PULSEBOT_ANON_KEY and the row's salt,
so the table alone cannot sign for it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, update
from sqlmodel import Session, select

from pulsebot.services.errors import Invalid, NotFound
from pulsebot.services.privacy import audit
from pulsebot.store.models import AuditAction, Webhook, WebhookDelivery

EVENTS = ("idea.status_changed", "results.shared", "action.changed")
URL_MAX = 500
LOOPBACK = ("localhost", "127.0.0.1", "::1")  # the only hosts plain http:// may name
# Tried again after 30 s, 1 min, 2 min … up to 6 h between tries; after MAX_ATTEMPTS it gives up.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
MAX_ATTEMPTS = 12
CLAIM_FOR = timedelta(minutes=2)
TAKEN_AT_ONCE = 20
ERROR_MAX = 200


@dataclass(frozen=True)
class AddedWebhook:
    id: int
    secret: str  # shown once


@dataclass(frozen=True)
class DueDelivery:
    id: int
    webhook_id: int
    url: str
    salt: str
    event: str
    body: str
    attempts: int


def parse_events(text: str | None) -> tuple[str, ...]:
    if not text:
        return EVENTS
    asked = [word.strip() for word in text.split(",") if word.strip()]
    unknown = [word for word in asked if word not in EVENTS]
    if unknown or not asked:
        raise Invalid(f"--events: use one or more of {', '.join(EVENTS)}, comma-separated (not “{text}”).")
    return tuple(event for event in EVENTS if event in asked)


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    loopback = parts.hostname in LOOPBACK
    if (
        len(url) > URL_MAX
        or not parts.hostname
        or not (parts.scheme == "https" or (parts.scheme == "http" and loopback))
    ):
        raise Invalid(
            f"URL: give an https:// address of at most {URL_MAX} characters (http:// only to localhost)."
        )
    return url


def signing_secret(key: bytes, salt: str) -> str:
    return hmac.new(key, f"webhook:{salt}".encode(), hashlib.sha256).hexdigest()


def signature(secret: str, *, timestamp: int, body: str) -> str:
    mac = hmac.new(secret.encode(), f"v1:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v1={mac}"


def add_webhook(
    session: Session, *, url: str, events: tuple[str, ...], key: bytes, now: datetime, team_id: str
) -> AddedWebhook:
    row = Webhook(url=check_url(url), events=",".join(events), salt=secrets.token_hex(16), created_at=now)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=audit.CLI,
        action=AuditAction.webhook_added,
        scope=audit.ORG_SCOPE,
        now=now,
        detail=f"webhook #{row.id} to {urlsplit(row.url).hostname}, events {row.events}",
        team_id=team_id,
    )
    return AddedWebhook(id=row.id, secret=signing_secret(key, row.salt))


def remove_webhook(session: Session, *, webhook_id: int, now: datetime, team_id: str) -> Webhook:
    row = session.get(Webhook, webhook_id)
    if row is None or row.removed_at is not None:
        raise NotFound(f"There is no webhook #{webhook_id} in this workspace.")
    row.removed_at = now
    session.add(row)
    audit.record(
        session,
        actor=audit.CLI,
        action=AuditAction.webhook_removed,
        scope=audit.ORG_SCOPE,
        now=now,
        detail=f"webhook #{row.id} to {urlsplit(row.url).hostname} removed",
        team_id=team_id,
    )
    session.flush()
    return row


def webhooks(session: Session) -> list[Webhook]:
    return list(session.exec(select(Webhook).where(Webhook.removed_at.is_(None)).order_by(Webhook.id)).all())


def queue_event(session: Session, event: str, data: dict, *, now: datetime, team_id: str) -> int:
    """A delivery of `event` to each webhook of the changed row's workspace (`team_id`) that hears it; how
    many. The workspace is named, not taken from the session, so an unscoped session tells no other."""
    hearing = [
        hook for hook in webhooks(session) if hook.team_id == team_id and event in hook.events.split(",")
    ]
    for hook in hearing:
        body = json.dumps(
            {"event": event, "at": now.isoformat(), "data": data},
            default=_plain,
            ensure_ascii=False,
            sort_keys=True,
        )
        session.add(
            WebhookDelivery(
                team_id=hook.team_id,
                webhook_id=hook.id,
                event=event,
                body=body,
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    return len(hearing)


def claim_due(session: Session, *, now: datetime, limit: int = TAKEN_AT_ONCE) -> list[DueDelivery]:
    """Claim the deliveries due now (a lease, so another process passes them by while they are sent)."""
    rows = session.exec(
        select(WebhookDelivery, Webhook)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until <= now),
            Webhook.removed_at.is_(None),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    ).all()
    due = []
    for delivery, hook in rows:
        claimed = session.exec(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery.id,
                or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until <= now),
            )
            .values(claimed_until=now + CLAIM_FOR)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed == 1:
            due.append(
                DueDelivery(
                    id=delivery.id,
                    webhook_id=hook.id,
                    url=hook.url,
                    salt=hook.salt,
                    event=delivery.event,
                    body=delivery.body,
                    attempts=delivery.attempts,
                )
            )
    return due


def mark_delivered(session: Session, *, delivery_id: int, now: datetime) -> None:
    """A delivered event is deleted: its body (an idea's text, an action's owner) is kept no longer than
    it takes to send it, so retention and forget-me need not look for copies here."""
    session.exec(
        delete(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, *, delivery_id: int, now: datetime, error: str) -> bool:
    """Try again after a wait that doubles with each attempt; after MAX_ATTEMPTS (about 15 hours in all)
    it is given up and deleted. Whether it will be tried again."""
    row = session.get(WebhookDelivery, delivery_id)
    if row.attempts + 1 >= MAX_ATTEMPTS:
        session.delete(row)
        session.flush()
        return False
    row.attempts += 1
    row.claimed_until, row.last_error = None, error[:ERROR_MAX]
    row.next_attempt_at = now + retry_wait(row.attempts)
    session.add(row)
    session.flush()
    return True


def retry_wait(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    raise TypeError(type(value).__name__)
