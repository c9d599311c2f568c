"""What a status change looks like: the decline modal, the author's DM and the "shipped" note."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.idea.idea_status import LABELS, REASON_MAX_CHARS, StatusChange
from pulsebot.services.idea.ideas import IdeaView
from pulsebot.slack.blocks.ideas import reason_line
from pulsebot.slack.text import excerpt, quote

DECLINE_VIEW = "idea_decline_view"


def decline_modal(*, idea: IdeaView, channel_id: str) -> dict:
    return View(
        type="modal",
        callback_id=DECLINE_VIEW,
        title=f"Decline idea #{idea.id}",
        submit="Decline",
        close="Cancel",
        private_metadata=json.dumps({"idea": idea.id, "channel": channel_id}),
        blocks=[
            SectionBlock(text=f"“{excerpt(idea.text, 500)}”"),
            InputBlock(
                block_id="reason",
                label="Why? The author will read this.",
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=REASON_MAX_CHARS),
            ),
        ],
    ).to_dict()


def decline_target(private_metadata: str) -> tuple[int, str | None]:
    """The idea and channel a decline modal was opened for."""
    found = json.loads(private_metadata or "{}")
    return int(found["idea"]), found.get("channel")


def author_notice(change: StatusChange, tr: Translator = ENGLISH) -> str:
    """The DM to an idea's author, in their language (`tr`). For an anonymous idea it says so, and names
    no one."""
    _ = tr.gettext
    idea = change.idea
    status = _(LABELS[idea.status])
    # Moved on the dashboard by someone forgotten before Slack was told: no one is named.
    by = f"<@{change.changed_by}>" if change.changed_by else None
    if change.reopened:
        what = (
            _("was reopened by {by} and is *{status}* again").format(by=by, status=status)
            if by
            else _("was reopened by a manager and is *{status}* again").format(status=status)
        )
    else:
        what = (
            _("was moved to *{status}* by {by}").format(by=by, status=status)
            if by
            else _("was moved to *{status}* by a manager").format(status=status)
        )
    whose = _("Your anonymous idea #{id} {what}.") if idea.anonymous else _("Your idea #{id} {what}.")
    lines = [whose.format(id=idea.id, what=what), quote(idea.text), reason_line(idea, tr)]
    if change.shipped:
        lines.append(
            ":rocket: "
            + _("It has shipped. Thank you for suggesting it ({votes}).").format(votes=votes(idea.votes, tr))
        )
    if idea.anonymous:
        lines.append(
            "_"
            + _("It was posted anonymously: only you got this message, and no one was told who you are.")
            + "_"
        )
    return "\n".join(filter(None, lines))  # bounded by the idea's and the reason's limits


def shipped_note(idea: IdeaView) -> str:
    """ "You said, we did": names the author only if they posted under their name."""
    by = f"<@{idea.author_id}>" if idea.author_id else "a colleague"
    note = f"\n{reason_line(idea)}" if idea.reason else ""
    return f":rocket: *Shipped:* {excerpt(idea.text, 600)} — suggested by {by}, {votes(idea.votes)}{note}"


def votes(count: int, tr: Translator = ENGLISH) -> str:
    return tr.ngettext("{count} vote", "{count} votes", count).format(count=count)
