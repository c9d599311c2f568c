"""Who is in a survey's audience, read from Slack."""

from __future__ import annotations

from slack_sdk import WebClient


def channel_audience(client: WebClient, channel_id: str) -> list[str]:
    """Human, active members of a channel: bots, apps and deactivated accounts are left out."""
    members: list[str] = []
    for page in client.conversations_members(channel=channel_id, limit=200):
        members.extend(page["members"])
    people = []
    for user_id in members:
        user = client.users_info(user=user_id)["user"]
        if user.get("is_bot") or user.get("deleted") or user_id == "USLACKBOT":
            continue
        people.append(user_id)
    return people
