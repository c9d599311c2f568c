"""Try pulsebot on your own machine with no Slack workspace: the tests' fake Slack, and signed requests.

    .venv/bin/python -m tests.fake_slack                 # 1. a fake Slack Web API on port 8099
    env $(cat local.env) .venv/bin/pulsebot run          # 2. pulsebot against it (it writes local.env)
    .venv/bin/python -m tests.local idea "Make refunds one click"    # 3. a signed /idea, as Slack sends it
    .venv/bin/python -m tests.local vote 1               #    and a click on its vote button
    env $(cat local.env) .venv/bin/pulsebot survey apply local-survey.yml   # 4. the team's pulse
    .venv/bin/python -m tests.local pulse                #    sent now, as the manager's /pulse send
    .venv/bin/python -m tests.local answer 1 4           #    Alice answers its question 1 with a 4
    .venv/bin/python -m tests.local comment 1 "Too many meetings"   # and comments on it, in its modal
    .venv/bin/python -m tests.local last-week            # 5. last week's pulse, answered and closed
    .venv/bin/python -m tests.local digest               #    the manager's /pulse digest, of last week
    .venv/bin/python -m tests.local share --comments     #    its "Share with the team", from the preview
    .venv/bin/python -m tests.local plan "Meeting-free Fridays" --about meetings   # its "Plan an action"

The fake prints every Web API call pulsebot makes (the idea card posted, the card updated with the vote,
the pulse, the comment modal, the digest sent to the manager, the results posted in the team's channel).
`comment`, `share` and `plan` click the button of the message as the fake Slack keeps it, read back the
modal pulsebot opened (`GET /calls/views.open` on the fake), fill it in and submit it, signed, as Slack
does. Time does not pass in a trial, and a digest covers the last complete week: `last-week` writes a
closed pulse of last week, answered by the six, into the database local.env names, through pulsebot's
own services.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from tests.local_forms import comment, messages_in, plan, plant_last_week, share
from tests.local_workspace import (
    BOT_PORT,
    IDEAS_CHANNEL,
    MANAGER,
    PEOPLE,
    PULSE_CHANNEL,
    SIGNING_SECRET,
    SLACK_PORT,
    SURVEY,
    SURVEY_FILE,
    environment,
    local_workspace,
)
from tests.slack_requests import SlackRequests


def serve_slack(port: int, env_file: Path) -> None:
    fake = local_workspace(port).start()
    # The survey first, then the settings whole (written aside and renamed): whoever waits for local.env
    # finds everything beside it, never half a file.
    (env_file.parent / "local-survey.yml").write_text(SURVEY_FILE)
    written = env_file.with_name(f".{env_file.name}.tmp")
    written.write_text("".join(f"{name}={value}\n" for name, value in environment(port).items()))
    written.replace(env_file)
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
    if isinstance(args.get("view"), dict):  # a modal opened: which form
        parts.append(f"view={args['view'].get('callback_id')}")
    if args.get("text"):
        parts.append(repr(args["text"][:100]))
    return " ".join(parts)


def requests(bot_port: int, slack_port: int = SLACK_PORT) -> SlackRequests:
    return SlackRequests(
        f"http://127.0.0.1:{bot_port}/slack/events",
        SIGNING_SECRET,
        # Each command's own response_url: what pulsebot answers its click with is told apart from a late
        # reply to an earlier command (an answer's thanks comes once its batch is saved).
        f"http://127.0.0.1:{slack_port}/response/local-{secrets.token_hex(4)}",
        team_id="T0ACME",
    )


def answer_button(slack_port: int, question: int, value: int) -> tuple[str, str]:
    """The action id and value of the button for `value` under question number `question` of the pulse
    last posted in the team's channel, read back from the fake Slack as a person sees the message."""
    from pulsebot.slack.blocks.pulses import ANSWER_ACTION

    for message in messages_in(slack_port, PULSE_CHANNEL):  # newest first
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
    comment_ = commands.add_parser("comment", help="comment on a question of the last pulse, in its modal")
    comment_.add_argument("question", type=int, metavar="QUESTION", help="its number in the pulse, from 1")
    comment_.add_argument("text", metavar="TEXT", help="the comment (empty: take an earlier one back)")
    comment_.add_argument("--user", default=PEOPLE[0])
    share_ = commands.add_parser(
        "share", help="“Share with the team” from the last digest: its preview, posted to the team"
    )
    share_.add_argument("--comments", action="store_true", help="include the comments the digest quoted")
    plan_ = commands.add_parser("plan", help="“Plan an action” from the last digest, in its form")
    plan_.add_argument("text", metavar="TEXT", help="what will be done")
    plan_.add_argument("--about", default="", help="what it is about (a question's key or a comment theme)")
    plan_.add_argument("--owner", default=MANAGER, help="who owns it")
    plan_.add_argument("--due", type=date.fromisoformat, help="YYYY-MM-DD (two weeks from today)")
    last_week = commands.add_parser(
        "last-week", help="write last week's pulse, answered by the six and closed, into pulsebot's database"
    )
    last_week.add_argument("--env-file", type=Path, default=Path("local.env"))
    for command in (idea, vote, pulse, answer, digest, comment_, share_, plan_):
        command.add_argument("--bot-port", type=int, default=BOT_PORT)
        command.add_argument("--slack-port", type=int, default=SLACK_PORT)
    args = parser.parse_args(argv)

    if args.command == "slack":
        serve_slack(args.port, args.env_file)
        return
    if args.command == "last-week":
        print(plant_last_week(args.env_file))
        return
    bot = requests(args.bot_port, args.slack_port)
    try:
        if args.command == "comment":
            comment(bot, args.slack_port, args.question, args.text, args.user)
            return
        if args.command == "share":
            share(bot, args.slack_port, comments=args.comments)
            return
        if args.command == "plan":
            due = args.due or date.today() + timedelta(weeks=2)
            plan(bot, args.slack_port, args.text, about=args.about, owner=args.owner, due=due)
            return
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
