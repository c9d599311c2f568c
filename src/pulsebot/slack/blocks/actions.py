"""Action plans in Block Kit: the planning modal, the drop modal, the team's channel post, the App Home
section with its status menus, and the owner's reminder."""

from __future__ import annotations

import json
from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from pulsebot.i18n import ENGLISH, Translator
from pulsebot.services.digest.digests import Digest
from pulsebot.services.loop.action_reminders import DueReminder, ReminderKind
from pulsebot.services.loop.actions import (
    LABELS,
    NEXT,
    REASON_MAX_CHARS,
    TEXT_MAX_CHARS,
    ActionChange,
    ActionLine,
)
from pulsebot.services.loop.focus import FocusOption, FocusOptions
from pulsebot.slack.blocks import more, rendered
from pulsebot.slack.limits import OPTION_TEXT, SECTION_TEXT
from pulsebot.slack.text import escape, excerpt, fit
from pulsebot.store.models import ActionStatus

PLAN_ACTION = "action_plan"  # the "Plan an action" button; its value is the survey's name
ACTION_VIEW = "action_plan_view"
ACTION_STATUS = "action_status"  # the status menu of an action in App Home; value "id:status"
DROP_VIEW = "action_drop_view"
VISIBLE = "visible"
# App Home holds 100 blocks, shared with pulses, ideas, teams and the audit log (slack/blocks/home.py):
# actions take 38 at most, header and notes included.
HOME_PLAN_TEAMS = 10
HOME_ACTIONS_MAX = 25
MENU_WORDS = {
    ActionStatus.in_progress: "Start",
    ActionStatus.done: "Mark done",
    ActionStatus.dropped: "Drop…",
}
STATUS_ICONS = {
    ActionStatus.planned: ":spiral_calendar_pad:",
    ActionStatus.in_progress: ":hammer_and_wrench:",
    ActionStatus.done: ":white_check_mark:",
    ActionStatus.dropped: ":no_entry_sign:",
}


def plan_button(survey_name: str, tr: Translator = ENGLISH) -> ButtonElement:
    return ButtonElement(text=tr.gettext("Plan an action"), action_id=PLAN_ACTION, value=survey_name)


def plan_buttons(digest: Digest, tr: Translator = ENGLISH) -> list[ButtonElement]:
    """A team digest's "Plan an action" (in its `digest_loop` row, slack/blocks/digest.py)."""
    return [plan_button(digest.scope, tr)]


def action_modal(options: FocusOptions, *, source: str) -> dict:
    """The planning form for one team; `source` (command, digest, home) says what to refresh afterwards."""
    groups = [
        OptionGroup(label=label, options=[_focus_option(o) for o in group[:100]])
        for label, group in (
            ("Drivers", options.drivers),
            ("Questions", options.questions),
            ("Comment themes", options.themes),
        )
        if group
    ]
    visible = Option(value=VISIBLE, text="The team sees it (posted in the team's channel)")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"An action for *{escape(options.title)}*.")),
        InputBlock(
            block_id="focus",
            label="What is it about?",
            element=StaticSelectElement(
                action_id="value", placeholder="A driver, a question or a comment theme", option_groups=groups
            ),
        ),
        InputBlock(
            block_id="text",
            label="What will be done?",
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=TEXT_MAX_CHARS),
        ),
        InputBlock(block_id="owner", label="Who owns it?", element=UserSelectElement(action_id="value")),
        InputBlock(block_id="due", label="Due by", element=DatePickerElement(action_id="value")),
        InputBlock(
            block_id=VISIBLE,
            label="Who sees it",
            optional=True,
            element=CheckboxesElement(action_id="value", options=[visible], initial_options=[visible]),
        ),
    ]
    return View(
        type="modal",
        callback_id=ACTION_VIEW,
        title="Plan an action",
        submit="Plan it",
        close="Cancel",
        private_metadata=json.dumps({"survey": options.survey_name, "from": source}),
        blocks=blocks,
    ).to_dict()


def action_modal_target(private_metadata: str) -> tuple[str, str]:
    """The survey and the source a planning modal was opened for."""
    found = json.loads(private_metadata or "{}")
    return str(found.get("survey", "")), str(found.get("from", ""))


def drop_modal(action: ActionLine) -> dict:
    return View(
        type="modal",
        callback_id=DROP_VIEW,
        title="Drop an action",
        submit="Drop it",
        close="Cancel",
        private_metadata=json.dumps({"action": action.id}),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"“{excerpt(action.text, 500)}”")),
            InputBlock(
                block_id="reason",
                label="Why is it dropped? The team will read this."
                if action.visible
                else "Why is it dropped?",
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=REASON_MAX_CHARS),
            ),
        ],
    ).to_dict()


def drop_target(private_metadata: str) -> int:
    return int(json.loads(private_metadata or "{}")["action"])


def due_day(day: date) -> str:
    return f"{day.day} {day:%b}"


def channel_post(action: ActionLine) -> tuple[str, list[dict]]:
    """What the team reads: the action, its owner and date, what it is about, and its status."""
    line = (
        f"*We will:* {escape(action.text)} — <@{action.owner_id}>, by {due_day(action.due_on)}"
        f" · about: {escape(action.focus_label)}"
    )
    status = f"{STATUS_ICONS[action.status]} {_status_words(action)}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=fit(line, SECTION_TEXT))),
        ContextBlock(elements=[MarkdownTextObject(text=fit(status, SECTION_TEXT))]),
    ]
    return fit(f"We will: {escape(action.text)}", 3000), rendered(blocks)


def status_post(change: ActionChange) -> str:
    """The short message the team's channel gets when an action moves."""
    action = change.action
    what = excerpt(action.text, 300)
    if action.status is ActionStatus.in_progress:
        return f":hammer_and_wrench: Started: {what} — <@{action.owner_id}>, by {due_day(action.due_on)}"
    if action.status is ActionStatus.done:
        return f":white_check_mark: Done: {what}"
    return f":no_entry_sign: Dropped: {what}\nWhy: {excerpt(action.reason or '', REASON_MAX_CHARS)}"


def status_menu(action: ActionLine) -> StaticSelectElement | None:
    moves = NEXT[action.status]
    if not moves:
        return None
    return StaticSelectElement(
        action_id=ACTION_STATUS,
        placeholder="Change status",
        options=[Option(value=f"{action.id}:{status.value}", text=MENU_WORDS[status]) for status in moves],
    )


def home_action_blocks(actions: list[ActionLine], *, teams: list[tuple[str, str]], show: bool) -> list[Block]:
    """App Home's "Actions": a "Plan an action" button per team managed (name, title), then the actions."""
    if not show:
        return []
    blocks: list[Block] = [HeaderBlock(text="Actions")]
    for name, title in teams[:HOME_PLAN_TEAMS]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"*{escape(title)}*: what will you do about its results?"),
                accessory=plan_button(name),
            )
        )
    blocks += more(len(teams) - HOME_PLAN_TEAMS, "teams: `/pulse action NAME` plans for any one of them")
    if not actions:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No actions planned yet.")))
        return blocks
    for action in actions[:HOME_ACTIONS_MAX]:
        line = (
            f"*{escape(action.team_title)}* · about: {escape(action.focus_label)}\n"
            f"{escape(action.text)}\n"
            f"<@{action.owner_id}> · due {due_day(action.due_on)} · "
            f"{STATUS_ICONS[action.status]} {_status_words(action)}"
            + ("" if action.visible else " · _not shown to the team_")
        )
        menu = status_menu(action)
        text = MarkdownTextObject(text=fit(line, SECTION_TEXT))
        blocks.append(SectionBlock(text=text, accessory=menu) if menu else SectionBlock(text=text))
    if len(actions) > HOME_ACTIONS_MAX:
        left = len(actions) - HOME_ACTIONS_MAX
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"{left} more: `pulsebot actions` lists them all.")]
            )
        )
    return blocks


def reminder_text(reminder: DueReminder) -> str:
    when = (
        "today"
        if reminder.kind is ReminderKind.due
        else f"in 3 days, on {reminder.due_on:%A} {due_day(reminder.due_on)}"
    )
    return (
        f":alarm_clock: An action you own for *{escape(reminder.team_title)}* is due {when}:\n"
        f"{excerpt(reminder.text, 300)}\n_About: {escape(reminder.focus_label)}_"
    )


def _status_words(action: ActionLine) -> str:
    if action.status is ActionStatus.dropped and action.reason:
        return f"{LABELS[action.status]}: {escape(action.reason)}"
    return LABELS[action.status]


def _focus_option(option: FocusOption) -> Option:
    text = f"{option.label} · {option.detail}" if option.detail else option.label
    if len(text) > OPTION_TEXT:
        text = text[: OPTION_TEXT - 1] + "…"
    return Option(value=option.value, text=text)
