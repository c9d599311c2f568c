"""The survey form (`/pulse new`, `/pulse edit NAME`): checked like a YAML file, saved like one.

A problem is shown on the form field it is about, and the form stays open with everything typed.
"""

from __future__ import annotations

import json

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.digest.managers import managers_of
from pulsebot.services.errors import Refusal
from pulsebot.services.survey.audience import managers_in_channel_line
from pulsebot.services.survey.survey_file import SurveySpecErrors, survey_from_mapping
from pulsebot.services.survey.surveys import create_survey, find_survey, survey_summary, update_survey
from pulsebot.slack.blocks.surveys import MANAGERS_ANSWER, MAX_QUESTIONS, PER_PERSON, SHARE_AUTO, saved_notice
from pulsebot.slack.channel_members import survey_channel_members
from pulsebot.slack.directory import RightsUnknown, admins_among
from pulsebot.store.db import transaction

SURVEY_FIELDS = (
    "name",
    "title",
    "channel",
    "delivery",
    "schedule",
    "timezone",
    "open_days",
    "reminders",
    "library",
    "questions_per_pulse",
    "enps",
)
QUESTION_FIELDS = ("kind", "prompt", "options")


def survey_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user_id = body["user"]["id"]
    try:  # the form was opened by an admin; check the submitter too, as long as the ack can wait
        admin = deps.directory.admin_before_ack(client, deps.settings, user_id)
    except RightsUnknown as unknown:  # nothing saved; the form stays open with what was typed
        ack(response_action="errors", errors={_first_block(view): unknown.message})
        return
    if not admin:
        ack(response_action="errors", errors={_first_block(view): "Only pulsebot admins can save surveys."})
        return
    metadata = json.loads(view.get("private_metadata") or "{}")
    try:
        managers = stored_managers(deps, metadata.get("name"))
    except Refusal as refusal:  # the survey was removed while the form was open
        ack(response_action="errors", errors={_first_block(view): refusal.message})
        return
    data, rows = form_data(view["state"]["values"], metadata, managers=managers)
    try:
        spec = survey_from_mapping(data)
    except SurveySpecErrors as errors:
        ack(response_action="errors", errors=field_errors(errors.problems, rows, editing="name" in metadata))
        return
    now = deps.clock()
    try:
        with transaction(deps.sessions) as session:
            save = update_survey if "name" in metadata else create_survey
            outcome = save(session, spec=spec, now=now)
            summary = survey_summary(session, name=spec.name, now=now)
    except Refusal as refusal:
        ack(response_action="errors", errors={_first_block(view): refusal.message})
        return
    ack()
    notice = saved_notice(summary, outcome=outcome.value)
    if line := managers_in_channel(client, deps, survey_name=spec.name, channel_id=spec.channel):
        notice += "\n" + line
    client.chat_postMessage(channel=user_id, text=notice)


def managers_in_channel(client: WebClient, deps, *, survey_name: str, channel_id: str) -> str | None:
    """The line saying the survey's managers are in its channel (asked or not), if they are."""
    with transaction(deps.sessions) as session:
        if not managers_of(session, survey_id=find_survey(session, name=survey_name).id):
            return None
    try:
        members = survey_channel_members(client, deps.sessions, channel_id)
        admins = admins_among(client, deps.settings, members.zones, slack_admins=members.slack_admins)
    except SlackApiError as error:
        reason = error.response.get("error")
        return f"(Could not read <#{channel_id}>'s members to check for its managers: {reason}.)"
    with transaction(deps.sessions) as session:
        return managers_in_channel_line(
            session,
            survey_name=survey_name,
            members=members.zones,
            min_group=deps.settings.min_group,
            admins=admins,
            mention=lambda user_id: f"<@{user_id}>",
        )


def stored_managers(deps, survey_name: str | None) -> list[str]:
    """The managers an edited survey has now (the form does not show them, so saving it keeps them)."""
    if not survey_name:
        return []
    with transaction(deps.sessions) as session:
        return list(managers_of(session, survey_id=find_survey(session, name=survey_name).id))


def form_data(values: dict, metadata: dict, *, managers: list[str]) -> tuple[dict, list[int]]:
    """The form as the mapping a YAML survey would give, and the form row of each question kept."""

    def value(block_id: str) -> str:
        element = values.get(block_id, {}).get("value", {})
        if "selected_option" in element:
            return ((element.get("selected_option") or {}).get("value")) or ""
        if "selected_conversation" in element:
            return element.get("selected_conversation") or ""
        return (element.get("value") or "").strip()

    def selected(block_id: str) -> set[str]:
        element = values.get(block_id, {}).get("value", {})
        return {option["value"] for option in element.get("selected_options") or []}

    keys = metadata.get("keys", [])
    required, not_applicable = selected("required"), selected("not_applicable")
    questions, rows = [], []
    for row in range(1, MAX_QUESTIONS + 1):
        kind, prompt, options = (value(f"q{row}_{field}") for field in QUESTION_FIELDS)
        if not (kind or prompt or options):
            continue
        question: dict = {
            "key": _key(row, keys),
            "kind": kind or None,
            "required": str(row) in required,
            "not_applicable": str(row) in not_applicable,
        }
        if prompt:
            question["prompt"] = prompt
        if options:
            question["options"] = [line.strip() for line in options.splitlines() if line.strip()]
        questions.append(question)
        rows.append(row)
    data = {
        "name": metadata.get("name") or value("name"),
        "title": value("title") or None,
        "channel": value("channel"),
        "delivery": value("delivery") or "channel",
        "schedule": value("schedule") or None,
        "timezone": value("timezone") or "UTC",
        "open_days": value("open_days") or 3,
        "per_person_local_time": PER_PERSON in selected("options"),
        "reminders": value("reminders"),
        "questions": questions,
        "managers": managers,
        "managers_answer": MANAGERS_ANSWER in selected("managers"),
        "share_results": "auto" if SHARE_AUTO in selected("sharing") else "manual",
        "language": metadata.get("language"),
    }
    library = sorted(selected("library"))
    if library:  # without drivers the survey keeps to its own questions, and the two fields mean nothing
        data["library"] = library
        data["questions_per_pulse"] = value("questions_per_pulse") or 4
        data["enps"] = value("enps") or None
        data["library_not_applicable"] = bool(metadata.get("library_not_applicable"))
    return data, rows


def _key(row: int, keys: list[str]) -> str:
    """A question keeps its key while it stays in its row, so rewording it versions the same question."""
    if row <= len(keys):
        return keys[row - 1]
    key = f"q{row}"
    while key in keys:
        key += "x"
    return key


def field_errors(problems: list[tuple[tuple, str]], rows: list[int], *, editing: bool) -> dict[str, str]:
    """Each validation problem on the form block it is about (the first problem per block)."""
    errors: dict[str, str] = {}
    for loc, message in problems:
        block = _block_for(loc, rows, editing=editing)
        if loc == ("questions",) and not rows:
            message = "Add at least one question."
        elif loc[:1] == ("questions",) and loc[-1] == "kind":
            message = "Pick the kind of question."  # the select offers only valid kinds: it was left empty
        errors.setdefault(block, message[:300])
    return errors


def _block_for(loc: tuple, rows: list[int], *, editing: bool) -> str:
    head = loc[0] if loc else "name"
    if head == "per_person_local_time":
        return "options"
    if head == "managers_answer":
        return "managers"
    if head == "share_results":
        return "sharing"
    if head == "questions":
        if len(loc) >= 2 and isinstance(loc[1], int) and loc[1] < len(rows):
            row = rows[loc[1]]
            field = loc[2] if len(loc) >= 3 else "kind"
            if field in ("required", "not_applicable"):
                return field
            return f"q{row}_{field if field in QUESTION_FIELDS else 'kind'}"
        return "q1_kind"
    if head == "name" and editing:
        return "title"  # the name is fixed while editing; its block is not on the form
    return head if head in SURVEY_FIELDS else "title"


def _first_block(view: dict) -> str:
    return "name" if "name" in view["state"]["values"] else "title"
