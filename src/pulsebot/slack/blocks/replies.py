"""Anonymous replies: the reply buttons, the reply form, and the messages relayed to each side.

What the manager receives names no one: "the author of the comment …". What the author receives says
plainly that their identity was not shared.
"""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from pulsebot.services.reply.conversations import REPLY_MAX_CHARS
from pulsebot.services.reply.relay import DueRelay
from pulsebot.services.reply.reply_subjects import Subject
from pulsebot.slack.blocks import notice_view, rendered
from pulsebot.slack.text import escape, excerpt, fit, quote

REPLY_COMMENT_ACTION = "reply_comment"  # on a digest's quoted comment; value: its reference
REPLY_IDEA_ACTION = "reply_idea"  # on an idea card; value: the idea's id
REPLY_AS_MANAGER_ACTION = "reply_manager"  # on a relayed DM to the manager; value: the conversation
REPLY_AS_AUTHOR_ACTION = "reply_author"  # on a relayed DM to the author; value: the conversation
CLOSE_CONVERSATION_ACTION = "conversation_close"  # on a relayed DM to the author
REPLY_VIEW = "reply_view"

START_LABEL = "Reply anonymously to the author"
SECTION_MAX = 3000
QUOTED_CHARS = 500
HOW_IT_WORKS = (
    "pulsebot delivers it by DM a few minutes from now, at a random moment, so its timing points at no one."
)


def reply_button(action_id: str, value: str, text: str = START_LABEL) -> ButtonElement:
    return ButtonElement(text=text, action_id=action_id, value=value)


def reply_modal(*, subject: Subject, target: dict, manager_user_id: str | None = None) -> dict:
    """The reply form. `target` says what it answers (kept in private_metadata): a new reply from the
    manager (`comment` / `idea`), or the next message in a conversation (`conversation`, `as_author`)."""
    as_author = bool(target.get("as_author"))
    if as_author:
        heading = f"Your answer to <@{manager_user_id}> about your {_your(subject)}:"
        note = (
            f":lock: Your identity is not shared: <@{manager_user_id}> cannot see who you are. {HOW_IT_WORKS}"
        )
    else:
        heading = f"To the author of {_the(subject)}:"
        note = (
            f"{HOW_IT_WORKS} You will not learn who the author is; "
            "they can answer back or close the conversation."
        )
    return View(
        type="modal",
        callback_id=REPLY_VIEW,
        title="Answer anonymously" if as_author else "Reply anonymously",
        submit="Send",
        close="Cancel",
        private_metadata=json.dumps(target),
        blocks=[
            # A long place name escapes to up to five times its length: cut between whole entities.
            SectionBlock(text=MarkdownTextObject(text=fit(f"{heading}\n{_quoted(subject)}", SECTION_MAX))),
            InputBlock(
                block_id="reply",
                label="Your answer" if as_author else "Your reply",
                element=PlainTextInputElement(action_id="text", multiline=True, max_length=REPLY_MAX_CHARS),
            ),
            ContextBlock(elements=[MarkdownTextObject(text=note)]),
        ],
    ).to_dict()


def reply_target(private_metadata: str) -> dict:
    try:
        found = json.loads(private_metadata or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def sent_view(*, to_author: bool) -> dict:
    whom = "the author" if to_author else "the manager"
    return notice_view(f"Sent. {whom.capitalize()} gets it by DM within a few minutes.", title="On its way")


def to_author_message(relay: DueRelay) -> tuple[str, list[dict]]:
    manager = f"<@{relay.manager_user_id}>"
    subject = relay.subject
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=fit(
                    f":speech_balloon: {manager} replied to your {_your(subject)}:\n{_quoted(subject)}",
                    SECTION_MAX,
                )
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=fit(quote(relay.text), SECTION_MAX))),
    ]
    if subject.named_author:
        privacy = f"You posted this idea under your name. Your answers reach {manager} through pulsebot."
    else:
        privacy = (
            f":lock: Your identity was not shared: {manager} cannot see who you are. pulsebot relays "
            "messages both ways a few minutes late, at a random moment, so their timing does not give "
            "you away either."
        )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=privacy)]))
    if relay.still_open:
        blocks.append(
            ActionsBlock(
                elements=[
                    reply_button(REPLY_AS_AUTHOR_ACTION, relay.conversation_id, "Answer anonymously"),
                    ButtonElement(
                        text="Close the conversation",
                        action_id=CLOSE_CONVERSATION_ACTION,
                        value=relay.conversation_id,
                        confirm=ConfirmObject(
                            title="Close the conversation?",
                            text="Neither of you will be able to write in it again.",
                            confirm="Close it",
                            deny="Keep it open",
                        ),
                    ),
                ]
            )
        )
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="You closed this conversation.")]))
    text = f"{manager} replied to your {_your(subject)}: {excerpt(relay.text, 200)}"
    return text, rendered(blocks)


def to_manager_message(relay: DueRelay) -> tuple[str, list[dict]]:
    subject = relay.subject
    heading = f":speech_balloon: The author of {_the(subject)} answered:\n{_quoted(subject)}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=fit(heading, SECTION_MAX))),
        SectionBlock(text=MarkdownTextObject(text=fit(quote(relay.text), SECTION_MAX))),
    ]
    if relay.still_open:
        note = "pulsebot relays the author's messages without their name, a few minutes late."
        blocks += [
            ContextBlock(elements=[MarkdownTextObject(text=note)]),
            ActionsBlock(elements=[reply_button(REPLY_AS_MANAGER_ACTION, relay.conversation_id, "Reply")]),
        ]
    else:
        note = "The author has closed this conversation: it takes no more replies."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    text = f"The author of {_the(subject, markdown=False)} answered: {excerpt(relay.text, 200)}"
    return text, rendered(blocks)


def closed_message(relay: DueRelay) -> tuple[str, list[dict]]:
    subject = relay.subject
    heading = f":lock: The author of {_the(subject)} closed your conversation:\n{_quoted(subject)}"
    note = "It takes no more replies. Their identity was not shared, and it stays that way."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=fit(heading, SECTION_MAX))),
        ContextBlock(elements=[MarkdownTextObject(text=note)]),
    ]
    return f"The author of {_the(subject, markdown=False)} closed your conversation.", rendered(blocks)


def _the(subject: Subject, *, markdown: bool = True) -> str:
    where = escape(subject.where)
    if subject.what == "idea":
        return f"idea {where}"
    return f"a comment in *{where}*" if markdown else f"a comment in {where}"


def _your(subject: Subject) -> str:
    if subject.what == "idea":
        return (
            f"idea {escape(subject.where)}"
            if subject.named_author
            else f"anonymous idea {escape(subject.where)}"
        )
    return f"anonymous comment in *{escape(subject.where)}*"


def _quoted(subject: Subject) -> str:
    if subject.text is None:
        return "_(the comment has since been taken back)_"
    return quote(_cut(subject.text))


def _cut(text: str) -> str:
    # quote() escapes; cut the raw text first so an escape is never split.
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1].rstrip() + "…"
