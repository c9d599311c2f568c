"""The buttons of anonymous replies: start one from a digest comment or an idea card, answer back from a
relayed DM (either side), and the author's "Close the conversation"."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.reply import conversations, reply_subjects
from pulsebot.slack.blocks.replies import reply_modal
from pulsebot.store.db import transaction

CLOSED_NOTE = (
    "Conversation closed. Neither of you can write in it any more; the manager hears so in a few minutes, "
    "and your identity stays unshared."
)


def comment_reply_clicked(
    ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context
) -> None:
    ack()
    deps = context["deps"]
    user_id, ref = body["user"]["id"], str(action.get("value", ""))
    try:

        def checked(role):
            with transaction(deps.sessions) as session:
                subject = reply_subjects.comment_subject(session, key=deps.key, ref=ref)
                conversations.check_may_start(session, subject, user_id=user_id, role=role)
                return subject

        subject = deps.directory.with_rights(client, deps.settings, user_id, checked)
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    client.views_open(
        trigger_id=body["trigger_id"], view=reply_modal(subject=subject, target={"comment": ref})
    )


def idea_reply_clicked(
    ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context
) -> None:
    ack()
    deps = context["deps"]
    user_id = body["user"]["id"]
    try:
        idea_id = reply_subjects.idea_id_of(action.get("value", ""))

        def checked(role):
            with transaction(deps.sessions) as session:
                subject = reply_subjects.idea_subject(session, idea_id=idea_id)
                conversations.check_may_start(session, subject, user_id=user_id, role=role)
                return subject

        subject = deps.directory.with_rights(client, deps.settings, user_id, checked)
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    view = reply_modal(subject=subject, target={"idea": subject.idea_id})
    client.views_open(trigger_id=body["trigger_id"], view=view)


def manager_reply_clicked(
    ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context
) -> None:
    _answer_clicked(ack, body, action, client, respond, context, as_author=False)


def author_reply_clicked(
    ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context
) -> None:
    _answer_clicked(ack, body, action, client, respond, context, as_author=True)


def close_clicked(ack: Ack, body: dict, action: dict, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    try:
        with transaction(deps.sessions) as session:
            conversations.close(
                session,
                conversation_id=str(action.get("value", "")),
                user_id=body["user"]["id"],
                key=deps.key,
                now=deps.clock(),
                delay=conversations.relay_delay(deps.settings.relay_delay_minutes),
            )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    respond(text=CLOSED_NOTE, response_type="ephemeral", replace_original=False)


def _answer_clicked(
    ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context, *, as_author: bool
) -> None:
    ack()
    deps = context["deps"]
    user_id, conversation_id = body["user"]["id"], str(action.get("value", ""))
    try:
        with transaction(deps.sessions) as session:
            conversation = conversations.open_for(
                session, conversation_id=conversation_id, user_id=user_id, key=deps.key, as_author=as_author
            )
            subject = reply_subjects.subject_of(session, conversation)
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    view = reply_modal(
        subject=subject,
        target={"conversation": conversation_id, "as_author": as_author},
        manager_user_id=conversation.manager_user_id,
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)
