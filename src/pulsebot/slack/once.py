"""Each signed Slack request is handled once, on whichever replica it lands.

Slack retries an event it did not see acknowledged within 3 seconds (same `event_id`, with an
`X-Slack-Retry-Num` header), and anyone who captured a signed request could send it again while its
timestamp is fresh (5 minutes; older ones fail the signature check). Before any listener runs, the
request's identity is written to the `seen_request` table: the `event_id` of an event, otherwise a
digest of the exact signed body, which holds the click's `action_ts`, the command's `trigger_id`, the
submitted form's state. A second copy is not handled again: Slack's own retry is acknowledged with an
empty 200 (the first copy's work goes on, or is done), anything else is refused with 401 as a replay.

A real second click or a new command has a new `action_ts` / `trigger_id`, so it is a new request.

Answers (to a pulse and to "Is this helping?") and comments are the exception: writing a row for
them would put a record of the click, in transaction order, right beside the answers, and they need
none: an answer is an upsert by the person's token, so handling a copy again writes the same answer
again, and is thanked with the same words.
"""

from __future__ import annotations

import hashlib
import json
import logging

from slack_bolt import BoltRequest, BoltResponse

from pulsebot.services.privacy.seen import first_sighting
from pulsebot.slack.blocks.helping import HELPING_ACTION
from pulsebot.slack.blocks.pulses import ANSWER_ACTION, COMMENT_VIEW
from pulsebot.store.db import transaction

log = logging.getLogger(__name__)


def request_key(req: BoltRequest) -> str:
    body = req.body or {}
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{str(body['event_id'])[:60]}"
    # Socket Mode hands over the parsed payload only.
    raw = req.raw_body or json.dumps(body, sort_keys=True, ensure_ascii=False)
    return "body:" + hashlib.sha256(raw.encode()).hexdigest()


def answer_side(body: dict) -> bool:
    """A pulse answer click, an "Is this helping?" click or a submitted comment: idempotent, and never
    noted as seen."""
    if body.get("type") == "block_actions":
        actions = body.get("actions") or [{}]
        action_id = str(actions[0].get("action_id", ""))
        return action_id.startswith((f"{ANSWER_ACTION}_", f"{HELPING_ACTION}_"))
    if body.get("type") == "view_submission":
        return (body.get("view") or {}).get("callback_id") == COMMENT_VIEW
    return False


def handle_once(req: BoltRequest, context, next) -> BoltResponse | None:
    if answer_side(req.body or {}):
        return next()
    deps = context["deps"]
    with transaction(deps.sessions) as session:
        fresh = first_sighting(session, key=request_key(req), now=deps.clock())
    if fresh:
        return next()
    retry = (req.headers.get("x-slack-retry-num") or [None])[0]
    if retry is not None:
        reason = (req.headers.get("x-slack-retry-reason") or ["?"])[0]
        log.info(
            "Slack retry %s (%s) of a request already taken in: acknowledged, not handled again",
            retry,
            reason,
        )
        return BoltResponse(status=200, body="")
    log.warning("refused a replayed request (a signed body seen before)")
    return BoltResponse(status=401, body="")
