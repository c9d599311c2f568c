"""Pulse messages, answer confirmations, the comment modal and reminders."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from pulsebot.services.pulse.answers import COMMENT_MAX_CHARS, AnswerReceipt, closing_phrase
from pulsebot.services.pulse.pulses import QuestionView, RunView
from pulsebot.services.pulse.reminders import DueReminder
from pulsebot.slack.blocks import rendered
from pulsebot.slack.text import escape, readers_time
from pulsebot.store.models import DeliveryMode, QuestionKind

ANSWER_ACTION = "pulse_answer"
NOT_APPLICABLE_BUTTON = "na"  # the last part of an "N/A" button's value and action id
COMMENT_ACTION = "pulse_comment"
COMMENT_VIEW = "pulse_comment_view"

COMMENT_PRIVACY_NOTE = (
    "Stored without your name. Managers only see comments from groups large enough to stay anonymous."
)


def local_time(moment: datetime, timezone: str) -> str:
    """A time Slack shows in each reader's own time zone (people of one pulse may be far apart);
    clients that cannot render it show the time in the survey's zone."""
    fallback = f"{moment.astimezone(ZoneInfo(timezone)):%A %-d %B, %H:%M} ({timezone})"
    return readers_time(moment, style="{date_long_pretty} at {time}", fallback=fallback)


def _closing_day(run: RunView) -> str:
    return local_time(run.closes_at, run.timezone)


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
    buttons = [
        ButtonElement(
            text=label,
            action_id=f"{ANSWER_ACTION}_{question.id}_{value}",
            value=f"{run.run_id}:{question.id}:{value}",
        )
        for label, value in zip(labels, values, strict=True)
    ]
    if question.not_applicable and question.kind is not QuestionKind.choice:
        buttons.append(
            ButtonElement(
                text="N/A",
                action_id=f"{ANSWER_ACTION}_{question.id}_{NOT_APPLICABLE_BUTTON}",
                value=f"{run.run_id}:{question.id}:{NOT_APPLICABLE_BUTTON}",
            )
        )
    return buttons


def pulse_message(run: RunView) -> tuple[str, list[dict]]:
    """The pulse as posted: one block of buttons per question, and comment buttons.

    It shows no count of answers while open: a count that moves when someone clicks tells whoever
    watches it when that person answered. Figures come later, to the managers, once the run has closed.
    """
    text = f"{escape(run.title)}: a short anonymous pulse"
    blocks: list[Block] = [
        HeaderBlock(text=run.title[:150]),
        SectionBlock(
            text=MarkdownTextObject(
                text="A short, anonymous pulse: your manager sees only the team's figures, once it has "
                "closed and only if enough people answered."
                + ("" if run.closed else f" Open until *{_closing_day(run)}*.")
            )
        ),
    ]
    for number, question in enumerate(run.questions, start=1):
        heading = f"*{number}. {escape(question.prompt)}*" + (" _(required)_" if question.required else "")
        comment_button = None
        if question.rated and not run.closed:
            comment_button = ButtonElement(
                text="Add a comment",
                action_id=f"{COMMENT_ACTION}_{question.id}",
                value=f"{run.run_id}:{question.id}",
            )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=heading), accessory=comment_button))
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
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text="Closed: answers are no longer taken.")])
        )
    return text, rendered(blocks)


NOT_SAVED = "Sorry, your answer could not be saved. Please click it again in a minute."


def thanks_for(receipt: AnswerReceipt) -> str:
    return answer_thanks(
        replaced=receipt.replaced,
        prompt=receipt.question_prompt,
        label=receipt.value_label,
        closes_on=closing_phrase(receipt),
        removed=receipt.removed,
    )


def answer_thanks(*, replaced: bool, prompt: str, label: str, closes_on: str, removed: bool = False) -> str:
    if removed:
        return f"Removed {escape(label)} on “{escape(prompt)}”. You can add one again until {closes_on}."
    verb = "Changed your answer to" if replaced else "Thanks, recorded"
    return f"{verb} *{escape(label)}* for “{escape(prompt)}”. You can change it until {closes_on}."


def comment_modal(
    *,
    run_id: int,
    question: QuestionView,
    earlier: str | None = None,
) -> dict:
    """The form for a text answer, or for the optional comment on a rated answer.

    A required text question's field is mandatory (Slack enforces it too); an optional one may be
    sent empty to take back an earlier comment.
    """
    optional = question.rated or not question.required
    notes = [COMMENT_PRIVACY_NOTE]
    if optional and earlier:
        notes.insert(0, "Send it empty to remove your comment.")
    return View(
        type="modal",
        callback_id=COMMENT_VIEW,
        private_metadata=f"{run_id}:{question.id}",
        title="Add a comment" if question.rated else "Your answer",
        submit="Send anonymously",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id="comment",
                label=question.prompt[:2000],
                optional=optional,
                element=PlainTextInputElement(
                    action_id="text",
                    multiline=True,
                    max_length=COMMENT_MAX_CHARS,
                    initial_value=earlier or None,
                ),
            ),
            ContextBlock(elements=[PlainTextObject(text=" ".join(notes))]),
        ],
    ).to_dict()


def reminder_message(reminder: DueReminder) -> str:
    """A nudge that says pulsebot knows whether the person answered, and nothing more."""
    closes = local_time(reminder.closes_at, reminder.timezone)
    where = (
        f"in <#{reminder.channel_id}>"
        if reminder.delivery is DeliveryMode.channel
        else "in the message I sent you"
    )
    return (
        f":wave: A reminder: *{escape(reminder.title)}* is open until {closes} and "
        f"you have not answered yet. It takes a minute: answer {where}.\n"
        "_pulsebot only keeps track of *whether* you answered, never *what* you answered._"
    )


def sending_phrase(run: RunView, rate: float) -> str:
    """What an admin is told once a run is opened and its messages are on their way."""
    title = escape(run.title)
    if run.delivery is DeliveryMode.channel:
        return f"Posting “{title}” in <#{run.channel_id}> for its {run.audience} members now."
    minutes = run.audience / rate / 60
    duration = (
        "under a minute" if minutes < 1 else f"about {round(minutes)} minute" + ("s" * (minutes >= 1.5))
    )
    return (
        f"Sending “{title}” by DM to the {run.audience} people in <#{run.channel_id}> now: "
        f"at Slack's pace that takes {duration}."
    )
