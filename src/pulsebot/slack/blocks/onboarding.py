"""The onboarding pulse a new joiner gets at day 30, 60 and 90, and the exit survey of someone leaving:
each question with its buttons, and what each says about who reads the answers."""

from __future__ import annotations

from datetime import date, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from pulsebot.services.onboarding.exits import NOT_ANONYMOUS
from pulsebot.services.onboarding.onboarding import OnboardingReceipt
from pulsebot.services.onboarding.questions import SCALE, Asked, exit_questions, onboarding_questions
from pulsebot.slack.blocks import rendered
from pulsebot.slack.text import escape

ONBOARDING_ACTION = "onboarding_answer"
EXIT_ACTION = "exit_answer"
SCALE_NOTE = "1 = strongly disagree, 5 = strongly agree."


def _buttons(action: str, owner: int, question: Asked) -> ActionsBlock:
    choices = question.options if question.kind == "choice" else tuple(str(value) for value in SCALE)
    return ActionsBlock(
        block_id=f"{action}_{owner}_{question.key}",
        elements=[
            ButtonElement(
                text=choice,
                action_id=f"{action}_{question.key}_{number}",
                value=f"{owner}:{question.key}:{choice}",
            )
            for number, choice in enumerate(choices)
        ],
    )


def _asked(action: str, owner: int, questions: tuple[Asked, ...]) -> list[Block]:
    blocks: list[Block] = []
    for question in questions:
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=f"*{escape(question.prompt)}*")),
            _buttons(action, owner, question),
        ]
    return blocks


def onboarding_message(*, pulse_id: int, milestone: int, closes_on: date) -> tuple[str, list[dict]]:
    text = f"Welcome, {milestone} days in: how is your start going?"
    note = (
        "Anonymous: your answers are pooled with everyone who started in the same quarter, and shown to "
        "admins only for the whole quarter, once every pulse of it is over, and only if enough people "
        f"answered. Never your name, your start date or when you answered. {SCALE_NOTE} "
        f"Open until the end of {_last_day(closes_on)}."
    )
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=f"*{text}*")),
        *_asked(ONBOARDING_ACTION, pulse_id, onboarding_questions()),
        ContextBlock(elements=[MarkdownTextObject(text=note)]),
    ]
    return text, rendered(blocks)


def onboarding_thanks(receipt: OnboardingReceipt) -> str:
    verb = "changed" if receipt.replaced else "counted"
    until = _last_day(receipt.closes_on)
    return f"Thanks, your answer is {verb}, anonymously. You can change it until the end of {until}."


def _last_day(closes_on: date) -> str:
    """The last day a pulse takes answers (UTC), as a date: `closes_on` is the first day it does not."""
    return f"{closes_on - timedelta(days=1):%-d %B}"


def exit_message(*, exit_id: int) -> tuple[str, list[dict]]:
    text = f"Before you go: a few questions about your time here. {NOT_ANONYMOUS}"
    blocks = [
        SectionBlock(text=MarkdownTextObject(text="*Before you go: a few questions about your time here.*")),
        SectionBlock(text=MarkdownTextObject(text=f":lock: *{NOT_ANONYMOUS}*")),
        *_asked(EXIT_ACTION, exit_id, exit_questions()),
        ContextBlock(elements=[MarkdownTextObject(text=f"Answer any you like. {SCALE_NOTE}")]),
    ]
    return text, rendered(blocks)


def exit_thanks(answer: str) -> str:
    return f"Thanks, “{escape(answer)}” is recorded with your name, for HR only."
