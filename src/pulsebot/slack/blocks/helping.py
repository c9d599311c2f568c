""" "Is this helping?" in the team's channel: the question with its three buttons, then its outcome."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from pulsebot.services.loop import progress_text as words
from pulsebot.services.loop.helping import LABELS, Helping, HelpingReceipt, HelpingRound
from pulsebot.slack.blocks import rendered
from pulsebot.slack.text import escape, readers_time
from pulsebot.store.models import ActionStatus

HELPING_ACTION = "action_helping"


def helping_message(round_: HelpingRound, *, min_group: int) -> tuple[str, list[dict]]:
    """The round's message: its buttons while open, its counts (or why there are none) once closed."""
    question = "Did it help?" if round_.for_status is ActionStatus.done else "Is this helping?"
    what = "done" if round_.for_status is ActionStatus.done else "under way"
    about = (
        f"“{escape(round_.action_text)}” is {what} (about {escape(round_.focus_label)}, "
        f"owner <@{round_.owner_id}>)."
    )
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"*{question}* {about}"))]
    if round_.open:
        closes = readers_time(
            round_.closes_at, style="{date_long_pretty}", fallback=f"{round_.closes_at:%-d %B}"
        )
        blocks += [
            ActionsBlock(
                block_id=f"helping_{round_.id}",
                elements=[
                    ButtonElement(
                        text=LABELS[choice],
                        action_id=f"{HELPING_ACTION}_{choice.value}",
                        value=f"{round_.id}:{choice.value}",
                    )
                    for choice in Helping
                ],
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Anonymous: stored without your name. Open until {closes}; the answers are "
                        f"shown only if at least {round_.minimum(min_group)} of the team answer."
                    )
                ]
            ),
        ]
        text = f"{question} {about}"
    else:
        outcome = "Closed: " + words.outcome(round_, min_group=min_group)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=escape(outcome))]))
        text = f"{question} {about} {outcome}"
    return text, rendered(blocks)


def helping_thanks(receipt: HelpingReceipt) -> str:
    verb = "changed to" if receipt.replaced else "counted:"
    until = readers_time(
        receipt.closes_at, style="{date_long_pretty}", fallback=f"{receipt.closes_at:%-d %B}"
    )
    answer = LABELS[receipt.answer]
    return f"Thanks, your answer is {verb} “{answer}”, anonymously. You can change it until {until}."
