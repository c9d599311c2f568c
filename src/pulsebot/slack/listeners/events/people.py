"""`team_join` and `user_change`: keep the workspace's directory current (someone joined, was
deactivated, became a bot), and a person's attributes from Slack profile fields, removed when the person
is deactivated."""

from slack_sdk import WebClient

from pulsebot.slack.people import on_user_change
from pulsebot.slack.workspace_people import on_person_event


def user_joined(event: dict, context) -> None:
    on_person_event(context["deps"].sessions, user=event.get("user") or {})


def user_changed(event: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user = event.get("user") or {}
    on_person_event(deps.sessions, user=user)
    on_user_change(
        client,
        deps.sessions,
        user=user,
        mapping=deps.settings.profile_fields,
        team_id=deps.team_id,
        now=deps.clock(),
    )
