"""Idea cards (with their vote button and status menu) and the idea modal."""

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
    OverflowMenuElement,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.idea.idea_status import FINAL, LABELS, NEXT
from pulsebot.services.idea.ideas import CATEGORIES, IDEA_MAX_CHARS, STAGES, IdeaView
from pulsebot.slack.blocks import rendered
from pulsebot.slack.blocks.replies import REPLY_IDEA_ACTION, reply_button
from pulsebot.slack.text import escape, excerpt, fit, quote
from pulsebot.store.models import IdeaStatus

IDEA_VIEW = "idea_new_view"
IDEA_VOTE_ACTION = "idea_vote"
IDEA_STATUS_ACTION = "idea_status"

SECTION_MAX = 3000  # Slack's limit for a section's text
HEADINGS = {
    IdeaStatus.new: ":bulb: *New idea*",
    IdeaStatus.under_review: ":mag: *Idea under review*",
    IdeaStatus.planned: ":spiral_calendar_pad: *Planned idea*",
    IdeaStatus.done: ":rocket: *Shipped idea*",
    IdeaStatus.declined: ":no_entry_sign: *Declined idea*",
}


def reason_line(idea: IdeaView, tr: Translator = ENGLISH) -> str:
    """The reason a declined idea was declined, or the team's note on its latest change ("" if none)."""
    if not idea.reason:
        return ""
    declined = idea.status is IdeaStatus.declined
    label = tr.gettext("Why it was declined") if declined else tr.gettext("Note from the team")
    return f"*{label}:* {escape(idea.reason)}"


def status_menu(idea: IdeaView) -> OverflowMenuElement:
    """The moves open to an idea from its current status; who may make them is checked on the click."""
    options = []
    for target in NEXT[idea.status]:
        if idea.status in FINAL:
            label = "Reopen (admins)"
        elif target is IdeaStatus.declined:
            label = "Decline…"
        else:
            label = f"Move to {LABELS[target]}"
        options.append(Option(value=f"{idea.id}:{target.value}", text=label))
    return OverflowMenuElement(action_id=IDEA_STATUS_ACTION, options=options)


def idea_card(idea: IdeaView) -> tuple[str, list[dict]]:
    author = f"<@{idea.author_id}>" if idea.author_id else "a colleague (anonymous)"
    details = [f"*#{idea.id}*", f"category: {idea.category}"]
    if idea.stage:
        details.append(f"journey stage: {idea.stage}")
    details.append(f"status: *{LABELS[idea.status]}*")
    reason = reason_line(idea)
    # Shorten the idea rather than the reason if the two would not fit: the reason is the news.
    body = fit(f"{HEADINGS[idea.status]} from {author}\n{quote(idea.text)}", SECTION_MAX - len(reason) - 1)
    if reason:
        body += f"\n{reason}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=body)),
        ContextBlock(elements=[MarkdownTextObject(text=" · ".join(details))]),
        ActionsBlock(
            block_id=f"idea{idea.id}",
            elements=[
                ButtonElement(text=f":+1: {idea.votes}", action_id=IDEA_VOTE_ACTION, value=str(idea.id)),
                status_menu(idea),
                reply_button(REPLY_IDEA_ACTION, str(idea.id)),
            ],
        ),
    ]
    fallback = f"Idea #{idea.id} ({LABELS[idea.status]}): {excerpt(idea.text, 200)}"
    return fallback, rendered(blocks)


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
