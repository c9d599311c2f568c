"""Escaping user text before it is echoed into Slack."""

import re


def escape(text: str) -> str:
    """Neutralise Slack's control sequences (`<!channel>`, `<@U123>`, `<http://…|…>`) in user text.

    Slack's message formatting only treats `&`, `<` and `>` specially; escaping those three makes
    mentions and links in user text inert, so no one can ping a channel through the bot.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str) -> str:
    """Escaped user text as a Slack block quote."""
    return "\n".join(f"> {line}" for line in escape(text).splitlines() or [""])


def excerpt(text: str, limit: int) -> str:
    """User text escaped and cut to at most `limit` characters (an ellipsis marks a cut), never
    splitting an escape such as `&amp;`."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    kept: list[str] = []
    size = 0
    for char in text:
        piece = escape(char)
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept).rstrip() + "…"


def fit(markdown: str, limit: int) -> str:
    """Already-escaped text cut to Slack's `limit` for a block, without leaving half an escape."""
    if len(markdown) <= limit:
        return markdown
    return re.sub(r"&[a-z]*$", "", markdown[: limit - 1]) + "…"
