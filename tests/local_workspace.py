"""The local trial's workspace: its people, channels and pulse, and the settings pulsebot needs to serve it
over HTTP against the fake Slack (tests/local.py)."""

from __future__ import annotations

from tests.fake_slack import FakeSlack

SLACK_PORT = 8099
BOT_PORT = 3000
SIGNING_SECRET = "local-signing-secret"
IDEAS_CHANNEL = "C0IDEAS"
PULSE_CHANNEL = "G0LOCAL"
MANAGER = "U0MANAGER"
MANAGER_DM = "D0MANAGER"  # where the fake keeps what pulsebot sends the manager by DM
PEOPLE = ["U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "U0ERIN", "U0FRANK"]
SURVEY = "local-pulse"
# What `slack` writes beside local.env: the team's pulse, in the fake Slack's channel.
SURVEY_FILE = f"""\
name: {SURVEY}
title: Local team pulse
channel: {PULSE_CHANNEL}
managers: [{MANAGER}]
questions:
  - key: mood
    kind: scale
    prompt: How was your week?
  - key: enps
    kind: enps
"""


def environment(slack_port: int) -> dict[str, str]:
    """The settings pulsebot needs to serve the fake Slack's workspace over HTTP."""
    return {
        "SLACK_BOT_TOKEN": "xoxb-local",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{slack_port}/api/",
        "PULSEBOT_ANON_KEY": "local-anonymity-key-not-a-secret",
        "PULSEBOT_IDEAS_CHANNEL": IDEAS_CHANNEL,
        "PULSEBOT_MANAGERS": MANAGER,
        "PULSEBOT_ADMINS": MANAGER,
        "PULSEBOT_PORT": str(BOT_PORT),
        "DATABASE_URL": "sqlite:///local.db",
        # Blank, so an app token set in the shell does not switch pulsebot to Socket Mode, which the fake
        # Slack does not serve: pulsebot would reconnect forever.
        "SLACK_APP_TOKEN": "",
    }


def local_workspace(port: int) -> FakeSlack:
    """The fake Slack's workspace: a team channel of six, an ideas channel, a manager."""
    fake = FakeSlack(port=port)
    for person in [*PEOPLE, MANAGER]:
        fake.add_user(person)
    fake.add_channel(PULSE_CHANNEL, PEOPLE)
    fake.add_channel(IDEAS_CHANNEL, [*PEOPLE, MANAGER])
    return fake
