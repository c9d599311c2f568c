"""Posting a message once. Slack does not de-duplicate `chat.postMessage`, so a message pulsebot must
post exactly once carries its identity in its metadata, and an attempt after one that may have reached
Slack (its sender died between posting and recording it, or Slack's answer was lost) first looks for it
in the conversation's history (`conversations.history` with `include_all_metadata`).

It looks only around the moment the earlier attempt began (kept with each claim: `attempted_at`), so one
call of 15 messages nearly always settles it: since 2025 Slack lets an app distributed outside its
Marketplace call `conversations.history` once a minute, 15 messages a call, and an app built for one
workspace (or approved for the Marketplace) 50 times a minute. A look Slack throttles before it has read
anything is not waited for: the message waits its turn (`LookLater`), and nothing is posted blind. A look
that needs more than one call (more than 15 messages around the attempt) waits out the minute between
calls, within a bound; past it, or when the history cannot be read at all, the message is posted again:
a second copy rather than none.

That is also why such messages are posted by a client that retries 429s only (Slack did not act on
those) and leaves connection and server errors to the caller, which looks before trying again, instead
of re-posting blind.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler, RetryHandler

log = logging.getLogger(__name__)

HISTORY_PAGE = 15  # messages a call: all Slack gives an app outside its Marketplace
HISTORY_PAGES = 10  # how far a look goes: 150 messages around the earlier attempt
# How far Slack's clock (a message's ts) may be from pulsebot's (the attempt's moment), either way.
CLOCK_SKEW = timedelta(seconds=30)


class LookLater(Exception):
    """Slack throttled the look before it could read anything: look again in `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"conversations.history is throttled for {seconds:.0f} s")
        self.seconds = seconds


@dataclass(frozen=True)
class Attempt:
    """When an earlier attempt to post may have put the message in Slack: from `began` for as long as
    a claim lasts (`lasts`)."""

    began: datetime
    lasts: timedelta

    @property
    def oldest(self) -> str:
        return f"{(self.began - CLOCK_SKEW).timestamp():.6f}"

    @property
    def latest(self) -> str:
        return f"{(self.began + self.lasts + CLOCK_SKEW).timestamp():.6f}"


def posting_client(client: WebClient, *, on_429: RetryHandler | None = None) -> WebClient:
    """`client`'s token and address, retrying nothing but 429s."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[on_429 or RateLimitErrorRetryHandler(max_retry_count=5)],
    )


def reading_client(client: WebClient) -> WebClient:
    """`client`'s token and address, retrying nothing: a 429 on the history is the caller's to wait for."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, retry_handlers=[])


def already_posted(
    client: WebClient,
    *,
    to: str,
    is_dm: bool,
    attempt: Attempt,
    event_type: str,
    payload: dict,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[str, str] | None:
    """Where Slack has the message marked (`event_type`, `payload`) posted to `to` during `attempt`, if
    that attempt got it there: its channel and ts. LookLater when Slack throttles the first call; the
    calls after it wait out Slack's Retry-After for at most half the attempt's length in all."""
    reader = reading_client(client)
    waited, cursor, pages = 0.0, None, 0
    try:
        channel = to
        if is_dm:  # a DM is posted to the user id; its history is the app's IM with them
            channel = client.conversations_open(users=to)["channel"]["id"]
        while pages < HISTORY_PAGES:
            try:
                page = reader.conversations_history(
                    channel=channel,
                    oldest=attempt.oldest,
                    latest=attempt.latest,
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
            except SlackApiError as error:
                seconds = _retry_after(error)
                if seconds is None:
                    raise
                if pages == 0:
                    raise LookLater(seconds) from None
                if waited + seconds > attempt.lasts.total_seconds() / 2:
                    log.warning("gave up looking for an earlier copy of a message: Slack is throttling")
                    return None
                sleep(seconds)
                waited += seconds
                continue
            pages += 1
            for message in page.get("messages", []):
                metadata = message.get("metadata") or {}
                if metadata.get("event_type") == event_type and metadata.get("event_payload") == payload:
                    return channel, message["ts"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not (page.get("has_more") and cursor):
                return None
        log.warning("gave up looking for an earlier copy of a message: over %d around it", HISTORY_PAGES * 15)
    except SlackApiError as error:
        # Without the history scopes (or the conversation) there is no way to look: post again,
        # which risks a second copy rather than none.
        log.warning("could not look for an earlier copy of a message: %s", error.response.get("error"))
    return None


def may_have_posted(error: SlackApiError) -> bool:
    """Whether Slack may have taken a post it answered with this error: a 5xx, where it may have acted,
    not a 429 or an `ok: false` answer, where it says it did not."""
    return (getattr(error.response, "status_code", 200) or 200) >= 500


def _retry_after(error: SlackApiError) -> float | None:
    """Seconds Slack asks to wait, when it throttled the call; None for any other refusal."""
    if getattr(error.response, "status_code", None) != 429:
        return None
    headers = {name.lower(): value for name, value in (error.response.headers or {}).items()}
    value = headers.get("retry-after", "1")
    value = value[0] if isinstance(value, list) else value
    try:
        return max(1.0, math.ceil(float(value)))
    except ValueError:
        return 1.0
