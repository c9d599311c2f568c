"""What the scheduler's jobs and the outbox sender do in Slack: post pulses from the outbox, remind
non-responders, close runs.

Posting a pulse message is idempotent as far as Slack allows (slack/posted.py): every pulse message
carries its outbox identity in its metadata (`event_type` `pulsebot_pulse`, payload
`{"run": …, "delivery": …}`), and one whose earlier attempt may have reached Slack is first looked for
there; only when it is not there is it posted again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from http.client import HTTPException

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot import metrics
from pulsebot.clock import utc_now
from pulsebot.config import Settings
from pulsebot.i18n import translator
from pulsebot.services.people import languages
from pulsebot.services.pulse import closing, outbox, pulses, reminders
from pulsebot.services.pulse.outbox import CLAIM_FOR, RETRY_AFTER, DueMessage
from pulsebot.services.segments.periods import SegmentSettings
from pulsebot.services.survey.audience import recipients
from pulsebot.slack.blocks.pulses import pulse_message, reminder_message
from pulsebot.slack.directory import admins_among, asking_rules
from pulsebot.slack.pacing import PacedRateLimitHandler, pacer_for
from pulsebot.slack.posted import Attempt, LookLater, already_posted, may_have_posted, posting_client
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
        sleep: Callable[[float], None] = time.sleep,
        min_group: int | None = None,
    ) -> None:
        self.client, self.sessions, self.clock, self.sleep = client, sessions, clock, sleep
        self.min_group = min_group  # PULSEBOT_MIN_GROUP: whether a waiting DM may be taken back
        self.claim_for, self.workers = claim_for, workers
        self.pacer = pacer_for(sessions, rate)
        self.poster = posting_client(client, on_429=PacedRateLimitHandler(self.pacer))

    def drain(self, *, run_id: int | None = None, stop: threading.Event | None = None) -> int:
        """Post every message that is due (of one run, or of all); return how many went out."""
        if self.workers == 1:
            return self._drain(run_id, stop)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="outbox") as pool:
            passes = [pool.submit(self._drain, run_id, stop) for _ in range(self.workers)]
            return sum(done.result() for done in passes)

    def _drain(self, run_id: int | None, stop: threading.Event | None) -> int:
        sent = 0
        runs: dict[int, pulses.RunView] = {}
        # A run's message in each language: a DM follows its person, a channel post (None) the survey.
        messages: dict[tuple[int, str | None], tuple[str, list[dict]]] = {}
        while stop is None or not stop.is_set():
            with transaction(self.sessions) as session:
                due = outbox.claim_due(
                    session,
                    now=self.clock(),
                    run_id=run_id,
                    claim_for=self.claim_for,
                    min_group=self.min_group,
                )
                if due is None:
                    return sent
                if due.run_id not in runs:
                    runs[due.run_id] = pulses.run_view(session, run_id=due.run_id)
                run = runs[due.run_id]
                language = (
                    languages.language_for(session, user_id=due.to, survey_language=run.language)
                    if due.is_dm
                    else None
                )
                if (due.run_id, language) not in messages:
                    messages[due.run_id, language] = pulse_message(run, language and translator(language))
            sent += self._deliver(due, *messages[due.run_id, language])
        return sent

    def _deliver(self, due: DueMessage, text: str, blocks: list[dict]) -> bool:
        try:
            found = self._already_posted(due) if due.retry else None
        except LookLater as later:  # nothing posted: its turn to look comes when Slack allows
            log.info("%s may be in Slack already: looking in %.0f s", _which(due), later.seconds)
            self._record(due, retry="history throttled", at=self.clock() + timedelta(seconds=later.seconds))
            return False
        except (OSError, HTTPException) as error:
            log.warning("could not look for %s in Slack (%s): looking again later", _which(due), error)
            self._record(due, retry=type(error).__name__, only_looked=True)
            return False
        try:
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
                metrics.MESSAGES_SENT.inc()
        except SlackApiError as error:
            reason = str(error.response.get("error") or f"HTTP {error.response.status_code}")
            if reason in PERMANENT_ERRORS:
                log.warning("%s was refused for good by Slack: %s", _which(due), reason)
                metrics.SEND_FAILURES.labels("refused").inc()
                self._record(due, failed=reason)
            else:
                log.warning("%s was refused for now by Slack (%s): trying again later", _which(due), reason)
                metrics.SEND_FAILURES.labels("retry_later").inc()
                self._record(due, retry=reason, maybe_in_slack=may_have_posted(error))
            return False
        except (OSError, HTTPException) as error:  # the post may or may not have reached Slack
            log.warning("no answer from Slack for %s (%s): looking again later", _which(due), error)
            metrics.SEND_FAILURES.labels("no_answer").inc()
            self._record(due, retry=type(error).__name__)
            return False
        self._record(due, posted=found)
        return True

    def _already_posted(self, due: DueMessage) -> tuple[str, str] | None:
        found = already_posted(
            self.client,
            to=due.to,
            is_dm=due.is_dm,
            attempt=Attempt(began=due.attempted_before or due.opened_at, lasts=self.claim_for),
            event_type=MARKER,
            payload=due.marker,
            sleep=self.sleep,
        )
        if found is not None:
            log.info("%s was already in Slack: not posting it again", _which(due))
        return found

    def _record(
        self,
        due: DueMessage,
        *,
        posted: tuple[str, str] | None = None,
        failed: str | None = None,
        retry: str | None = None,
        at: datetime | None = None,
        maybe_in_slack: bool = True,
        only_looked: bool = False,
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
                outbox.retry_later(
                    session,
                    due,
                    error=retry or "",
                    at=at or self.clock() + RETRY_AFTER,
                    maybe_in_slack=maybe_in_slack,
                    only_looked=only_looked or at is not None,
                )


def _which(due: DueMessage) -> str:
    """A pulse message as the log names it: its run and, for a channel post, the channel; never the
    person a DM is for (logs name nobody: log_privacy.py)."""
    return f"a pulse DM of run {due.run_id}" if due.is_dm else f"the pulse of run {due.run_id} in {due.to}"


def deliver_due(
    client: WebClient,
    sessions: SessionFactory,
    *,
    clock: Callable[[], datetime] = utc_now,
    run_id: int | None = None,
    min_group: int | None = None,
) -> int:
    """Post every pulse message that is due (of one run, or of all), unpaced, in this thread."""
    return Outbox(client, sessions, clock=clock, min_group=min_group).drain(run_id=run_id)


def send_reminders(
    client: WebClient, sessions: SessionFactory, *, settings: Settings, now: datetime, key: bytes
) -> list[int]:
    """DM a reminder to each person who has answered nothing and whose reminder time has come, unless they
    can now see the team's results (`settings`: the workspace's, with its admins) or paused their pulses.
    Returns the runs whose reminder time this call counted, answered or not: how many DMs went out is a
    live count of who had not answered, and is said nowhere, nor to whom they went."""
    with transaction(sessions) as session:
        owed = reminders.due_reminders(session, now=now, key=key, rules=asking_rules(settings))
    unanswered = {reminder.user_id for reminder in owed if not reminder.answered}
    admins = admins_among(client, settings, unanswered) if unanswered else frozenset()
    runs: set[int] = set()
    for reminder in owed:
        with transaction(sessions) as session:
            counted = reminders.mark_reminded(
                session, delivery_id=reminder.delivery_id, reminders_due=reminder.reminders_due
            )
            left_out = reminders.left_out(session, reminder, is_admin=reminder.user_id in admins)
            language = languages.language_in_run(session, user_id=reminder.user_id, run_id=reminder.run_id)
        if counted:
            runs.add(reminder.run_id)
        if not counted or reminder.answered or left_out or reminder.snoozed:
            # Reminded by another sender meanwhile, nothing to remind of, someone who came to see the
            # team's results while the run was open (not asked for an answer any more), or someone who
            # paused their pulses.
            continue
        try:
            client.chat_postMessage(
                channel=reminder.user_id, text=reminder_message(reminder, translator(language))
            )
        except SlackApiError as error:
            # Counted anyway: a refused reminder is not worth a second attempt. Whose it was is not
            # logged: only someone who had not answered is reminded.
            log.warning("a reminder was refused by Slack: %s", error.response.get("error"))
    return sorted(runs)


def close_runs(
    client: WebClient, sessions: SessionFactory, *, settings: Settings, now: datetime
) -> list[int]:
    """Close the runs whose time is up, releasing their figures, and mark their messages closed. Who of
    the people they were sent to is a pulsebot admin by then is read first (`settings`: the workspace's),
    outside the transaction."""
    with transaction(sessions) as session:
        people = recipients(session, run_ids=closing.due_runs(session, now=now))
    admins = admins_among(client, settings, people) if people else frozenset()
    with transaction(sessions) as session:
        closed = closing.close_due_runs(
            session,
            now=now,
            admins=admins,
            min_group=settings.min_group,
            segments=SegmentSettings(
                min_group=settings.min_group,
                period=settings.segment_period,
                crossings=settings.segment_crossings,
            ),
        )
    for run_id in closed:
        with transaction(sessions) as session:
            run = pulses.run_view(session, run_id=run_id)
            where = closing.run_messages(session, run_id=run_id)
            spoken = languages.languages_for(
                session, people=[user_id for _, _, user_id in where if user_id], survey_language=run.language
            )
        closed_in: dict[str | None, tuple[str, list[dict]]] = {}
        for channel_id, message_ts, user_id in where:
            language = spoken.get(user_id) if user_id else None
            if language not in closed_in:
                closed_in[language] = pulse_message(run, language and translator(language))
            text, blocks = closed_in[language]
            try:
                client.chat_update(channel=channel_id, ts=message_ts, text=text, blocks=blocks)
            except SlackApiError as error:  # e.g. the message was deleted: the run is closed regardless
                where = "a DM" if channel_id.startswith("D") else channel_id  # a DM's id is its person's
                log.warning(
                    "could not mark run %s closed in %s: %s", run_id, where, error.response.get("error")
                )
    return closed
