"""The reply form of anonymous replies: the manager's first reply, and each answer back on either side.

Every refusal (an empty or over-long text, a closed conversation, someone who may not write here) is a
field error: the form stays open with the text in it, and nothing is stored.
"""

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.reply import conversations, reply_subjects
from pulsebot.slack.blocks.replies import reply_target, sent_view
from pulsebot.store.db import transaction


def reply_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user_id = body["user"]["id"]
    target = reply_target(view.get("private_metadata", ""))
    text = view["state"]["values"].get("reply", {}).get("text", {}).get("value") or ""
    now, delay = deps.clock(), conversations.relay_delay(deps.settings.relay_delay_minutes)
    try:
        if "conversation" in target:
            as_author = bool(target.get("as_author"))
            with transaction(deps.sessions) as session:
                conversations.reply(
                    session,
                    conversation_id=str(target["conversation"]),
                    user_id=user_id,
                    key=deps.key,
                    as_author=as_author,
                    text=text,
                    now=now,
                    delay=delay,
                )
        else:
            as_author = False
            conversations.checked_text(text)  # before asking Slack who the person is

            def start(role):
                with transaction(deps.sessions) as session:
                    subject = _subject(session, target, key=deps.key)
                    conversations.check_may_start(session, subject, user_id=user_id, role=role)
                    conversations.start(
                        session, subject=subject, manager_user_id=user_id, text=text, now=now, delay=delay
                    )

            deps.directory.with_rights(client, deps.settings, user_id, start)
    except Refusal as refusal:
        ack(response_action="errors", errors={"reply": refusal.message})
        return
    ack(response_action="update", view=sent_view(to_author=not as_author))


def _subject(session, target: dict, *, key: bytes) -> reply_subjects.Subject:
    if "comment" in target:
        return reply_subjects.comment_subject(session, key=key, ref=str(target["comment"]))
    return reply_subjects.idea_subject(session, idea_id=reply_subjects.idea_id_of(target.get("idea", "")))
