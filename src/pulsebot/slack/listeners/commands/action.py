"""`/pulse action [NAME]`: the form to plan an action for a team, for its managers and admins."""

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.loop.actions import manageable_teams
from pulsebot.services.survey.surveys import list_surveys
from pulsebot.slack.action_plans import plan_modal
from pulsebot.slack.text import escape
from pulsebot.store.db import transaction


def action_command(ack: Ack, command: dict, client: WebClient, deps, survey_name: str) -> None:
    user_id = command["user_id"]
    survey_name = escape(survey_name)  # echoed in refusals; a real survey name has no `<`, `>` or `&`
    if not survey_name:
        is_admin = deps.directory.is_admin(client, deps.settings, user_id)
        with transaction(deps.sessions) as session:
            managed = manageable_teams(session, user_id=user_id)
            every = [survey.name for survey in list_surveys(session)] if is_admin and not managed else []
        if len(managed) == 1:
            survey_name = managed[0]
        elif managed or every:
            names = "\n".join(f"• `/pulse action {escape(name)}`" for name in managed or every)
            ack(text=f"Which team is the action for?\n{names}")
            return
        else:
            ack(
                text="Action plans are for the managers of a team and for pulsebot admins. "
                "If you manage a team, ask an admin to add you to its survey."
            )
            return
    try:
        view = plan_modal(client, deps, user_id=user_id, survey_name=survey_name, source="command")
    except Refusal as refusal:
        ack(text=refusal.message)
        return
    ack()
    client.views_open(trigger_id=command["trigger_id"], view=view)
