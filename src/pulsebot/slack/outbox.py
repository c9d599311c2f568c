"""What the scheduler's jobs do in Slack: drain the DM outbox, remind non-responders, close runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.clock import utc_now
from pulsebot.services import closing, outbox, pulses, reminders
from pulsebot.slack.blocks.pulses import pulse_message, reminder_message
from pulsebot.store.db import SessionFactory, transaction

log = logging.getLogger(__name__)


def deliver_due(
    client: WebClient,
    sessions: SessionFactory,
    *,
    clock: Callable[[], datetime] = utc_now,
    run_id: int | None = None,
) -> int:
    """DM every delivery that is due (of one run, or of all); return how many went out.

    Each row is claimed first (services/outbox.py), then posted with no database lock held, then
    marked. A DM Slack refuses (a deactivated account, say) is marked failed and not retried; rate
    limits are waited out by the client; any other error leaves the row to the next pass.
    """
    sent = 0
    messages: dict[int, tuple[str, list[dict]]] = {}
    while True:
        with transaction(sessions) as session:
            due = outbox.claim_due_delivery(session, now=clock(), run_id=run_id)
            if due is None:
                return sent
            if due.run_id not in messages:
                run = pulses.run_view(session, run_id=due.run_id)
                messages[due.run_id] = pulse_message(run, live_count=False)
        text, blocks = messages[due.run_id]
        try:
            posted = client.chat_postMessage(channel=due.user_id, text=text, blocks=blocks)
        except SlackApiError as error:
            reason = str(error.response.get("error", "unknown error"))
            log.warning("pulse DM to %s refused: %s", due.user_id, reason)
            with transaction(sessions) as session:
                outbox.mark_failed(session, delivery_id=due.delivery_id, error=reason)
            continue
        with transaction(sessions) as session:
            outbox.mark_sent(
                session, delivery_id=due.delivery_id, channel_id=posted["channel"], message_ts=posted["ts"]
            )
        sent += 1


def send_reminders(client: WebClient, sessions: SessionFactory, *, now: datetime) -> int:
    """DM a reminder to each person who has answered nothing and whose reminder time has come."""
    with transaction(sessions) as session:
        owed = reminders.due_reminders(session, now=now)
    sent = 0
    for reminder in owed:
        with transaction(sessions) as session:
            counted = reminders.mark_reminded(
                session, delivery_id=reminder.delivery_id, reminders_due=reminder.reminders_due
            )
        if not counted:
            continue  # answered (or reminded by another sender) in the meantime
        try:
            client.chat_postMessage(channel=reminder.user_id, text=reminder_message(reminder))
        except SlackApiError as error:
            # Counted anyway: a refused reminder is not worth a second attempt.
            log.warning("reminder to %s refused: %s", reminder.user_id, error.response.get("error"))
            continue
        sent += 1
    return sent


def close_runs(client: WebClient, sessions: SessionFactory, *, now: datetime) -> list[int]:
    """Close the runs whose time is up and show "Closed — N answered" on their messages."""
    with transaction(sessions) as session:
        closed = closing.close_due_runs(session, now=now)
    for run_id in closed:
        with transaction(sessions) as session:
            run = pulses.run_view(session, run_id=run_id)
            where = closing.run_messages(session, run_id=run_id)
        text, blocks = pulse_message(run)
        for channel_id, message_ts in where:
            try:
                client.chat_update(channel=channel_id, ts=message_ts, text=text, blocks=blocks)
            except SlackApiError as error:  # e.g. the message was deleted: the run is closed regardless
                log.warning(
                    "could not mark run %s closed in %s: %s", run_id, channel_id, error.response.get("error")
                )
    return closed
