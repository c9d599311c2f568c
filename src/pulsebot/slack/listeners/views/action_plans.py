"""The planning form and the drop form: every problem is a field error and nothing is written; once
saved, the team's channel is told (when the team sees the action) and the manager hears how it went."""

from datetime import date

from slack_bolt import Ack
from slack_sdk import WebClient

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
from pulsebot.slack.home import publish_home
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus


def plan_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user_id = body["user"]["id"]
    survey_name, source = action_modal_target(view.get("private_metadata", ""))
    values = view["state"]["values"]
    focus = parse_focus_value(_value(values, "focus", "selected_option"))
    owner_id = _value(values, "owner", "selected_user")
    problem = owner_problem(client, owner_id) if owner_id else None
    is_admin = deps.directory.is_admin(client, deps.settings, user_id)
    now = deps.clock()
    try:
        with transaction(deps.sessions) as session:
            action = actions.create_action(
                session,
                survey_name=survey_name,
                focus_kind=focus[0] if focus else None,
                focus_key=focus[1] if focus else "",
                text=_value(values, "text", "value"),
                owner_id=owner_id,
                due_on=_day(_value(values, "due", "selected_date")),
                visible=any(o.get("value") == VISIBLE for o in _options(values)),
                created_by=user_id,
                now=now,
                today=actions.team_today(session, survey_name=survey_name, now=now),
                min_group=deps.settings.min_group,
                is_admin=is_admin,
                errors={"owner": problem} if problem else None,
            )
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
    client.chat_postMessage(channel=user_id, text=announce_new_action(client, deps, action))
    if source == "home":
        publish_home(client, deps, user_id=user_id)


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
