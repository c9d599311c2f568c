"""Posting a message once. Slack does not de-duplicate `chat.postMessage`, so a message pulsebot must
post exactly once carries its identity in its metadata, and an attempt after one that may have reached
Slack (its sender died between posting and recording it, or Slack's answer was lost) first looks for it
in the conversation's history (`conversations.history` with `include_all_metadata`).

That is also why such messages are posted by a client that retries 429s only (Slack did not act on
those) and leaves connection and server errors to the caller, which looks before trying again, instead
of re-posting blind.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler, RetryHandler

log = logging.getLogger(__name__)

HISTORY_PAGES = 10  # how far back (x 200 messages) a possibly posted message is looked for


def posting_client(client: WebClient, *, on_429: RetryHandler | None = None) -> WebClient:
    """`client`'s token and address, retrying nothing but 429s."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[on_429 or RateLimitErrorRetryHandler(max_retry_count=5)],
    )


def already_posted(
    client: WebClient, *, to: str, is_dm: bool, since: datetime, event_type: str, payload: dict
) -> tuple[str, str] | None:
    """Where Slack has the message marked (`event_type`, `payload`) posted to `to` since `since`, if an
    earlier attempt got it there: its channel and ts."""
    try:
        channel = to
        if is_dm:  # a DM is posted to the user id; its history is the app's IM with them
            channel = client.conversations_open(users=to)["channel"]["id"]
        pages = client.conversations_history(
            channel=channel, oldest=f"{since.timestamp():.6f}", include_all_metadata=True, limit=200
        )
        for number, page in enumerate(pages):
            for message in page.get("messages", []):
                metadata = message.get("metadata") or {}
                if metadata.get("event_type") == event_type and metadata.get("event_payload") == payload:
                    return channel, message["ts"]
            if number + 1 >= HISTORY_PAGES:
                break
    except SlackApiError as error:
        # Without the history scopes (or the conversation) there is no way to look: post again,
        # which risks a second copy rather than none.
        log.warning("could not look for an earlier copy of a message: %s", error.response.get("error"))
    return None
