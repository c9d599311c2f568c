"""The weekly digest, the drop alert and the managers' part of App Home, in Block Kit."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.digest import digest_text as words
from pulsebot.services.digest import driver_text as drivers_words
from pulsebot.services.digest.digests import Digest, DropAlert
from pulsebot.services.digest.manager_home import TeamFigures
from pulsebot.services.loop import progress_text as action_words
from pulsebot.services.results.analytics import WeekStatus
from pulsebot.services.results.heatmap import enps_lines
from pulsebot.services.segments import segment_text
from pulsebot.slack.blocks import listed, rendered
from pulsebot.slack.blocks.actions import plan_buttons
from pulsebot.slack.blocks.replies import REPLY_COMMENT_ACTION, reply_button
from pulsebot.slack.blocks.sharing import share_buttons
from pulsebot.slack.text import escape, fit, quote

HEADER_CHARS = 150
SECTION_CHARS = 3000


def digest_message(digest: Digest, tr: Translator = ENGLISH) -> tuple[str, list[dict]]:
    """The digest in its reader's language (`tr`): its headings, its figures' words and the numbers as the
    language writes them. Actions, segments and the reporting line's table are in English for now."""
    _ = tr.gettext
    digest = words.as_shown(digest, tr)  # changes, and the summary's words for them, as the figures read
    figures = digest.figures
    blocks: list[Block] = [
        HeaderBlock(text=_clip(_("{title}: weekly digest").format(title=digest.title), HEADER_CHARS)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=_("Week of {week}").format(week=tr.week(digest.week, words.week_label(digest.week)))
                )
            ]
        ),
        SectionBlock(text=MarkdownTextObject(text=escape(digest.summary))),
    ]
    if figures.shown:
        blocks.append(
            SectionBlock(
                fields=[
                    MarkdownTextObject(text=f"*{label}*\n{escape(value)}")
                    for label, value in words.headline(figures, digest.min_group, tr)
                ]
            )
        )
        if figures.questions:
            lines = [f"• {escape(words.question_line(q, digest.min_group, tr))}" for q in figures.questions]
            blocks.append(_section(_("*Questions*"), lines, noun="questions"))
    if digest.drivers is not None:
        title = _("*Drivers over {window}*").format(window=escape(drivers_words.window(digest.drivers, tr)))
        lines = [
            f"• {escape(line)}" for line in drivers_words.summary_lines(digest.drivers, digest.min_group, tr)
        ]
        blocks.append(_section(title, lines, noun="lines"))
    if digest.actions:
        blocks.append(_section(_("*Actions*"), action_lines(digest), noun="actions"))
    if digest.enps_links is not None:
        lines = [f"• {escape(line)}" for line in enps_lines(digest.enps_links, tr)]
        blocks.append(_section(_("*What moves eNPS*"), lines, noun="drivers"))
    if digest.segments is not None:
        lines = [f"• {escape(line)}" for line in segment_text.digest_lines(digest.segments)]
        title = f"*Segments, {escape(segment_text.period_words(digest.segments))}*"
        blocks.append(_section(title, lines, noun="lines"))
    if digest.line_roll_up is not None:
        roll_up = digest.line_roll_up
        lines = [f"• {escape(line)}" for line in segment_text.roll_up_lines(roll_up.row, roll_up.table)]
        blocks.append(_section(f"*{escape(words.line_roll_up_title(digest))}*", lines, noun="measures"))
    if digest.teams:
        lines = [
            f"• {escape(words.team_line(t.title, t.figures, digest.min_group, tr))}" for t in digest.teams
        ]
        blocks.append(_section(_("*Teams*"), lines, noun="teams"))
    if digest.themes:
        themes = [f"{escape(theme.phrase)} ({theme.comments})" for theme in digest.themes]
        blocks.append(_section(_("*Themes in the comments*"), [" · ".join(themes)], noun="themes"))
    if digest.comments and digest.comment_refs:
        # One section per comment, each with its own reply button (an opaque reference, never the author).
        blocks.append(_section(_("*In their words*"), [], noun="comments"))
        blocks += [
            SectionBlock(
                text=MarkdownTextObject(text=fit(quote(comment), SECTION_CHARS)),
                accessory=reply_button(REPLY_COMMENT_ACTION, ref),
            )
            for comment, ref in zip(digest.comments, digest.comment_refs, strict=True)
        ]
    elif digest.comments:
        quoted = [quote(comment) for comment in digest.comments]
        blocks.append(_section(_("*In their words*"), quoted, noun="comments"))
    ideas = words.idea_lists(digest, tr)
    if ideas.top:
        lines = [f"• {escape(words.idea_line(i, tr))}" for i in ideas.top]
        blocks.append(_section(_("*Top ideas*"), lines, noun="ideas"))
    if ideas.waiting:
        lines = [f"• {escape(words.waiting_line(i, tr))}" for i in ideas.waiting]
        if ideas.more_waiting:
            lines.append(f"_{ideas.more_waiting}_")
        blocks.append(_section(f"*{ideas.waiting_title}*", lines, noun="ideas"))
    if not digest.is_org:
        elements = [*share_buttons(digest, tr), *plan_buttons(digest, tr)]
        blocks.append(ActionsBlock(block_id="digest_loop", elements=elements))
    blocks += [
        DividerBlock(),
        ContextBlock(elements=[MarkdownTextObject(text=words.footer(digest.min_group, tr))]),
    ]
    text = _("{title}, week of {week}: {summary}").format(
        title=digest.title, week=words.short_week(digest.week, tr), summary=digest.summary
    )
    return escape(text), rendered(blocks)


def action_lines(digest: Digest) -> list[str]:
    """Each action with its owner (a mention), its focus's trend and its latest "Is this helping?", as one
    entry of lines, so a long list is cut between whole actions."""
    today = digest.week + timedelta(days=6)
    entries = []
    for action in digest.actions:
        lines = [f"• {escape(action_words.headline(action, today=today))} · owner <@{action.owner_id}>"]
        lines += [
            f"   {escape(line)}" for line in action_words.progress_lines(action, min_group=digest.min_group)
        ]
        entries.append("\n".join(lines))
    return entries


def drop_alert_message(alert: DropAlert, tr: Translator = ENGLISH) -> tuple[str, list[dict]]:
    """The drop alert in its manager's language (`tr`)."""
    text = escape(words.drop_alert_text(alert, tr))
    details = tr.gettext("Your weekly digest will have the details and the trend chart.")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f":warning: {text}")),
        ContextBlock(elements=[MarkdownTextObject(text=details)]),
    ]
    return text, rendered(blocks)


def home_team_blocks(teams: tuple[TeamFigures, ...], *, min_group: int) -> list[Block]:
    """The App Home section for managers (their teams) and admins (every team and the organisation)."""
    if not teams:
        return []
    blocks: list[Block] = [HeaderBlock(text="Your teams")]
    for team in teams:
        figures = team.figures
        if figures is None or figures.status is WeekStatus.no_data:
            line = "no pulse in the last weeks"
        elif not figures.shown:
            line = f"week of {words.short_week(figures.week)}: {words.withheld(figures, min_group)}"
        else:
            line = f"week of {words.short_week(figures.week)}: " + " · ".join(
                f"{label.lower()} {value}" for label, value in words.headline(figures, min_group)
            )
        if team.drivers is not None:
            line += "\n" + drivers_words.home_line(team.drivers, min_group)
        text = fit(f"*{escape(team.title)}*\n{escape(line)}", SECTION_CHARS)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=words.footer(min_group))]))
    return blocks


def _section(title: str, lines: list[str], *, noun: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=listed(title, lines, noun=noun)))


def _clip(text: str, limit: int = SECTION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
