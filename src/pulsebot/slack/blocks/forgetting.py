"""`/pulse forget-me`: the question before it, and what was forgotten after it."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, SectionBlock

from pulsebot.services.privacy.forgetting import Forgotten
from pulsebot.slack.blocks import rendered

FORGET_ME_ACTION = "forget_me_confirm"
FORGET_ME_CANCEL = "forget_me_cancel"

QUESTION = (
    "*Forget me?* This cannot be undone. pulsebot will delete the records of the pulses sent to you "
    "(pending ones too), your votes on ideas, the digests it noted as sent to you and the anonymous-reply "
    "conversations you held as a manager and the HR attributes it holds for you (department, site and the "
    "like), and your ideas will no longer be linked to you (they stay up, credited to “a colleague”). "
    "Conversations you had as an anonymous author stay as they are: they never "
    "named you, and ending them now would show the manager they were yours.\n"
    "Your past answers and comments stay in the team's totals, stored under one-way codes without your name. "
    "Until each run's key material is destroyed ({reply_window_days} days after it closes), the operator "
    "holding pulsebot's key could still find them; after that, nobody can."
)


def forget_me_question(*, reply_window_days: int) -> tuple[str, list[dict]]:
    question = QUESTION.format(reply_window_days=reply_window_days)
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=question)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Yes, forget me", action_id=FORGET_ME_ACTION, value="forget", style="danger"
                ),
                ButtonElement(text="Cancel", action_id=FORGET_ME_CANCEL, value="cancel"),
            ]
        ),
    ]
    return "Forget me? This cannot be undone.", rendered(blocks)


def forgotten_text(forgotten: Forgotten) -> str:
    return (
        "*Done: pulsebot has forgotten you.*\n"
        f"• Deleted {_count(forgotten.deliveries, 'record')} of pulses sent to you\n"
        f"• Deleted {_count(forgotten.votes, 'vote')} on ideas\n"
        f"• {_count(len(forgotten.signed_ideas) + forgotten.anonymous_ideas, 'idea')} of yours no longer "
        "linked to you\n"
        f"• Deleted {_count(forgotten.notices, 'record')} of digests or alerts sent to you\n"
        f"• Deleted {_count(forgotten.conversations, 'conversation')} you held as a manager\n"
        + (_ATTRIBUTES_GONE if forgotten.attributes or forgotten.run_cells else "")
        + (f"• Deleted your exit survey and its answers ({forgotten.exits})\n" if forgotten.exits else "")
        + "Your past answers and comments stay, without your name, and count only in the team's totals. "
        "Until each run's key material is destroyed, the operator holding pulsebot's key could still find "
        "them; after that, nobody can. If you are still in a pulse's channel, its next pulses will reach "
        "you as before."
    )


# An HR export or a Slack profile that still gives them would store them again, as a new pulse would
# record its delivery again: said here so nobody thinks them gone for good.
_ATTRIBUTES_GONE = (
    "• Deleted the HR attributes pulsebot held for you (HR's next export, or the fields of your Slack "
    "profile, may give them to it again)\n"
)
CANCELLED = "Nothing was deleted."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
