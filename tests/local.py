"""Try pulsebot on your own machine with no Slack workspace: the tests' fake Slack, and signed requests.

    .venv/bin/python -m tests.fake_slack                 # 1. a fake Slack Web API on port 8099
    env $(cat local.env) .venv/bin/pulsebot run          # 2. pulsebot against it (it writes local.env)
    .venv/bin/python -m tests.local idea "Make refunds one click"    # 3. a signed /idea, as Slack sends it
    .venv/bin/python -m tests.local vote 1               #    and a click on its vote button
    env $(cat local.env) .venv/bin/pulsebot survey apply local-survey.yml   # 4. the team's pulse
    .venv/bin/python -m tests.local pulse                #    sent now, as the manager's /pulse send
    .venv/bin/python -m tests.local answer 1 4           #    Alice answers its question 1 with a 4
    .venv/bin/python -m tests.local digest               #    the manager's /pulse digest

The fake prints every Web API call pulsebot makes (the idea card posted, the card updated with the vote,
the pulse, the digest sent to the manager).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequests

SLACK_PORT = 8099
BOT_PORT = 3000
SIGNING_SECRET = "local-signing-secret"
IDEAS_CHANNEL = "C0IDEAS"
PULSE_CHANNEL = "G0LOCAL"
MANAGER = "U0MANAGER"
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


def serve_slack(port: int, env_file: Path) -> None:
    fake = local_workspace(port).start()
    env_file.write_text("".join(f"{name}={value}\n" for name, value in environment(port).items()))
    (env_file.parent / "local-survey.yml").write_text(SURVEY_FILE)
    print(f"fake Slack Web API at {fake.base_url}")
    print(
        f"  channel {PULSE_CHANNEL} with {', '.join(PEOPLE)};"
        f" ideas channel {IDEAS_CHANNEL}; manager {MANAGER}"
    )
    print(
        f"  pulsebot's settings for it are in {env_file}: run `env $(cat {env_file}) .venv/bin/pulsebot run`"
    )
    survey_file = env_file.parent / "local-survey.yml"
    print(f"  a pulse for the channel is in {survey_file}: `pulsebot survey apply` it")
    print("every call pulsebot makes is printed below; Ctrl-C stops")
    shown = 0
    try:
        while True:
            time.sleep(0.2)
            for call in fake.calls[shown:]:
                print(f"  {call.method:<28} {_summary(call.args)}", flush=True)
            shown = len(fake.calls)
    except KeyboardInterrupt:
        fake.stop()


def _summary(args: dict) -> str:
    parts = [f"{name}={args[name]}" for name in ("channel", "user", "ts") if args.get(name)]
    if args.get("text"):
        parts.append(repr(args["text"][:100]))
    return " ".join(parts)


def requests(bot_port: int, slack_port: int = SLACK_PORT) -> SlackRequests:
    return SlackRequests(
        f"http://127.0.0.1:{bot_port}/slack/events",
        SIGNING_SECRET,
        f"http://127.0.0.1:{slack_port}/response/local",
        team_id="T0ACME",
    )


def answer_button(slack_port: int, question: int, value: int) -> tuple[str, str]:
    """The action id and value of the button for `value` under question number `question` of the pulse
    last posted in the team's channel, read back from the fake Slack as a person sees the message."""
    from slack_sdk import WebClient

    from pulsebot.slack.blocks.pulses import ANSWER_ACTION

    client = WebClient(token="xoxb-local", base_url=f"http://127.0.0.1:{slack_port}/api/")
    messages = client.conversations_history(channel=PULSE_CHANNEL)["messages"]
    for message in messages:  # newest first
        rows = [
            [element for element in block["elements"] if element["action_id"].startswith(ANSWER_ACTION)]
            for block in message.get("blocks", [])
            if block["type"] == "actions"
        ]
        rows = [row for row in rows if row]
        if rows:
            if not 1 <= question <= len(rows):
                sys.exit(f"the pulse has {len(rows)} questions with buttons; choose 1 to {len(rows)}")
            for button in rows[question - 1]:
                if button["value"].rsplit(":", 1)[1] == str(value):
                    return button["action_id"], button["value"]
            sys.exit(f"question {question} has no answer {value}")
    sys.exit(f"no pulse in {PULSE_CHANNEL} yet: send one with `.venv/bin/python -m tests.local pulse`")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=".venv/bin/python -m tests.local", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    slack = commands.add_parser("slack", help="start the fake Slack Web API")
    slack.add_argument("--port", type=int, default=SLACK_PORT)
    slack.add_argument("--env-file", type=Path, default=Path("local.env"))
    idea = commands.add_parser("idea", help="send a signed /idea to the running pulsebot")
    idea.add_argument("text")
    idea.add_argument("--user", default=PEOPLE[0])
    vote = commands.add_parser("vote", help="click an idea's vote button")
    vote.add_argument("idea_id", metavar="IDEA_ID")
    vote.add_argument("--user", default=PEOPLE[1])
    pulse = commands.add_parser("pulse", help=f"send the pulse {SURVEY} now, as the manager's /pulse send")
    answer = commands.add_parser("answer", help="click an answer button of the last pulse")
    answer.add_argument("question", type=int, metavar="QUESTION", help="its number in the pulse, from 1")
    answer.add_argument("value", type=int, metavar="VALUE", help="the button's figure (1-5, 0-10 for eNPS)")
    answer.add_argument("--user", default=PEOPLE[0])
    digest = commands.add_parser("digest", help=f"ask for {SURVEY}'s digest, as the manager's /pulse digest")
    for command in (idea, vote, pulse, answer, digest):
        command.add_argument("--bot-port", type=int, default=BOT_PORT)
        command.add_argument("--slack-port", type=int, default=SLACK_PORT)
    args = parser.parse_args(argv)

    if args.command == "slack":
        serve_slack(args.port, args.env_file)
        return
    bot = requests(args.bot_port, args.slack_port)
    try:
        if args.command == "idea":
            reply = bot.command("/idea", args.text, user=args.user)
        elif args.command == "vote":
            reply = bot.click(action_id="idea_vote", value=args.idea_id, user=args.user)
        elif args.command == "pulse":
            reply = bot.command("/pulse", f"send {SURVEY}", user=MANAGER, channel=PULSE_CHANNEL)
        elif args.command == "answer":
            action_id, value = answer_button(args.slack_port, args.question, args.value)
            reply = bot.click(action_id=action_id, value=value, user=args.user)
        else:
            reply = bot.command("/pulse", f"digest {SURVEY}", user=MANAGER)
    except OSError as error:
        sys.exit(
            f"cannot reach pulsebot on port {args.bot_port} ({error}); is `.venv/bin/pulsebot run` running?"
        )
    print(f"HTTP {reply.status}" + (f": {reply.text}" if reply.text else ""))


if __name__ == "__main__":
    main()
