"""`team_join`, `user_change` and `user_profile_changed`: keep the workspace's directory current (someone
joined, with their Slack locale read at once, was deactivated, became a bot) and the survey channels'
members' time zones and Slack roles, and (user_change) a person's attributes from Slack profile fields,
removed when the person is deactivated; with PULSEBOT_ONBOARDING on, someone joining is owed onboarding
pulses. `member_joined_channel` and `member_left_channel`: keep the survey channels' members (a run's
audience)."""

from slack_sdk import WebClient

from pulsebot.slack.channel_members import on_member_joined, on_member_left, on_profile_event
from pulsebot.slack.onboarding import on_team_join
from pulsebot.slack.people import on_user_change
from pulsebot.slack.workspace_people import on_person_event, on_person_joined


def user_joined(event: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user = event.get("user") or {}
    on_person_joined(client, deps.sessions, user=user, team_id=deps.team_id)
    if deps.settings.onboarding:  # without an HR start date, the join day stands in for it
        on_team_join(deps.sessions, user=user, now=deps.clock())


def user_changed(event: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    user = event.get("user") or {}
    on_person_event(deps.sessions, user=user)
    on_profile_event(deps.sessions, user=user)
    on_user_change(
        client,
        deps.sessions,
        user=user,
        mapping=deps.settings.profile_fields,
        team_id=deps.team_id,
        now=deps.clock(),
    )


def profile_changed(event: dict, context) -> None:
    """What the directory and the channels keep; the attributes from profile fields follow user_change,
    which Slack sends for the same edit, so they are not read twice."""
    sessions = context["deps"].sessions
    user = event.get("user") or {}
    on_person_event(sessions, user=user)
    on_profile_event(sessions, user=user)


def member_joined(event: dict, client: WebClient, context) -> None:
    if event.get("channel") and event.get("user"):
        on_member_joined(client, context["deps"].sessions, channel_id=event["channel"], user_id=event["user"])


def member_left(event: dict, context) -> None:
    if event.get("channel") and event.get("user"):
        on_member_left(context["deps"].sessions, channel_id=event["channel"], user_id=event["user"])
