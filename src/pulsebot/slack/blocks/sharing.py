"""“Share with the team”: the digest's closing-the-loop buttons, the preview modal, and the team's post."""

from __future__ import annotations

import json
from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
)
from slack_sdk.models.views import View

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.digest import digest_text as words
from pulsebot.services.digest.digests import Digest
from pulsebot.services.errors import Invalid
from pulsebot.services.loop.sharing import TeamSummary, WillDo
from pulsebot.slack.blocks import listed, rendered
from pulsebot.slack.text import escape, quote

SHARE_NOW_ACTION = "share_results_now"  # one click: posted as is, without comments
SHARE_RESULTS_ACTION = "share_results"  # the preview, where comments can be added
# Both buttons' value: {"survey": name, "week": "YYYY-MM-DD"}
SHARE_VIEW = "share_results_view"
COMMENTS_BLOCK, COMMENTS_ACTION, INCLUDE = "share_comments", "include", "include"
HEADER_CHARS, SECTION_CHARS = 150, 3000


def share_buttons(digest: Digest, tr: Translator = ENGLISH) -> list[ButtonElement]:
    """A team digest's "Share with the team" (one click: the post is cut from this very digest, without
    comments) and "Preview, add comments…", when its week is shown (in its `digest_loop` row,
    slack/blocks/digest.py), in the digest's reader's language (`tr`)."""
    if digest.is_org or not digest.figures.shown:
        return []
    value = share_value(digest.scope, digest.week)
    share = tr.gettext("Share with the team")
    return [
        ButtonElement(text=share, action_id=SHARE_NOW_ACTION, value=value, style="primary"),
        ButtonElement(text=tr.gettext("Preview, add comments…"), action_id=SHARE_RESULTS_ACTION, value=value),
    ]


def share_value(survey_name: str, week: date) -> str:
    return json.dumps({"survey": survey_name, "week": week.isoformat()}, separators=(",", ":"))


def share_target(value: str) -> tuple[str, date]:
    """The survey and week a button or modal carries; Invalid for anything else (a forged payload)."""
    try:
        data = json.loads(value)
        return str(data["survey"]), date.fromisoformat(data["week"])
    except (ValueError, TypeError, KeyError):
        raise Invalid(
            "That button is not one pulsebot made; open your latest digest and try again."
        ) from None


def share_modal(summary: TeamSummary) -> dict:
    """The preview of the post, and, when the digest quoted comments, the box to include them."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"This is what <#{summary.channel_id}> will see:")),
        DividerBlock(),
        *summary_blocks(summary, with_comments=False),
        DividerBlock(),
    ]
    if summary.comments:
        count = len(summary.comments)
        label = f"Include the {count} comment{'s' if count != 1 else ''} quoted in your digest"
        blocks.append(
            InputBlock(
                block_id=COMMENTS_BLOCK,
                label="Comments",
                optional=True,
                element=CheckboxesElement(
                    action_id=COMMENTS_ACTION, options=[Option(value=INCLUDE, label=label)]
                ),
                hint="Only the comments your digest quoted, unsigned and shuffled; never any other.",
            )
        )
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text="The week can be shared once. Nobody's answers are in it.")]
        )
    )
    return View(
        type="modal",
        callback_id=SHARE_VIEW,
        title="Share with the team",
        submit="Post",
        close="Cancel",
        private_metadata=share_value(summary.survey_name, summary.week),
        blocks=blocks,
    ).to_dict()


def comments_ticked(view: dict) -> bool:
    state = view.get("state", {}).get("values", {}).get(COMMENTS_BLOCK, {}).get(COMMENTS_ACTION, {})
    return any(option.get("value") == INCLUDE for option in state.get("selected_options") or [])


def summary_message(
    summary: TeamSummary, *, with_comments: bool, shared_by: str | None
) -> tuple[str, list[dict]]:
    """The team's post: its notification text and blocks. `shared_by` None: shared automatically."""
    blocks = summary_blocks(summary, with_comments=with_comments)
    by = (
        f"Shared by <@{shared_by}> from the weekly digest."
        if shared_by
        else "Shared automatically every week."
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"{by} {words.footer(summary.min_group)}")]))
    return escape(summary_text(summary)), rendered(blocks)


def summary_text(summary: TeamSummary) -> str:
    """One line for the notification: who answered and how the week went."""
    figures = summary.figures
    parts = [f"{figures.respondents} of {figures.audience} answered ({words.percent(figures.response_rate)})"]
    if figures.score is not None:
        parts.append(f"mood {words.score(figures.score)}")
    if figures.enps is not None:
        parts.append(f"eNPS {words.enps(figures.enps)}")
    return f"{summary.title}, week of {words.short_week(summary.week)}: " + ", ".join(parts)


def summary_blocks(summary: TeamSummary, *, with_comments: bool) -> list[Block]:
    figures = [(label, value) for label, value in summary.headline() if value != "–"]
    blocks: list[Block] = [
        HeaderBlock(text=_clip(f"{summary.title}: your pulse results", HEADER_CHARS)),
        ContextBlock(elements=[MarkdownTextObject(text=f"Week of {words.week_label(summary.week)}")]),
        SectionBlock(
            fields=[MarkdownTextObject(text=f"*{label}*\n{escape(value)}") for label, value in figures]
        ),
    ]
    if summary.strongest is not None:
        title = (
            f"*Drivers over {escape(summary.driver_window)}*"
            if summary.highlights_of == "drivers"
            else "*Questions this week*"
        )
        if summary.weakest is None:  # one shown: neither strongest nor weakest
            lines = [f"• {escape(summary.strongest.text)}"]
        else:
            lines = [
                f"• Strongest: {escape(summary.strongest.text)}",
                f"• Weakest: {escape(summary.weakest.text)}",
            ]
        blocks.append(_section(title, lines, noun="lines"))
    if summary.themes:
        lines = [
            f"• {escape(t.phrase)} ({t.comments} comment{'s' if t.comments != 1 else ''})"
            for t in summary.themes
        ]
        blocks.append(_section("*What the comments mention most*", lines, noun="themes"))
    if with_comments and summary.comments:
        quoted = [quote(comment) for comment in summary.comments]
        blocks.append(_section("*In your words*", quoted, noun="comments"))
    if summary.actions:
        lines = [f"• {action_line(a)}" for a in summary.actions]
        blocks.append(_section("*What we will do*", lines, noun="actions"))
    return blocks


def action_line(action: WillDo) -> str:
    return f"{escape(action.text)} — <@{action.owner_id}>, by {action.due_on.day} {action.due_on:%b %Y}"


def shared_note(summary: TeamSummary, *, with_comments: bool) -> str:
    comments = " with the comments your digest quoted" if with_comments else ""
    return (
        f"Done: the week of {words.short_week(summary.week)} of “{escape(summary.title)}” "
        f"is in <#{summary.channel_id}>{comments}."
    )


def not_posted_note(channel_id: str, error: str) -> str:
    """Why Slack refused the post, in words, and what to do; the week was not marked as shared."""
    if error in ("not_in_channel", "channel_not_found"):
        why = (
            f"pulsebot is not in <#{channel_id}>. "
            f"Invite @pulsebot to <#{channel_id}> first (`/invite @pulsebot` there)"
        )
    elif error == "is_archived":
        why = f"<#{channel_id}> is archived. Point the survey at a channel in use"
    else:
        why = f"Slack did not take the post ({error})"
    return f"Your results were not shared: {why}, then share again from your digest."


def _section(title: str, lines: list[str], *, noun: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=listed(title, lines, noun=noun, limit=SECTION_CHARS)))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
