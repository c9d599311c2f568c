"""Sending the webhooks' deliveries: the scheduler's `webhook-deliveries` sweep. Each is POSTed with its
signature (webhooks.signature) and counts as delivered on any 2xx answer; anything else (another status, a
refused connection, a timeout) is tried again later with backoff. A delivered or given-up event is
deleted. No database lock is held while a URL is called: the rows are claimed first, then sent, then
marked, each in its own transaction."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime

from pulsebot.services.api import webhooks
from pulsebot.store.db import SessionFactory, transaction

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
USER_AGENT = "pulsebot-webhooks/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook answers where it was registered: a redirect is a failed delivery, not a new address."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send_due(sessions: SessionFactory, *, key: bytes, clock: Callable[[], datetime]) -> tuple[int, int]:
    """Send every delivery due now; (delivered, failed)."""
    delivered = failed = 0
    with transaction(sessions) as session:
        due = webhooks.claim_due(session, now=clock())
    for delivery in due:
        error = _post(delivery, key=key, now=clock())
        with transaction(sessions) as session:
            if error is None:
                webhooks.mark_delivered(session, delivery_id=delivery.id, now=clock())
                delivered += 1
            else:
                again = webhooks.mark_failed(session, delivery_id=delivery.id, now=clock(), error=error)
                log.warning(
                    "webhook #%s: %s, tried %d times%s",
                    delivery.webhook_id,
                    error,
                    delivery.attempts + 1,
                    "" if again else "; given up",
                )
                failed += 1
    return delivered, failed


def _post(delivery: webhooks.DueDelivery, *, key: bytes, now: datetime) -> str | None:
    """None when the webhook answered 2xx; otherwise why not."""
    timestamp = int(now.timestamp())
    secret = webhooks.signing_secret(key, delivery.salt)
    request = urllib.request.Request(
        delivery.url,
        data=delivery.body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Pulsebot-Event": delivery.event,
            "X-Pulsebot-Delivery": str(delivery.id),
            "X-Pulsebot-Request-Timestamp": str(timestamp),
            "X-Pulsebot-Signature": webhooks.signature(secret, timestamp=timestamp, body=delivery.body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError) as error:
        return f"not reached: {getattr(error, 'reason', error)}"
    return None if 200 <= status < 300 else f"answered {status}"
