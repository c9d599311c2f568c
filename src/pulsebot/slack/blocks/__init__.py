"""Block Kit built from service results, one module per feature.

Built with slack_sdk's block models, which check Slack's length limits as they render.
"""

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from pulsebot.slack.limits import SECTION_TEXT
from pulsebot.slack.text import fit


def rendered(blocks: list[Block]) -> list[dict]:
    return [block.to_dict() for block in blocks]


def more(left: int, where: str) -> list[Block]:
    """The line saying how many were left out for want of room, and where to see them; none if none."""
    if left <= 0:
        return []
    return [ContextBlock(elements=[MarkdownTextObject(text=f"…and {left:,} more {where}.")])]


def notice_view(message: str, *, title: str = "Not saved") -> dict:
    """A modal that only says something, e.g. why a form could not be saved."""
    return View(
        type="modal",
        title=title,
        close="Back",
        blocks=[SectionBlock(text=MarkdownTextObject(text=fit(message, SECTION_TEXT)))],
    ).to_dict()
