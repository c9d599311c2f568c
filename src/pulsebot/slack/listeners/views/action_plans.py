"""The planning form and the drop form: every problem is a field error and nothing is written; once
saved, the team's channel is told (when the team sees the action) and the manager hears how it went."""

from datetime import date

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pulsebot.services.errors import FieldErrors, Invalid, NotAllowed, Refusal
from pulsebot.services.loop import actions
from pulsebot.services.loop.actions import ActionLine
from pulsebot.services.loop.focus import parse_focus_value
from pulsebot.slack.action_plans import (
    announce_change,
    announce_new_action,
    change_action_status,
    owner_problem,
)
from pulsebot.slack.blocks import notice_view
from pulsebot.slack.blocks.actions import VISIBLE, action_modal_target, drop_target
from pulsebot.slack.directory import RightsUnknown, before_ack_client
from pulsebot.slack.home import publish_home
from pulsebot.slack.text import quote
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus


def plan_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context) -> None:
    """Everything pulsebot holds is checked before the ack, so a mistake shows on its field. What only
    Slack knows (whether the owner is a person still in the workspace; whether the manager runs the Slack
    workspace, when that is what gives them the right) is asked at once, without waiting out a 429 or a
    slow answer; when Slack cannot say in time, the form closes and the action is saved, or the manager
    told why not, once Slack has said."""
    deps = context["deps"]
    user_id = body["user"]["id"]
    form = _plan_form(view, user_id=user_id, deps=deps)
    quick = before_ack_client(client)
    owner_id = form["owner_id"]
    try:
        problem, owner_checked = (owner_problem(quick, owner_id) if owner_id else None), True
    except (SlackApiError, OSError):  # throttled, or slower than the ack can wait
        problem, owner_checked = None, False
    try:
        is_admin, rights_checked = _admin_before_ack(deps, quick, form)
        with transaction(deps.sessions) as session:
            today = actions.team_today(session, survey_name=form["survey_name"], now=form["now"])
            checks = {**_checked_fields(form), "today": today, "is_admin": is_admin}
            errors = {"owner": problem} if problem else None
            if owner_checked and rights_checked:
                action = actions.create_action(session, **checks, visible=form["visible"], errors=errors)
            else:
                actions.check_action(session, **checks, errors=errors)
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
    if not (owner_checked and rights_checked):
        action = _plan_once_slack_answers(
            client, deps, form, is_admin=is_admin if rights_checked else None, owner_checked=owner_checked
        )
        if action is None:
            return
    client.chat_postMessage(channel=user_id, text=announce_new_action(client, deps, action))
    if form["source"] == "home":
        publish_home(client, deps, user_id=user_id)


def _admin_before_ack(deps, quick: WebClient, form: dict) -> tuple[bool, bool]:
    """(is_admin, whether that is settled) for the checks before the ack. When Slack cannot say in time
    whether the person runs the workspace, and managing the team does not give them the right anyway,
    the form is checked as an admin's, and their rights are settled after the ack."""
    try:
        return deps.directory.admin_before_ack(quick, deps.settings, form["created_by"]), True
    except RightsUnknown:
        with transaction(deps.sessions) as session:
            try:
                actions.check_may_plan(
                    session, survey_name=form["survey_name"], user_id=form["created_by"], is_admin=False
                )
            except NotAllowed:
                return True, False
        return False, True


def _plan_once_slack_answers(
    client: WebClient, deps, form: dict, *, is_admin: bool | None, owner_checked: bool
) -> ActionLine | None:
    """After the ack: what Slack could not say in time asked again, waiting out its 429s (the person's
    rights when `is_admin` is None, the owner unless `owner_checked`), then the action saved; or the
    manager told why it was not, with what they wrote, so nothing typed is lost."""
    try:
        if is_admin is None:
            is_admin = deps.directory.is_admin(client, deps.settings, form["created_by"], strict=True)
        problem = None if owner_checked else owner_problem(client, form["owner_id"])
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
    except Refusal as refusal:  # not allowed after all, the team is gone, or Slack still cannot say
        why = refusal.message
    except (SlackApiError, OSError):  # Slack still cannot say whether the owner is a person still there
        why = "Slack is busy right now, so pulsebot could not check the owner you chose."
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
            before_ack=True,
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
