"""Idea lists for `/idea list`, `/idea top` and `/idea mine`, and the `/idea help` text."""

from __future__ import annotations

from pulsebot.services.idea.idea_lists import IdeaList
from pulsebot.services.idea.idea_status import LABELS, STATUS_WORDS
from pulsebot.services.idea.ideas import CATEGORIES, IdeaView
from pulsebot.slack.text import escape, excerpt
from pulsebot.store.models import IdeaStatus

LINE_CHARS = 150
MESSAGE_MAX = 3500  # Slack folds longer messages behind "Show more"

HELP = (
    "*Ideas to make things better for our customers*\n"
    "• `/idea Make the refund page clearer`: post an idea in the ideas channel at once\n"
    "• `/idea`: a form with category, customer-journey stage and “post anonymously”\n"
    "• `/idea list`, `/idea list planned`, `/idea list billing`: the latest ideas, by status or category\n"
    "• `/idea top`: the open ideas with the most :+1: votes\n"
    "• `/idea mine`: your ideas and where they stand, anonymous ones included\n"
    "• `/idea status 12 planned` (managers): move an idea along; "
    "`/idea status 12 declined REASON` needs a reason, which its author reads\n"
    f"Statuses: new → {', '.join(STATUS_WORDS)}. Categories: {', '.join(CATEGORIES)}.\n"
    "Whenever an idea's status changes, its author hears about it by DM, even if they posted anonymously."
)

EMPTY_MINE = "You have not posted an idea yet. Type `/idea` followed by your idea to share one."
EMPTY_TOP = "No open ideas right now. Be the first: `/idea your idea`."


def idea_line(idea: IdeaView) -> str:
    line = f"*#{idea.id}* {excerpt(idea.text, LINE_CHARS)} · {LABELS[idea.status]} · :+1: {idea.votes}"
    if idea.reason and idea.status is IdeaStatus.declined:
        line += f"\n      _declined: {excerpt(idea.reason, LINE_CHARS)}_"
    return line


def idea_list_text(listing: IdeaList, *, empty: str | None = None) -> str:
    """A list as one message, whole lines only, short enough for Slack to show without folding."""
    if not listing.ideas:
        return empty or f"{escape(listing.title)}: none yet."
    lines: list[str] = []
    for idea in listing.ideas:
        line = idea_line(idea)
        if sum(len(kept) + 1 for kept in lines) + len(line) > MESSAGE_MAX:
            break
        lines.append(line)
    more = f" (showing {len(lines)} of {listing.total})" if listing.total > len(lines) else ""
    return "\n".join([f"*{escape(listing.title)}*{more}", *lines])
