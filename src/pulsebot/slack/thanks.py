"""Handing answers to the mixing window, and thanking for them once their batch is saved, from the
mixing window's thread.

One thank-you that Slack refuses (or a connection that drops) must not keep the rest of the batch
from theirs, so each is sent on its own and a failure is only logged, without the person or the text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.client import HTTPException

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.errors import Refusal
from pulsebot.services.pulse.answer_mixer import AnswerMixer, Pending, Receipt
from pulsebot.slack.blocks.pulses import NOT_SAVED

log = logging.getLogger(__name__)


def submit_with_thanks(
    mixer: AnswerMixer,
    pending: Pending,
    *,
    tell: Callable[[str], None],
    thanks: Callable[[Receipt], str],
    not_saved: str = NOT_SAVED,
    tr: Translator = ENGLISH,
) -> None:
    """Hand a checked answer to the mixing window; once its batch is written, `tell` the person `thanks`
    for it, or why it was not taken (its pulse closed meanwhile), or that it could not be saved, so they
    click again."""
    mixer.submit(
        pending,
        saved=lambda result: tell(result.said(tr) if isinstance(result, Refusal) else thanks(result)),
        failed=lambda: tell(not_saved),
    )


def reply_quietly(respond: Respond, text: str) -> None:
    """An ephemeral reply to the click, through its response URL."""
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except (OSError, HTTPException) as error:
        log.warning("a thank-you for an answer was not delivered: %s", type(error).__name__)


def dm_quietly(client: WebClient, user_id: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as error:
        log.warning("a thank-you for a comment was refused: %s", error.response.get("error"))
    except (OSError, HTTPException) as error:
        log.warning("a thank-you for a comment was not delivered: %s", type(error).__name__)
