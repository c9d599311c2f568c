"""Who is in a survey's audience, and where in the world they are, read from Slack."""

from __future__ import annotations

from slack_sdk import WebClient


def channel_audience_zones(client: WebClient, channel_id: str) -> dict[str, str | None]:
    """Human, active members of a channel and their Slack time zones (None when Slack has none).

    Bots, apps and deactivated accounts are left out. Members come page by page
    (conversations.members follows its cursor); each person's profile gives the time zone.
    """
    members: list[str] = []
    for page in client.conversations_members(channel=channel_id, limit=200):
        members.extend(page["members"])
    people: dict[str, str | None] = {}
    for user_id in members:
        user = client.users_info(user=user_id)["user"]
        if user.get("is_bot") or user.get("deleted") or user_id == "USLACKBOT":
            continue
        people[user_id] = user.get("tz") or None
    return people


def channel_audience(client: WebClient, channel_id: str) -> list[str]:
    """Human, active members of a channel: bots, apps and deactivated accounts are left out."""
    return list(channel_audience_zones(client, channel_id))
