"""manifest.yml creates a Slack app that matches what the code listens for."""

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
