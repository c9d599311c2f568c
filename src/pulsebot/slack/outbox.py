"""What the scheduler's jobs and the outbox sender do in Slack: post pulses from the outbox, remind
non-responders, close runs.

Posting a pulse message is idempotent as far as Slack allows. Slack does not de-duplicate
`chat.postMessage`, so every pulse message carries its outbox identity in its metadata
(`event_type` `pulsebot_pulse`, payload `{"run": …, "delivery": …}`). A message whose earlier attempt
may have reached Slack (its sender died between posting and recording it, or Slack's answer was lost)
is first looked for in the conversation's history (`conversations.history` with
`include_all_metadata`); only when it is not there is it posted again. That is also why the posting
client retries 429s only (Slack did not act on those) and leaves connection and server errors to the
outbox, which looks before trying again, instead of re-posting blind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from http.client import HTTPException

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.clock import utc_now
from pulsebot.services import closing, outbox, pulses, reminders
from pulsebot.services.outbox import CLAIM_FOR, RETRY_AFTER, DueMessage
from pulsebot.slack.blocks.pulses import pulse_message, reminder_message
from pulsebot.slack.pacing import PacedRateLimitHandler, Pacer
from pulsebot.store.db import SessionFactory, transaction

log = logging.getLogger(__name__)

MARKER = "pulsebot_pulse"
# chat.postMessage errors that will not go away by trying again: the message is marked failed.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "invalid_blocks",
        "is_archived",
        "messages_tab_disabled",
        "msg_too_long",
        "no_permission",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "user_disabled",
        "user_not_found",
    }
)
SENDERS = 4  # threads posting at once per process: Slack answers in ~100-300 ms, the pacer sets the rate
HISTORY_PAGES = 10  # how far back (x 200 messages) a possibly posted message is looked for


class Outbox:
    """Drains the outbox into Slack: claim a message, look for it if it may be there already, post it
    (paced), record the outcome; `workers` threads at a time."""

    def __init__(
        self,
        client: WebClient,
        sessions: SessionFactory,
        *,
        rate: float | None = None,
        claim_for: timedelta = CLAIM_FOR,
        workers: int = 1,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.client, self.sessions, self.clock = client, sessions, clock
        self.claim_for, self.workers = claim_for, workers
        self.pacer = Pacer(rate) if rate else None
        self.poster = WebClient(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            retry_handlers=[PacedRateLimitHandler(self.pacer)],
        )

    def drain(self, *, run_id: int | None = None, stop: threading.Event | None = None) -> int:
        """Post every message that is due (of one run, or of all); return how many went out."""
        if self.workers == 1:
            return self._drain(run_id, stop)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="outbox") as pool:
            passes = [pool.submit(self._drain, run_id, stop) for _ in range(self.workers)]
            return sum(done.result() for done in passes)

    def _drain(self, run_id: int | None, stop: threading.Event | None) -> int:
        sent = 0
        messages: dict[tuple[int, bool], tuple[str, list[dict]]] = {}
        while stop is None or not stop.is_set():
            with transaction(self.sessions) as session:
                due = outbox.claim_due(session, now=self.clock(), run_id=run_id, claim_for=self.claim_for)
                if due is None:
                    return sent
                if (due.run_id, due.is_dm) not in messages:
                    run = pulses.run_view(session, run_id=due.run_id)
                    messages[due.run_id, due.is_dm] = pulse_message(run, live_count=not due.is_dm)
            sent += self._deliver(due, *messages[due.run_id, due.is_dm])
        return sent

    def _deliver(self, due: DueMessage, text: str, blocks: list[dict]) -> bool:
        try:
            found = self._already_posted(due) if due.retry else None
            if found is None:
                if self.pacer is not None:
                    self.pacer.wait()
                posted = self.poster.chat_postMessage(
                    channel=due.to,
                    text=text,
                    blocks=blocks,
                    metadata={"event_type": MARKER, "event_payload": due.marker},
                )
                found = posted["channel"], posted["ts"]
        except SlackApiError as error:
            reason = str(error.response.get("error") or f"HTTP {error.response.status_code}")
            if reason in PERMANENT_ERRORS:
                log.warning("pulse for %s refused for good: %s", due.to, reason)
                self._record(due, failed=reason)
            else:
                log.warning("pulse for %s refused for now (%s): trying again later", due.to, reason)
                self._record(due, retry=reason)
            return False
        except (OSError, HTTPException) as error:  # the post may or may not have reached Slack
            log.warning("no answer from Slack for the pulse to %s (%s): looking again later", due.to, error)
            self._record(due, retry=type(error).__name__)
            return False
        self._record(due, posted=found)
        return True

    def _already_posted(self, due: DueMessage) -> tuple[str, str] | None:
        """Where Slack has this message already, if an earlier attempt got it there."""
        try:
            channel = due.to
            if due.is_dm:  # a DM is posted to the user id; its history is the app's IM with them
                channel = self.client.conversations_open(users=due.to)["channel"]["id"]
            pages = self.client.conversations_history(
                channel=channel,
                oldest=f"{due.opened_at.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
            )
            for number, page in enumerate(pages):
                for message in page.get("messages", []):
                    metadata = message.get("metadata") or {}
                    if metadata.get("event_type") == MARKER and metadata.get("event_payload") == due.marker:
                        log.info("the pulse for %s was already in Slack: not posting it again", due.to)
                        return channel, message["ts"]
                if number + 1 >= HISTORY_PAGES:
                    break
        except SlackApiError as error:
            # Without the history scopes (or the conversation) there is no way to look: post again,
            # which risks a second copy rather than none.
            log.warning("could not look for an earlier pulse to %s: %s", due.to, error.response.get("error"))
        return None

    def _record(
        self,
        due: DueMessage,
        *,
        posted: tuple[str, str] | None = None,
        failed: str | None = None,
        retry: str | None = None,
    ) -> None:
        with transaction(self.sessions) as session:
            if posted is not None and due.is_dm:
                outbox.mark_sent(
                    session, delivery_id=due.delivery_id, channel_id=posted[0], message_ts=posted[1]
                )
            elif posted is not None:
                pulses.mark_run_posted(session, run_id=due.run_id, channel_id=posted[0], message_ts=posted[1])
            elif failed is not None and due.is_dm:
                outbox.mark_failed(session, delivery_id=due.delivery_id, error=failed)
            elif failed is not None:
                outbox.mark_run_failed(session, run_id=due.run_id, error=failed)
            else:
                outbox.retry_later(session, due, error=retry or "", at=self.clock() + RETRY_AFTER)


def deliver_due(
    client: WebClient,
    sessions: SessionFactory,
    *,
    clock: Callable[[], datetime] = utc_now,
    run_id: int | None = None,
) -> int:
    """Post every pulse message that is due (of one run, or of all), unpaced, in this thread."""
    return Outbox(client, sessions, clock=clock).drain(run_id=run_id)


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
