""" "You said, we did": the monthly post to a team's channel, and its App Home section."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from pulsebot.services.loop.you_said import DoneItem, MonthPost
from pulsebot.slack.blocks import rendered
from pulsebot.slack.text import escape, fit

SECTION_MAX = 3000


def item_line(item: DoneItem, *, with_team: bool = False) -> str:
    """`• “Weekly backlog triage”, for what you said about Workload · <@owner> · done 20 Nov`."""
    who = f" · <@{item.owner_id}>" if item.owner_id else ""
    team = f" · {escape(item.team)}" if with_team and item.team else ""
    verb = "shipped" if item.idea_id is not None else "done"
    return f"• “{escape(item.what)}”, for {escape(item.answered)}{who}{team} · {verb} {item.done_on:%-d %b}"


def month_post_message(post: MonthPost) -> tuple[str, list[dict]]:
    month = f"{post.month:%B %Y}"
    lines = [item_line(item) for item in post.items]
    blocks: list[Block] = [
        HeaderBlock(text=f"You said, we did: {month}"),
        SectionBlock(text=MarkdownTextObject(text=fit("\n".join(lines), SECTION_MAX))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="What changed last month in answer to your pulses, comments and ideas. "
                    "Thank you for saying it."
                )
            ]
        ),
    ]
    count = len(post.items)
    text = f"You said, we did in {month}: {count} {'thing' if count == 1 else 'things'} done for {post.title}"
    return escape(text), rendered(blocks)
