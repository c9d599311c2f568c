"""The planning form and the drop form: every problem is a field error and nothing is written; once
saved, the team's channel is told (when the team sees the action) and the manager hears how it went."""

from datetime import date

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.errors import FieldErrors, Invalid, Refusal
from pulsebot.services.loop import actions
from pulsebot.services.loop.focus import parse_focus_value
from pulsebot.slack.action_plans import (
    announce_change,
    announce_new_action,
    change_action_status,
    owner_problem,
)
from pulsebot.slack.blocks import notice_view
from pulsebot.slack.blocks.actions import VISIBLE, action_modal_target, drop_target
from pulsebot.slack.directory import before_ack_client
from pulsebot.slack.home import publish_home
from pulsebot.slack.text import quote
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus


def plan_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    """Everything pulsebot holds is checked before the ack, so a mistake shows on its field. Whether the
    owner is a person still in the workspace only Slack knows: asked at once, without waiting out a 429
    or a slow answer; when Slack cannot say in time, the form closes and the action is saved, or the
    manager told why not, once Slack has said."""
    deps = context["deps"]
    user_id = body["user"]["id"]
    form = _plan_form(view, user_id=user_id, deps=deps)
    quick = before_ack_client(client)
    owner_id = form["owner_id"]
    try:
        problem, owner_checked = (owner_problem(quick, owner_id) if owner_id else None), True
    except (SlackApiError, OSError):  # throttled, or slower than the ack can wait
        problem, owner_checked = None, False
    is_admin = deps.directory.is_admin(quick, deps.settings, user_id)
    try:
        with transaction(deps.sessions) as session:
            today = actions.team_today(session, survey_name=form["survey_name"], now=form["now"])
            checks = {**_checked_fields(form), "today": today, "is_admin": is_admin}
            if owner_checked:
                action = actions.create_action(
                    session, **checks, visible=form["visible"], errors={"owner": problem} if problem else None
                )
            else:
                actions.check_action(session, **checks)
    except FieldErrors as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    except Invalid as invalid:
        if invalid.field:
            ack(response_action="errors", errors={invalid.field: invalid.message})
        else:
            ack(response_action="update", view=notice_view(invalid.message, title="Not planned"))
        return
    except Refusal as refusal:  # not this team's manager, or the team is gone
        ack(response_action="update", view=notice_view(refusal.message, title="Not planned"))
        return
    ack()
    if not owner_checked:
        action = _plan_once_slack_answers(client, deps, form, is_admin=is_admin)
        if action is None:
            return
    client.chat_postMessage(channel=user_id, text=announce_new_action(client, deps, action))
    if form["source"] == "home":
        publish_home(client, deps, user_id=user_id)


def _plan_once_slack_answers(client: WebClient, deps, form: dict, *, is_admin: bool):
    """After the ack: the owner checked with Slack (waiting out a 429), then the action saved; or the
    manager told why it was not, with what they wrote, so nothing typed is lost."""
    problem = owner_problem(client, form["owner_id"])
    try:
        with transaction(deps.sessions) as session:
            today = actions.team_today(session, survey_name=form["survey_name"], now=form["now"])
            return actions.create_action(
                session,
                **_checked_fields(form),
                today=today,
                is_admin=is_admin,
                visible=form["visible"],
                errors={"owner": problem} if problem else None,
            )
    except FieldErrors as invalid:
        why = " ".join(invalid.errors.values())
    except Refusal as refusal:
        why = refusal.message
    client.chat_postMessage(
        channel=form["created_by"],
        text=f"Your action was not planned: {why}\nWhat you wrote:\n{quote(form['text'])}\n"
        f"`/pulse action {form['survey_name']}` opens the form again.",
    )
    return None


def _plan_form(view: dict, *, user_id: str, deps) -> dict:
    survey_name, source = action_modal_target(view.get("private_metadata", ""))
    values = view["state"]["values"]
    focus = parse_focus_value(_value(values, "focus", "selected_option"))
    return {
        "survey_name": survey_name,
        "source": source,
        "focus_kind": focus[0] if focus else None,
        "focus_key": focus[1] if focus else "",
        "text": _value(values, "text", "value"),
        "owner_id": _value(values, "owner", "selected_user"),
        "due_on": _day(_value(values, "due", "selected_date")),
        "visible": any(o.get("value") == VISIBLE for o in _options(values)),
        "created_by": user_id,
        "now": deps.clock(),
        "min_group": deps.settings.min_group,
    }


def _checked_fields(form: dict) -> dict:
    """The form's fields as check_action and create_action take them."""
    return {key: value for key, value in form.items() if key not in ("source", "visible")}


def drop_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user_id = body["user"]["id"]
    reason = _value(view["state"]["values"], "reason", "value")
    try:
        change = change_action_status(
            client,
            deps,
            user_id=user_id,
            action_id=drop_target(view.get("private_metadata", "")),
            status=ActionStatus.dropped,
            reason=reason,
        )
    except Refusal as refusal:
        # The modal stays open with the reason in it, so nothing typed is lost.
        ack(response_action="errors", errors={"reason": refusal.message})
        return
    ack()
    problem = announce_change(client, deps, change)
    if problem:
        client.chat_postMessage(channel=user_id, text=problem)
    publish_home(client, deps, user_id=user_id)


def _value(values: dict, block_id: str, key: str) -> str:
    found = (values.get(block_id) or {}).get("value") or {}
    chosen = found.get(key)
    if isinstance(chosen, dict):  # a selected option
        chosen = chosen.get("value")
    return chosen if isinstance(chosen, str) else ""


def _options(values: dict) -> list[dict]:
    return ((values.get(VISIBLE) or {}).get("value") or {}).get("selected_options") or []


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
