"""Logs never pair a person with what they wrote.

At DEBUG level slack_sdk logs every Web API request and response body, and slack_bolt the bodies it
answers with: a `chat.postEphemeral` to the author of an anonymous idea holds their user id next to its
text, a Socket Mode envelope holds the clicker's id, name and comment. So every log record is filtered
when it is made, before any handler (a file, the console, a test's capture) sees it:

- a Slack library's record that carries a payload (a `{…}` body, or a user id) keeps only its words
  before the payload; the payload is withheld. "Sending a request - url: …/chat.postMessage" stays.
- any record that still names a Slack user id and carries a payload of its own loses the payload too;
- every other record, any library's or pulsebot's own, and exception texts (a SlackApiError quotes
  Slack's answer) have their user ids replaced.

No record names a person at all: a reminder refused for someone, or a pulse DM that could not be
delivered to them, would say who had not answered, or who was asked. pulsebot's own records say what
went wrong without whom it happened to ("a reminder was refused by Slack: user_disabled"); the filter
is what holds when a record of some library, or a new line, forgets to.
"""

from __future__ import annotations

import logging
import re

SLACK_LIBRARIES = ("slack_sdk", "slack_bolt")
# U… or W… and 8 to 11 capitals and digits, at least one a digit: how Slack user ids look. Not anchored
# on the left, so an id inside URL-encoded JSON (%22U0123ABCD%22) is found too.
USER_ID = re.compile(r"[UW](?=[A-Z]*[0-9])[A-Z0-9]{6,11}(?![A-Z0-9])")
PAYLOAD_START = re.compile(r"[{\[]")
WITHHELD = "(payload withheld from the log by pulsebot)"
REDACTED_ID = "U…"


def private_message(logger_name: str, message: str) -> str:
    """The message as it may be logged."""
    from_slack = logger_name.split(".")[0] in SLACK_LIBRARIES
    payload = PAYLOAD_START.search(message)
    if from_slack and (payload or USER_ID.search(message)):
        cut = payload.start() if payload else len(message)
        return f"{USER_ID.sub(REDACTED_ID, message[:cut]).rstrip()} {WITHHELD}"
    if payload and USER_ID.search(message):
        return f"{USER_ID.sub(REDACTED_ID, message[: payload.start()]).rstrip()} {WITHHELD}"
    return USER_ID.sub(REDACTED_ID, message)


def _private_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the format: logging reports it at emit
        message = None
    if message is not None:
        private = private_message(record.name, message)
        if private != message:
            record.msg, record.args = private, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = USER_ID.sub(REDACTED_ID, record.exc_text)
    if record.stack_info:
        record.stack_info = USER_ID.sub(REDACTED_ID, record.stack_info)
    return record


def install() -> None:
    """Filter every log record of this process as it is made; safe to call again."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "pulsebot_private", False):
        return

    def private_factory(*args, **kwargs) -> logging.LogRecord:
        return _private_record(factory(*args, **kwargs))

    private_factory.pulsebot_private = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(private_factory)
