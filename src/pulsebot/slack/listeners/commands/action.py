"""`/pulse action [NAME]`: the form to plan an action for a team, for its managers and admins."""

from slack_bolt import Ack
from slack_sdk import WebClient

from pulsebot.services.errors import Refusal
from pulsebot.services.loop.actions import manageable_teams
from pulsebot.services.survey.surveys import list_surveys
from pulsebot.slack.action_plans import plan_modal
from pulsebot.slack.directory import RightsUnknown
from pulsebot.slack.text import escape
from pulsebot.store.db import transaction


def action_command(ack: Ack, command: dict, client: WebClient, deps, survey_name: str) -> None:
    user_id = command["user_id"]
    survey_name = escape(survey_name)  # echoed in refusals; a real survey name has no `<`, `>` or `&`
    if not survey_name:
        with transaction(deps.sessions) as session:
            managed = manageable_teams(session, user_id=user_id)
        every: list[str] = []
        if not managed:  # only then does it matter whether they are an admin, which Slack may have to say
            try:
                is_admin = deps.directory.admin_before_ack(client, deps.settings, user_id)
            except RightsUnknown as unknown:
                ack(text=unknown.message)
                return
            if is_admin:
                with transaction(deps.sessions) as session:
                    every = [survey.name for survey in list_surveys(session)]
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
