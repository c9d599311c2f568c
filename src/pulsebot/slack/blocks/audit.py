"""The audit log's latest entries, in an admin's App Home."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from pulsebot.slack.text import escape, readers_time
from pulsebot.store.models import AuditEntry

ACTIONS = {
    "digest_sent": "digest sent",
    "drop_alert_sent": "drop alert sent",
    "digest_requested": "asked for the digest",
    "home_viewed": "saw team figures in App Home",
    "report": "printed a report",
    "export": "exported a CSV",
    "forget": "forgot a person",
    "retention_run": "removed old data",
    "workspace_adopted": "took over the data of the single-workspace setup",
    "results_shared": "shared its results with the team",
    "action_created": "planned an action",
    "action_changed": "moved an action along",
    "web_viewed": "saw team figures on the dashboard",
    "web_refused": "was refused a dashboard page",
    "api_token_created": "made an API token",
    "api_token_revoked": "revoked an API token",
    "api_refused": "was refused an API call",
    "api_viewed": "read figures through the API",
    "webhook_added": "added a webhook",
    "webhook_removed": "removed a webhook",
}


LATEST_NOTE = "The latest entries, in your time zone; `pulsebot audit` shows them all, in UTC."


def audit_blocks(entries: list[AuditEntry]) -> list[Block]:
    if not entries:
        return []
    lines = [
        f"{readers_time(entry.at, style='{date_short} {time}', fallback=f'{entry.at:%-d %b %H:%M} UTC')} "
        f"{_who(entry.actor)} {ACTIONS[entry.action.value]} · "
        f"{escape(entry.scope)}" + (f" · {escape(entry.detail)}" if entry.detail else "")
        for entry in reversed(entries)  # newest first
    ]
    return [
        HeaderBlock(text="Audit log"),
        SectionBlock(text=MarkdownTextObject(text=_fit(lines))),
        ContextBlock(elements=[MarkdownTextObject(text=LATEST_NOTE)]),
    ]


def _who(actor: str) -> str:
    return f"<@{actor}>" if actor[:1] in ("U", "W") and actor.isalnum() else escape(actor)


def _fit(lines: list[str], limit: int = 3000) -> str:
    text = ""
    for line in lines:
        if len(text) + len(line) + 1 > limit:
            break
        text += line + "\n"
    return text.rstrip("\n")
