"""`team_join` and `user_change`: keep the workspace's directory current (someone joined, was
deactivated, became a bot), and a person's attributes from Slack profile fields, removed when the person
is deactivated; with PULSEBOT_ONBOARDING on, someone joining is owed onboarding pulses."""

from slack_sdk import WebClient

from pulsebot.slack.onboarding import on_team_join
from pulsebot.slack.people import on_user_change
from pulsebot.slack.workspace_people import on_person_event


def user_joined(event: dict, context) -> None:
    deps = context["deps"]
    user = event.get("user") or {}
    on_person_event(deps.sessions, user=user)
    if deps.settings.onboarding:  # without an HR start date, the join day stands in for it
        on_team_join(deps.sessions, user=user, now=deps.clock())


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
