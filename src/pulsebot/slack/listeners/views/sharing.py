"""The “Share with the team” preview, submitted: the week is claimed, then posted to the team's channel.

The claim is made before the form is acknowledged, so a refusal (someone else shared it a moment ago, a
person who may not share it) replaces the form with the reason; the post goes out after the ack, and the
manager hears by DM that it is done, or, when Slack refused it, why and what to do.
"""

import logging

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.errors import Refusal
from pulsebot.slack import sharing
from pulsebot.slack.blocks import notice_view
from pulsebot.slack.blocks.sharing import comments_ticked

log = logging.getLogger(__name__)


def share_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user_id, now = body["user"]["id"], deps.clock()
    with_comments = comments_ticked(view)
    try:
        summary = sharing.claim_as_manager(
            client,
            deps,
            target=view.get("private_metadata", ""),
            user_id=user_id,
            with_comments=with_comments,
            now=now,
        )
    except Refusal as refusal:
        ack(response_action="update", view=notice_view(refusal.message, title="Not shared"))
        return
    with_comments = with_comments and bool(summary.comments)
    ack()
    note = sharing.post_for_manager(
        client, deps, summary, user_id=user_id, with_comments=with_comments, now=now
    )
    try:
        client.chat_postMessage(channel=user_id, text=note)
    except SlackApiError as error:  # the share itself stands (or was released) either way
        log.warning("share note not sent: %s", error.response.get("error"))
