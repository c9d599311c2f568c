"""Escaping user text before it is echoed into Slack."""


def escape(text: str) -> str:
    """Neutralise Slack's control sequences (`<!channel>`, `<@U123>`, `<http://…|…>`) in user text.

    Slack's message formatting only treats `&`, `<` and `>` specially; escaping those three makes
    mentions and links in user text inert, so no one can ping a channel through the bot.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str) -> str:
    """Escaped user text as a Slack block quote."""
    return "\n".join(f"> {line}" for line in escape(text).splitlines() or [""])
