"""manifest.yml creates a Slack app that matches what the code listens for."""

import re
from pathlib import Path

import yaml

MANIFEST = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())


def test_every_declared_command_is_handled(slack):
    declared = {command["command"] for command in MANIFEST["features"]["slash_commands"]}

    assert declared == {"/idea", "/pulse"}
    for command in declared:  # Bolt answers 404 to a command no listener takes
        assert slack.command(command, "", user="U0ALICE").status == 200


def test_manifest_enables_socket_mode_interactivity_home_and_scopes():
    settings = MANIFEST["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "users:read", "groups:read", "usergroups:read"} <= scopes
    assert {"im:history", "groups:history", "channels:history"} <= scopes  # looking before re-posting


def test_every_event_a_listener_takes_is_subscribed():
    """Slack sends only the events the app subscribes to: one a listener waits for but the manifest leaves
    out would never come (user_change, for people's attributes, among them)."""
    source = "\n".join(
        path.read_text() for path in (Path(__file__).parents[1] / "src/pulsebot/slack").rglob("*.py")
    )
    handled = set(re.findall(r"""\.event\(["'](\w+)["']\)""", source))
    declared = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])

    assert "user_change" in handled
    assert handled == declared


# Each Web API method of people's attributes, and the scope Slack wants for it (docs.slack.dev).
PEOPLE_METHODS = {
    "users_lookupByEmail": "users:read.email",
    "users_profile_get": "users.profile:read",
    "team_profile_get": "users.profile:read",
    "users_list": "users:read",
}


def test_the_people_commands_have_the_scopes_of_the_methods_they_call():
    called = set(
        re.findall(r"\.(\w+)\(", (Path(__file__).parents[1] / "src/pulsebot/slack/people.py").read_text())
    )
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])

    assert {"users_lookupByEmail", "users_profile_get", "team_profile_get", "users_list"} <= called
    assert {PEOPLE_METHODS[method] for method in called & PEOPLE_METHODS.keys()} <= scopes
