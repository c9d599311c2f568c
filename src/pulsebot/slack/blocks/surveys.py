"""Survey administration: the create/edit form behind `/pulse new` and `/pulse edit`, and `/pulse list`.

The form holds the same fields as a YAML survey file and is checked by the same validation
(services/survey/survey_file.py), so the two ways of defining a survey cannot drift apart.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from pulsebot.services.survey.library import engagement_library
from pulsebot.services.survey.schedules import local_day_of
from pulsebot.services.survey.survey_file import EnpsCadence, ShareResults, SurveySpec
from pulsebot.services.survey.surveys import SurveySummary
from pulsebot.slack.limits import LIST_TEXT
from pulsebot.slack.text import escape
from pulsebot.store.models import DeliveryMode, QuestionKind

SURVEY_FORM_VIEW = "pulse_survey_form"
MAX_QUESTIONS = 5
PER_PERSON = "per_person_local_time"
MANAGERS_ANSWER = "managers_answer"
SHARE_AUTO = "share_results_auto"
MORE_SURVEYS = "…and {left:,} more: `pulsebot survey list` lists them all."

KIND_LABELS = {
    QuestionKind.scale: "Scale 1–5",
    QuestionKind.enps: "eNPS 0–10",
    QuestionKind.yes_no: "Yes / no",
    QuestionKind.choice: "Choice (list the options)",
    QuestionKind.text: "Free text",
}
DELIVERY_LABELS = {
    DeliveryMode.channel: "One message in the channel",
    DeliveryMode.dm: "A DM to each member",
}
DELIVERY_SHORT = {DeliveryMode.channel: "in the channel", DeliveryMode.dm: "by DM"}


def _option(value: str, text: str) -> Option:
    return Option(value=value, text=text)


def _text_input(
    block_id: str, label: str, *, initial: str | None, optional: bool = True, **element
) -> InputBlock:
    hint = element.pop("hint", None)
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(action_id="value", initial_value=initial or None, **element),
    )


def survey_form(spec: SurveySpec | None = None) -> dict:
    """The form for a new survey, or, given a spec, for editing that survey (its name stays fixed)."""
    questions = list(spec.questions) if spec else []
    blocks: list[Block] = []
    if spec is None:
        blocks.append(
            _text_input(
                "name",
                "Short name",
                initial=None,
                optional=False,
                max_length=80,
                placeholder="team-pulse",
                hint="Lower case letters, digits, - and _. Admins use it in /pulse send NAME.",
            )
        )
    else:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"Editing *{spec.name}*. Rewording a question starts a new version of it, "
                    "so its answers are never mixed with the old wording's."
                )
            )
        )
    blocks += [
        _text_input("title", "Title", initial=spec.display_title if spec else None, max_length=150),
        InputBlock(
            block_id="channel",
            label="Channel whose members are asked",
            hint="Usually a closed (private) channel; invite pulsebot to it.",
            element=ConversationSelectElement(
                action_id="value",
                initial_conversation=spec.channel if spec else None,
                filter=ConversationFilter(include=["private", "public"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id="delivery",
            label="Delivery",
            element=StaticSelectElement(
                action_id="value",
                options=[_option(mode.value, label) for mode, label in DELIVERY_LABELS.items()],
                initial_option=_option(
                    (spec.delivery if spec else DeliveryMode.channel).value,
                    DELIVERY_LABELS[spec.delivery if spec else DeliveryMode.channel],
                ),
            ),
        ),
        _text_input(
            "schedule",
            "Schedule (cron)",
            initial=spec.schedule if spec else None,
            placeholder="0 10 * * tue",
            hint="minute hour day month weekday, in the time zone below. Empty: sent only with /pulse send.",
        ),
        _text_input(
            "timezone",
            "Time zone",
            initial=spec.timezone if spec else "UTC",
            optional=False,
            hint="An IANA name such as Europe/Berlin or America/New_York.",
        ),
        InputBlock(
            block_id="open_days",
            label="Open for (days)",
            element=NumberInputElement(
                action_id="value",
                is_decimal_allowed=False,
                min_value=1,
                max_value=14,
                initial_value=spec.open_days if spec else 3,
            ),
        ),
        _text_input(
            "reminders",
            "Reminders (at most two, by DM, to those who have not answered)",
            initial=", ".join(spec.reminders) if spec else None,
            placeholder="24h after open, 2h before close",
        ),
        _checkboxes(
            "options",
            "Timing",
            {PER_PERSON: "At the schedule's time of day in each person's own time zone (DM delivery)"},
            selected={PER_PERSON} if spec and spec.per_person_local_time else set(),
        ),
        _checkboxes(
            "managers",
            "Managers",
            {MANAGERS_ANSWER: "Ask the team's managers and the admins in its channel too"},
            selected={MANAGERS_ANSWER} if spec and spec.managers_answer else set(),
            hint="They see its results, so they are left out by default. If asked, the minimum group grows "
            "by their number.",
        ),
        _checkboxes(
            "sharing",
            "Sharing results",
            {SHARE_AUTO: "Post each week's results to the team's channel automatically"},
            selected={SHARE_AUTO} if spec and spec.share_results is ShareResults.auto else set(),
            hint="Otherwise a manager shares them from the digest. Hidden weeks are never shared.",
        ),
        *_library_blocks(spec),
    ]
    for row in range(1, MAX_QUESTIONS + 1):
        question = questions[row - 1] if row <= len(questions) else None
        blocks += _question_rows(row, question)
    blocks.append(
        _checkboxes(
            "required",
            "Required questions",
            {str(row): f"Question {row}" for row in range(1, MAX_QUESTIONS + 1)},
            selected={str(row) for row, q in enumerate(questions, start=1) if q.required},
            hint="Marked as required; a required free-text answer may not be left blank.",
        )
    )
    blocks.append(
        _checkboxes(
            "not_applicable",
            "“N/A” answers",
            {str(row): f"Question {row}" for row in range(1, MAX_QUESTIONS + 1)},
            selected={str(row) for row, q in enumerate(questions, start=1) if q.not_applicable},
            hint="Rated questions only: an N/A button for those it does not apply to. It counts as "
            "answering, and in none of the question's figures.",
        )
    )
    # The managers are named in the survey's YAML, not on the form: saving the form keeps the stored ones.
    # They are not carried here, as a team may have more of them than private_metadata holds.
    # The survey's language has no field of its own (it is set in its YAML): it is kept through an edit.
    kept = {"language": spec.language} if spec and spec.language else {}
    # So is N/A on the library's items (`library_not_applicable`).
    if spec and spec.library_not_applicable:
        kept["library_not_applicable"] = True
    metadata = json.dumps({"name": spec.name, "keys": [q.key for q in questions], **kept}) if spec else ""
    return View(
        type="modal",
        callback_id=SURVEY_FORM_VIEW,
        private_metadata=metadata,
        title="Edit survey" if spec else "New survey",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def _question_rows(row: int, question) -> list[Block]:
    kind = question.kind if question else None
    return [
        DividerBlock(),
        InputBlock(
            block_id=f"q{row}_kind",
            label=f"Question {row}",
            optional=row > 1,
            element=StaticSelectElement(
                action_id="value",
                placeholder="Kind of question",
                options=[_option(k.value, label) for k, label in KIND_LABELS.items()],
                initial_option=_option(kind.value, KIND_LABELS[kind]) if kind else None,
            ),
        ),
        _text_input(
            f"q{row}_prompt",
            f"Question {row}: wording",
            initial=question.prompt if question else None,
            max_length=300,
            hint="May stay empty for eNPS (the standard wording is used)." if row == 1 else None,
        ),
        _text_input(
            f"q{row}_options",
            f"Question {row}: options (choice only, one per line)",
            initial="\n".join(question.options) if question and question.options else None,
            multiline=True,
        ),
    ]


ENPS_CADENCES = {
    EnpsCadence.monthly: "Monthly (the first pulse of each month)",
    EnpsCadence.every_pulse: "Every pulse",
    EnpsCadence.quarterly: "Quarterly",
    EnpsCadence.off: "Never",
}


def _library_blocks(spec: SurveySpec | None) -> list[Block]:
    """The question library: which drivers the survey rotates through, how many items a pulse asks, and
    how often the library's eNPS comes; all optional, so a survey may keep to its own questions."""
    library = engagement_library()
    drivers = [_option(driver_id, library.driver(driver_id).name) for driver_id in library.driver_ids]
    chosen = set(spec.library or ()) if spec else set()
    cadence = (spec.enps if spec and spec.library else None) or EnpsCadence.monthly
    return [
        InputBlock(
            block_id="library",
            label="Engagement drivers from the question library",
            optional=True,
            hint="Each pulse asks a few of their items, rotating so every driver comes up in turn.",
            element=StaticMultiSelectElement(
                action_id="value",
                placeholder="None: only the questions below",
                options=drivers,
                initial_options=[option for option in drivers if option.value in chosen] or None,
            ),
        ),
        InputBlock(
            block_id="questions_per_pulse",
            label="Library items per pulse",
            optional=True,
            element=NumberInputElement(
                action_id="value",
                is_decimal_allowed=False,
                min_value=1,
                max_value=6,
                initial_value=spec.questions_per_pulse if spec else 4,
            ),
        ),
        InputBlock(
            block_id="enps",
            label="The library's eNPS question",
            optional=True,
            element=StaticSelectElement(
                action_id="value",
                options=[_option(value.value, text) for value, text in ENPS_CADENCES.items()],
                initial_option=_option(cadence.value, ENPS_CADENCES[cadence]),
            ),
        ),
    ]


def _checkboxes(
    block_id: str, label: str, options: dict[str, str], *, selected: set[str], hint: str | None = None
) -> InputBlock:
    choices = [_option(value, text) for value, text in options.items()]
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        hint=hint,
        element=CheckboxesElement(
            action_id="value",
            options=choices,
            initial_options=[c for c in choices if c.value in selected] or None,
        ),
    )


def next_open_phrase(summary: SurveySummary) -> str:
    if summary.paused:
        return "paused"
    if not summary.schedule:
        return "sent by hand only (`/pulse send`)"
    if summary.next_open is None:
        return "no further runs on its schedule"
    if summary.per_person_local_time:
        return f"next run {local_day_of(summary.next_open):%a %-d %b %H:%M}, each person's local time"
    local = summary.next_open.astimezone(ZoneInfo(summary.timezone))
    return f"next run {local:%a %-d %b %H:%M} ({summary.timezone})"


def survey_list(summaries: list[SurveySummary]) -> str:
    if not summaries:
        return "No surveys yet. `/pulse new` creates one; so does `pulsebot survey apply FILE.yml`."
    lines = ["*Surveys*"]
    for shown, s in enumerate(summaries):
        details = [
            f"<#{s.channel_id}>",
            DELIVERY_SHORT[DeliveryMode(s.delivery)],
            f"`{s.schedule}`" if s.schedule else "no schedule",
            f"open {s.open_days} day{'s' if s.open_days != 1 else ''}",
        ]
        if s.reminders:
            details.append("reminders " + ", ".join(s.reminders))
        details.append(next_open_phrase(s))
        line = f"• *{s.name}*: {escape(s.title)} · " + " · ".join(details)
        if sum(len(kept) + 1 for kept in lines) + len(line) + len(MORE_SURVEYS) + 10 > LIST_TEXT:
            lines.append(MORE_SURVEYS.format(left=len(summaries) - shown))
            break
        lines.append(line)
    return "\n".join(lines)


def saved_notice(summary: SurveySummary, *, outcome: str) -> str:
    verb = {"created": "Created", "updated": "Updated", "unchanged": "No changes to"}[outcome]
    return (
        f"{verb} survey *{summary.name}* ({escape(summary.title)}) for <#{summary.channel_id}>: "
        f"{next_open_phrase(summary)}. Schedule changes take effect within a minute."
    )
