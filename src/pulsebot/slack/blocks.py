"""Block Kit for pulse messages, idea cards and modals, built from service results.

Built with slack_sdk's block models, which check Slack's length limits as they render.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from pulsebot.services.home import HomeSummary
from pulsebot.services.ideas import CATEGORIES, IDEA_MAX_CHARS, STAGES, IdeaView
from pulsebot.services.pulses import COMMENT_MAX_CHARS, QuestionView, RunView
from pulsebot.slack.text import escape, quote
from pulsebot.store.models import IdeaStatus, QuestionKind

ANSWER_ACTION = "pulse_answer"
COMMENT_ACTION = "pulse_comment"
COMMENT_VIEW = "pulse_comment_view"
IDEA_VIEW = "idea_new_view"
IDEA_VOTE_ACTION = "idea_vote"

COMMENT_PRIVACY_NOTE = (
    "Stored without your name. Managers only see comments from groups large enough to stay anonymous."
)

STATUS_LABELS = {
    IdeaStatus.new: "New",
    IdeaStatus.under_review: "Under review",
    IdeaStatus.planned: "Planned",
    IdeaStatus.done: "Done",
    IdeaStatus.declined: "Declined",
}


def _rendered(blocks: list[Block]) -> list[dict]:
    return [block.to_dict() for block in blocks]


def _closing_day(run: RunView) -> str:
    return run.closes_at.astimezone(ZoneInfo(run.timezone)).strftime("%A %-d %B, %H:%M")


def _answer_buttons(run: RunView, question: QuestionView) -> list[ButtonElement]:
    if question.kind is QuestionKind.scale:
        labels = [str(value) for value in range(1, 6)]
        values = range(1, 6)
    elif question.kind is QuestionKind.enps:
        labels = [str(value) for value in range(11)]
        values = range(11)
    elif question.kind is QuestionKind.yes_no:
        labels, values = ["Yes", "No"], [1, 0]
    elif question.kind is QuestionKind.choice:
        labels, values = list(question.options), range(len(question.options))
    else:
        return [
            ButtonElement(
                text="Write an answer",
                action_id=f"{COMMENT_ACTION}_{question.id}",
                value=f"{run.run_id}:{question.id}",
            )
        ]
    return [
        ButtonElement(
            text=label,
            action_id=f"{ANSWER_ACTION}_{question.id}_{value}",
            value=f"{run.run_id}:{question.id}:{value}",
        )
        for label, value in zip(labels, values, strict=True)
    ]


def pulse_message(run: RunView) -> tuple[str, list[dict]]:
    """The pulse as posted: one block of buttons per question, a comment button, a live count."""
    text = f"{run.title}: a short anonymous pulse"
    blocks: list[Block] = [
        HeaderBlock(text=run.title[:150]),
        SectionBlock(
            text=MarkdownTextObject(
                text="A short, anonymous pulse: no one, your manager included, can see who answered what."
                + ("" if run.closed else f" Open until *{_closing_day(run)}*.")
            )
        ),
    ]
    for number, question in enumerate(run.questions, start=1):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{number}. {escape(question.prompt)}*")))
        if question.kind is QuestionKind.enps:
            blocks.append(
                ContextBlock(elements=[PlainTextObject(text="0 = not at all likely, 10 = extremely likely")])
            )
        elif question.kind is QuestionKind.scale:
            blocks.append(
                ContextBlock(elements=[PlainTextObject(text="1 = strongly disagree, 5 = strongly agree")])
            )
        if not run.closed:
            blocks.append(ActionsBlock(block_id=f"q{question.id}", elements=_answer_buttons(run, question)))
    if run.closed:
        count = f"Closed: {run.answered} answered."
    else:
        count = f"{run.answered} of {run.audience} answered so far."
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=count)]))
    return text, _rendered(blocks)


def answer_thanks(*, replaced: bool, prompt: str, label: str, closes_on: str) -> str:
    verb = "Changed your answer to" if replaced else "Thanks, recorded"
    return f"{verb} *{escape(label)}* for “{escape(prompt)}”. You can change it until {closes_on}."


def comment_modal(*, run_id: int, question_id: int, prompt: str) -> dict:
    return View(
        type="modal",
        callback_id=COMMENT_VIEW,
        private_metadata=f"{run_id}:{question_id}",
        title="Your answer",
        submit="Send anonymously",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id="comment",
                label=prompt[:2000],
                element=PlainTextInputElement(action_id="text", multiline=True, max_length=COMMENT_MAX_CHARS),
            ),
            ContextBlock(elements=[PlainTextObject(text=COMMENT_PRIVACY_NOTE)]),
        ],
    ).to_dict()


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
    return f"New idea #{idea.id}: {escape(idea.text)[:200]}", _rendered(blocks)


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


def home_view(summary: HomeSummary) -> dict:
    blocks: list[Block] = [HeaderBlock(text="Your pulses")]
    if summary.open_pulses:
        for pulse in summary.open_pulses:
            state = "answered, you can still change it" if pulse.answered else "waiting for your answer"
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(
                        text=f"*{escape(pulse.title)}*: {state}; closes {pulse.closes_at:%-d %B %H:%M} UTC"
                    )
                )
            )
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No pulse is open for you right now.")))
    blocks.append(HeaderBlock(text="Your ideas"))
    if summary.my_ideas:
        for idea in summary.my_ideas:
            line = (
                f"*#{idea.id}* {escape(idea.text)[:200]} · {STATUS_LABELS[idea.status]} · :+1: {idea.votes}"
            )
            blocks.append(SectionBlock(text=MarkdownTextObject(text=line)))
    else:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text="No ideas yet. Type `/idea` anywhere to share one."))
        )
    return View(type="home", blocks=blocks).to_dict()
