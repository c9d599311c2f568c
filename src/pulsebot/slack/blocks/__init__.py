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


def listed(title: str, entries: list[str], *, noun: str, limit: int = SECTION_TEXT) -> str:
    """A section's text: its title, then as many whole entries (a line, or an item with its lines under
    it) as fit in `limit`, and "…and N more" for the rest; an entry too long on its own is cut only
    between whole entities (`fit`)."""

    def tail(left: int) -> str:
        return f"_…and {left:,} more {noun}._" if left else ""

    lines = [title] if title else []
    for shown, entry in enumerate(entries):
        after = len(entries) - shown - 1
        # Room for this entry and, when more follow, for the line saying how many: that line always fits.
        room = limit - len("\n".join(lines)) - 1 - (len(tail(after)) + 1 if after else 0)
        if len(entry) <= room:
            lines.append(entry)
            continue
        if shown == 0 and room > 1:  # not even the first fits whole: its start, cut between entities
            lines.append(fit(entry, room))
            after = len(entries) - 1
        else:
            after = len(entries) - shown
        if after:
            lines.append(tail(after))
        break
    return fit("\n".join(lines), limit)


def notice_view(message: str, *, title: str = "Not saved") -> dict:
    """A modal that only says something, e.g. why a form could not be saved."""
    return View(
        type="modal",
        title=title,
        close="Back",
        blocks=[SectionBlock(text=MarkdownTextObject(text=fit(message, SECTION_TEXT)))],
    ).to_dict()
