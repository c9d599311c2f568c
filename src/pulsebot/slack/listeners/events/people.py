"""`user_change`: keep a person's attributes from Slack profile fields current, and remove them when the
person is deactivated."""

from slack_sdk import WebClient

from pulsebot.slack.people import on_user_change


def user_changed(event: dict, client: WebClient, context) -> None:
    deps = context["deps"]
    on_user_change(
        client,
        deps.sessions,
        user=event.get("user") or {},
        mapping=deps.settings.profile_fields,
        team_id=deps.team_id,
        now=deps.clock(),
    )
