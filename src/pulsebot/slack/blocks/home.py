"""The App Home tab."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.digest.home import HomeSummary
from pulsebot.services.digest.manager_home import TeamFigures
from pulsebot.services.idea.idea_status import LABELS
from pulsebot.services.loop.actions import HomeActions
from pulsebot.slack.blocks import more
from pulsebot.slack.blocks.actions import home_action_blocks
from pulsebot.slack.blocks.audit import audit_blocks
from pulsebot.slack.blocks.digest import home_team_blocks
from pulsebot.slack.blocks.idea_status import votes
from pulsebot.slack.blocks.ideas import reason_line
from pulsebot.slack.blocks.pulses import local_time
from pulsebot.slack.blocks.snooze import home_snooze_block
from pulsebot.slack.blocks.you_said import item_line
from pulsebot.slack.limits import SECTION_TEXT
from pulsebot.slack.text import escape, excerpt, fit
from pulsebot.store.models import AuditEntry

# A Home tab holds 100 blocks (slack/limits.py). Each part has its share, so that together they never pass
# it, however many pulses, ideas, teams and actions a person has: header and note included, pulses take 13
# (their pause line among them), ideas 11, "You said, we did" 7, teams 23, actions 38
# (slack/blocks/actions.py) and the audit log 3.
HOME_PULSES = 10
HOME_IDEAS = 10
HOME_SHIPPED = 5
HOME_TEAMS = 20


def _pulse_blocks(summary: HomeSummary, tr: Translator) -> list[Block]:
    _ = tr.gettext
    blocks: list[Block] = [HeaderBlock(text=_("Your pulses"))]
    if not summary.open_pulses:
        return [*blocks, SectionBlock(text=MarkdownTextObject(text=_("No pulse is open for you right now.")))]
    for pulse in summary.open_pulses[:HOME_PULSES]:
        state = _("answered, you can still change it") if pulse.answered else _("waiting for your answer")
        line = _("*{title}*: {state}; closes {when}").format(
            title=escape(pulse.title), state=state, when=local_time(pulse.closes_at, pulse.timezone, tr)
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit(line, SECTION_TEXT))))
    left = len(summary.open_pulses) - HOME_PULSES
    if left > 0:
        said = tr.ngettext(
            "…and {count} more open pulse: its message has its buttons.",
            "…and {count} more open pulses: each one's message has its buttons.",
            left,
        )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=said.format(count=tr.number(left, 0)))]))
    return blocks


def home_view(
    summary: HomeSummary,
    *,
    teams: tuple[TeamFigures, ...] = (),
    min_group: int = 5,
    audit: list[AuditEntry] | None = None,
    actions: HomeActions | None = None,
    tr: Translator = ENGLISH,
) -> dict:
    """The Home tab; its pulses part in the person's language (`tr`), the rest in English for now."""
    blocks: list[Block] = [*_pulse_blocks(summary, tr), home_snooze_block(summary.paused_through, tr)]
    blocks.append(HeaderBlock(text="Your ideas"))
    if summary.my_ideas:
        for idea in summary.my_ideas[:HOME_IDEAS]:
            line = f"*#{idea.id}* {excerpt(idea.text, 200)} · {LABELS[idea.status]} · :+1: {idea.votes}"
            if idea.reason:
                line += f"\n{reason_line(idea)}"
            blocks.append(SectionBlock(text=MarkdownTextObject(text=fit(line, SECTION_TEXT))))
    else:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text="No ideas yet. Type `/idea` anywhere to share one."))
        )
    blocks.append(HeaderBlock(text="You said, we did"))
    if summary.team_actions_done:
        lines = [item_line(item, with_team=True) for item in summary.team_actions_done]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit("\n".join(lines), SECTION_TEXT))))
    if summary.recently_shipped:
        for idea in summary.recently_shipped[:HOME_SHIPPED]:
            by = f"<@{idea.author_id}>" if idea.author_id else "a colleague"
            line = (
                f":rocket: *#{idea.id}* {excerpt(idea.text, 200)}\n"
                f"suggested by {by} · {votes(idea.votes)} · shipped {idea.updated_at:%-d %B %Y}"
            )
            blocks.append(SectionBlock(text=MarkdownTextObject(text=fit(line, SECTION_TEXT))))
    elif not summary.team_actions_done:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="Nothing done or shipped yet in answer to your team's pulses or the ideas: "
                    "your idea could be the first."
                )
            )
        )
    blocks.extend(home_team_blocks(teams[:HOME_TEAMS], min_group=min_group))
    blocks += more(len(teams) - HOME_TEAMS, "teams: `/pulse digest NAME` shows any one of them")
    if actions is not None:  # managers and admins only
        blocks.extend(home_action_blocks(list(actions.actions), teams=list(actions.teams), show=actions.show))
    blocks.extend(audit_blocks(audit or []))  # admins only
    return View(type="home", blocks=blocks).to_dict()
