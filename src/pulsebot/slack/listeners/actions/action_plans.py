"""Action plans' buttons and menus: "Plan an action" (in a team digest and in App Home) opens the form;
an action's status menu in App Home moves it along, and "Drop…" asks for the reason first."""

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from pulsebot.services.errors import Invalid, Refusal
from pulsebot.services.loop.actions import check_change
from pulsebot.services.privacy.roles import Role
from pulsebot.slack.action_plans import announce_change, change_action_status, plan_modal
from pulsebot.slack.blocks.actions import drop_modal
from pulsebot.slack.home import publish_home
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus


def plan_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    user_id = body["user"]["id"]
    source = "home" if _from_home(body) else "digest"
    try:
        view = plan_modal(client, deps, user_id=user_id, survey_name=action.get("value", ""), source=source)
    except Refusal as refusal:
        _tell(client, body, respond, refusal.message)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def status_chosen(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, context) -> None:
    ack()
    deps = context["deps"]
    user_id = body["user"]["id"]
    try:
        action_id, status = _chosen(action)
        if status is ActionStatus.dropped:
            # Refuse before asking for a reason that could not be used anyway; asked of Slack only as
            # long as the click's trigger lives (slack/directory.py with_rights).
            def checked(role: Role):
                with transaction(deps.sessions) as session:
                    return check_change(
                        session,
                        action_id=action_id,
                        status=status,
                        actor=user_id,
                        is_admin=role is Role.admin,
                    )

            line = deps.directory.with_rights(client, deps.settings, user_id, checked)
            client.views_open(trigger_id=body["trigger_id"], view=drop_modal(line))
            return
        change = change_action_status(
            client, deps, user_id=user_id, action_id=action_id, status=status, before_ack=False
        )
    except Refusal as refusal:
        _tell(client, body, respond, refusal.message)
        return
    problem = announce_change(client, deps, change)
    if problem:
        client.chat_postMessage(channel=user_id, text=problem)
    if _from_home(body):
        publish_home(client, deps, user_id=user_id)


def _chosen(action: dict) -> tuple[int, ActionStatus]:
    id_part, _, status_part = (action.get("selected_option") or {}).get("value", "").partition(":")
    status = next((status for status in ActionStatus if status.value == status_part), None)
    if not id_part.isdigit() or len(id_part) > 9 or status is None:
        raise Invalid("That menu item is not one pulsebot recognises, so nothing was changed.")
    return int(id_part), status


def _from_home(body: dict) -> bool:
    return (body.get("container") or {}).get("type") == "view"


def _tell(client: WebClient, body: dict, respond: Respond, text: str) -> None:
    """An ephemeral reply where the click came from a message; App Home has none, so a DM there."""
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=body["user"]["id"], text=text)
