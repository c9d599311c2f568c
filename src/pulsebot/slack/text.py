"""Cleaning user text as it arrives from Slack, and escaping it before it is echoed back."""

import re
from datetime import datetime

# C0 controls and DEL, but not tab, newline or carriage return. PostgreSQL refuses NUL in text, and
# none of these has a meaning in a comment or an idea.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(payload: object) -> object:
    """The payload with control characters removed from every string in it, at any depth."""
    if isinstance(payload, str):
        return _CONTROL.sub("", payload)
    if isinstance(payload, dict):
        return {key: without_controls(value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [without_controls(item) for item in payload]
    return payload


def escape(text: str) -> str:
    """Neutralise Slack's control sequences (`<!channel>`, `<@U123>`, `<http://…|…>`) in user text.

    Slack's message formatting only treats `&`, `<` and `>` specially; escaping those three makes
    mentions and links in user text inert, so no one can ping a channel through the bot.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str) -> str:
    """Escaped user text as a Slack block quote."""
    return "\n".join(f"> {line}" for line in escape(text).splitlines() or [""])


# Slack shows a message's text up to 4,000 characters and cuts or refuses longer ones.
ECHO_MAX_CHARS = 3500


def echo(text: str) -> str:
    """Refused user text handed back to copy, quoted, cut short enough for Slack to show it."""
    if len(text) <= ECHO_MAX_CHARS:
        return quote(text)
    return (
        quote(text[:ECHO_MAX_CHARS])
        + f"\n_(…cut here: the first {ECHO_MAX_CHARS:,} of {len(text):,} characters)_"
    )


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


# What is left of an entity cut in two: the start of an escape (`&am`) or of anything Slack reads between
# angle brackets (`<@U123`, `<#C123|`, `<https://…`, `<!date^…`).
_CUT_ENTITY = re.compile(r"(&[a-z]*|<[^<>]*)$")


def fit(markdown: str, limit: int) -> str:
    """Already-escaped text cut to Slack's `limit` for a block, only between whole entities: never inside
    an escape such as `&amp;`, a mention, a channel link or a URL."""
    if len(markdown) <= limit:
        return markdown
    return _CUT_ENTITY.sub("", markdown[: limit - 1]) + "…"


def readers_time(moment: datetime, *, style: str, fallback: str) -> str:
    """A time Slack shows in each reader's own time zone (`style` takes Slack's date tokens such as
    `{date_short}` and `{time}`); clients that cannot render it show `fallback`."""
    return f"<!date^{int(moment.timestamp())}^{style}|{fallback}>"
