"""Idea cards and the idea modal."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from pulsebot.services.ideas import CATEGORIES, IDEA_MAX_CHARS, STAGES, IdeaView
from pulsebot.slack.blocks import rendered
from pulsebot.slack.text import escape, quote
from pulsebot.store.models import IdeaStatus

IDEA_VIEW = "idea_new_view"
IDEA_VOTE_ACTION = "idea_vote"

STATUS_LABELS = {
    IdeaStatus.new: "New",
    IdeaStatus.under_review: "Under review",
    IdeaStatus.planned: "Planned",
    IdeaStatus.done: "Done",
    IdeaStatus.declined: "Declined",
}


def idea_card(idea: IdeaView) -> tuple[str, list[dict]]:
    author = f"<@{idea.author_id}>" if idea.author_id else "a colleague (anonymous)"
    details = [f"*#{idea.id}*", f"category: {idea.category}"]
    if idea.stage:
        details.append(f"journey stage: {idea.stage}")
    details.append(f"status: *{STATUS_LABELS[idea.status]}*")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f":bulb: *New idea* from {author}\n{quote(idea.text)}")),
        ContextBlock(elements=[MarkdownTextObject(text=" · ".join(details))]),
        ActionsBlock(
            block_id=f"idea{idea.id}",
            elements=[
                ButtonElement(text=f":+1: {idea.votes}", action_id=IDEA_VOTE_ACTION, value=str(idea.id))
            ],
        ),
    ]
    return f"New idea #{idea.id}: {escape(idea.text)[:200]}", rendered(blocks)


def idea_modal(*, initial_text: str = "") -> dict:
    return View(
        type="modal",
        callback_id=IDEA_VIEW,
        title="Share an idea",
        submit="Post idea",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id="text",
                label="How could we make things better for our customers?",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=IDEA_MAX_CHARS,
                    initial_value=initial_text or None,
                ),
            ),
            InputBlock(
                block_id="category",
                label="Category",
                element=StaticSelectElement(
                    action_id="value",
                    options=[Option(value=name, text=name.capitalize()) for name in CATEGORIES],
                    initial_option=Option(value="other", text="Other"),
                ),
            ),
            InputBlock(
                block_id="stage",
                label="Customer-journey stage it touches",
                optional=True,
                element=StaticSelectElement(
                    action_id="value",
                    options=[Option(value=name, text=name.capitalize()) for name in STAGES],
                ),
            ),
            InputBlock(
                block_id="anonymous",
                label="Anonymity",
                optional=True,
                element=CheckboxesElement(
                    action_id="value",
                    options=[Option(value="yes", text="Post anonymously (you can still follow it)")],
                ),
            ),
        ],
    ).to_dict()
