"""The local trial's steps through pulsebot's forms (tests/local.py): a comment, sharing a week's results
and planning an action, each a button clicked as posted and the form pulsebot opens filled and submitted,
signed as Slack sends them; and last week's pulse, planted so the digest has a week to share."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NoReturn

from tests.local_workspace import MANAGER, MANAGER_DM, PEOPLE, PULSE_CHANNEL, SURVEY
from tests.slack_requests import SlackRequests


def _client(slack_port: int):
    from slack_sdk import WebClient

    return WebClient(token="xoxb-local", base_url=f"http://127.0.0.1:{slack_port}/api/")


def messages_in(slack_port: int, channel: str) -> list[dict]:
    """The messages of a conversation as the fake Slack keeps them, newest first."""
    try:
        return _client(slack_port).conversations_history(channel=channel)["messages"]
    except OSError as error:
        _no_fake_slack(slack_port, error)


def calls_of(slack_port: int, method: str) -> list[dict]:
    """The arguments of every call pulsebot made of `method`, as the fake Slack recorded them."""
    return _fake_get(slack_port, f"/calls/{method}")


def said_to(bot: SlackRequests, slack_port: int) -> list[dict]:
    """What pulsebot posted to the response_url of `bot`'s requests."""
    return _fake_get(slack_port, f"/response/{bot.response_url.rsplit('/', 1)[1]}")


def _fake_get(slack_port: int, path: str) -> list[dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{slack_port}{path}", timeout=10) as answer:
            return json.loads(answer.read())
    except OSError as error:
        _no_fake_slack(slack_port, error)


def _no_fake_slack(slack_port: int, error: OSError) -> NoReturn:
    sys.exit(
        f"cannot reach the fake Slack on port {slack_port} ({error});"
        " is `.venv/bin/python -m tests.fake_slack` running?"
    )


def _buttons(message: dict) -> list[dict]:
    """Every button of a message: in its rows of buttons and beside its sections."""
    found = []
    for block in message.get("blocks", []):
        if block["type"] == "actions":
            found += [element for element in block["elements"] if element.get("type") == "button"]
        elif (block.get("accessory") or {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def comment_button(slack_port: int, question: int) -> tuple[dict, dict]:
    """The "Add a comment" (or "Write an answer") button of question number `question` of the pulse last
    posted in the team's channel, and that message."""
    from pulsebot.slack.blocks.pulses import ANSWER_ACTION, COMMENT_ACTION

    for message in messages_in(slack_port, PULSE_CHANNEL):  # newest first
        if not any(b["action_id"].startswith((ANSWER_ACTION, COMMENT_ACTION)) for b in _buttons(message)):
            continue
        numbered: dict[int, dict] = {}
        number = 0
        for block in message["blocks"]:
            heading = (block.get("text") or {}).get("text", "") if block["type"] == "section" else ""
            if heading.startswith("*") and heading[1:].split(".", 1)[0].isdigit():
                number = int(heading[1:].split(".", 1)[0])
            for button in _buttons({"blocks": [block]}):
                if number and button["action_id"].startswith(COMMENT_ACTION):
                    numbered.setdefault(number, button)
        if question not in numbered:
            if not numbered:
                sys.exit("the last pulse takes no more comments (it has closed)")
            sys.exit(f"question {question} takes no comment; choose {', '.join(map(str, sorted(numbered)))}")
        return numbered[question], message
    sys.exit(f"no pulse in {PULSE_CHANNEL} yet: send one with `.venv/bin/python -m tests.local pulse`")


def digest_button(slack_port: int, action_id: str, missing: str) -> tuple[dict, dict]:
    """A button of the last team digest pulsebot sent the manager by DM, and that digest."""
    for message in messages_in(slack_port, MANAGER_DM):  # newest first
        loop = [b for b in message.get("blocks", []) if b.get("block_id") == "digest_loop"]
        if not loop:
            continue
        for button in loop[0]["elements"]:
            if button["action_id"] == action_id:
                return button, message
        sys.exit(f"the last digest ({message.get('text')!r}) {missing}")
    sys.exit("no digest yet: ask for one with `.venv/bin/python -m tests.local digest`")


def open_modal(bot: SlackRequests, slack_port: int, button: dict, *, user: str, channel: str, message: dict):
    """Click `button` and wait for the modal pulsebot opens for it (or for what it says instead)."""
    opened, said = len(calls_of(slack_port, "views.open")), len(said_to(bot, slack_port))
    reply = bot.click(
        action_id=button["action_id"],
        value=button["value"],
        user=user,
        channel=channel,
        message_ts=message["ts"],
    )
    if reply.status != 200:
        sys.exit(f"HTTP {reply.status}: pulsebot did not take the click of “{button['text']['text']}”")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        views = calls_of(slack_port, "views.open")
        if len(views) > opened:
            view = views[opened]["view"]
            print(
                f"HTTP {reply.status}: “{button['text']['text']}” opened the form “{view['title']['text']}”"
            )
            return view
        answers = said_to(bot, slack_port)
        if len(answers) > said:
            sys.exit(f"HTTP {reply.status}: no form, pulsebot said: {answers[said].get('text')}")
        time.sleep(0.1)
    sys.exit(f"HTTP {reply.status}: pulsebot opened no form within 10 seconds (see its log)")


def filled(
    view: dict,
    *,
    text: str = "",
    choose: Callable[[list[dict]], dict] | None = None,
    user: str = "",
    day: date | None = None,
    tick: bool = False,
) -> dict:
    """The modal's state as Slack sends it once a person has filled in its fields: `text` in each text
    field, `choose` picking from a menu's options, `user` in a people picker, `day` in a date picker; a
    checkbox stays as the form shows it, or every box is ticked with `tick`."""
    values: dict[str, dict] = {}
    for block in view.get("blocks", []):
        if block["type"] != "input":
            continue
        element, state = block["element"], {"type": block["element"]["type"]}
        if element["type"] == "plain_text_input":
            state["value"] = text
        elif element["type"] == "static_select":
            groups = element.get("option_groups") or [{"options": element.get("options", [])}]
            options = [option for group in groups for option in group["options"]]
            if options and choose:
                state["selected_option"] = choose(options)
        elif element["type"] == "users_select":
            state["selected_user"] = user
        elif element["type"] == "datepicker":
            state["selected_date"] = day.isoformat() if day else None
        elif element["type"] == "checkboxes":
            state["selected_options"] = element["options"] if tick else element.get("initial_options", [])
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def submit_modal(bot: SlackRequests, view: dict, values: dict, *, user: str, done: str) -> None:
    """Send the filled-in modal as Slack does, and say how pulsebot took it."""
    reply = bot.submit(
        callback_id=view["callback_id"],
        private_metadata=view.get("private_metadata", ""),
        values=values,
        user=user,
    )
    answer = reply.json if reply.body.startswith("{") else {}
    if answer.get("response_action") == "errors":
        problems = "; ".join(f"{field}: {problem}" for field, problem in answer["errors"].items())
        sys.exit(f"HTTP {reply.status}: the form was refused: {problems}")
    if answer.get("response_action") == "update":
        texts = [(block.get("text") or {}).get("text", "") for block in answer["view"].get("blocks", [])]
        sys.exit(f"HTTP {reply.status}: {' '.join(text for text in texts if text)}")
    if reply.status != 200:
        sys.exit(f"HTTP {reply.status}: pulsebot did not take the form")
    print(f"HTTP {reply.status}: {done}")


def told_by_dm(slack_port: int, channel: str, since: int, seconds: float = 10) -> str | None:
    """The text of the first message pulsebot sends to `channel` after the `since` there already were."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = messages_in(slack_port, channel)
        if len(found) > since:
            return found[-since - 1]["text"]  # newest first: the first new one
        time.sleep(0.2)
    return None


def comment(bot: SlackRequests, slack_port: int, question: int, text: str, user: str) -> None:
    button, message = comment_button(slack_port, question)
    view = open_modal(bot, slack_port, button, user=user, channel=PULSE_CHANNEL, message=message)
    prompt = next(block["label"]["text"] for block in view["blocks"] if block["type"] == "input")
    done = f"{user}'s comment on “{prompt}” sent; pulsebot thanks them by DM once it is saved"
    submit_modal(bot, view, filled(view, text=text), user=user, done=done)


def share(bot: SlackRequests, slack_port: int, *, comments: bool) -> None:
    from pulsebot.slack.blocks.sharing import SHARE_RESULTS_ACTION

    button, message = digest_button(
        slack_port,
        SHARE_RESULTS_ACTION,
        "shows no figures, so there is nothing to share: enough people must have answered the week it "
        "covers (`.venv/bin/python -m tests.local last-week`, then `digest` again)",
    )
    view = open_modal(bot, slack_port, button, user=MANAGER, channel=MANAGER_DM, message=message)
    before = len(messages_in(slack_port, MANAGER_DM))
    with_comments = " with the comments the digest quoted" if comments else ""
    submit_modal(
        bot,
        view,
        filled(view, tick=comments),
        user=MANAGER,
        done=f"the results are posted in {PULSE_CHANNEL}{with_comments}",
    )
    print(told_by_dm(slack_port, MANAGER_DM, before) or "pulsebot has not told the manager how it went yet")


def plan(bot: SlackRequests, slack_port: int, text: str, *, about: str, owner: str, due: date) -> None:
    from pulsebot.slack.blocks.actions import PLAN_ACTION

    button, message = digest_button(slack_port, PLAN_ACTION, "has no “Plan an action” button")
    view = open_modal(bot, slack_port, button, user=MANAGER, channel=MANAGER_DM, message=message)

    def pick(options: list[dict]) -> dict:
        wanted = about.lower()
        for option in options:
            value = option["value"].lower()
            if not wanted or wanted in (value, value.split(":", 1)[-1], option["text"]["text"].lower()):
                return option
        known = ", ".join(option["value"].split(":", 1)[-1] for option in options)
        sys.exit(f"the form offers no “{about}” to act on; choose one of: {known}")

    before = len(messages_in(slack_port, MANAGER_DM))
    values = filled(view, text=text, choose=pick, user=owner, day=due)
    chosen = next(v for block in values.values() for v in block.values() if "selected_option" in v)
    done = f"planned “{text}” about {chosen['selected_option']['text']['text']}, owned by {owner}, due {due}"
    submit_modal(bot, view, values, user=MANAGER, done=done)
    print(told_by_dm(slack_port, MANAGER_DM, before) or "pulsebot has not told the manager how it went yet")


# Last week's answers, by person: how was the week (1-5) and eNPS (0-10), and a few comments on the week.
LAST_WEEK = dict(zip(PEOPLE, [(4, 9), (4, 10), (3, 7), (4, 9), (2, 3), (3, 8)], strict=True))
LAST_WEEK_COMMENTS = {
    "U0ALICE": "Too many meetings again, hardly any time to focus.",
    "U0BOB": "Meetings ate most of my afternoons.",
    "U0CAROL": "Great help from the team on the release.",
    "U0DAVE": "The release went smoothly, thank you all.",
    "U0ERIN": "Too many meetings and the on-call was rough.",
}


def plant_last_week(env_file: Path) -> str:
    """Last week's pulse of the local survey, answered by the six and closed, written into the database of
    `env_file` through pulsebot's services, as if a week had passed; what was done, in a line."""
    from sqlmodel import select

    from pulsebot.services.errors import Refusal
    from pulsebot.services.pulse import answers as answering
    from pulsebot.services.pulse import pulses
    from pulsebot.services.results.release import release_closed_runs
    from pulsebot.services.survey.surveys import find_survey
    from pulsebot.store.db import make_engine, session_factory, transaction
    from pulsebot.store.models import PulseRun, Question, RunStatus
    from pulsebot.store.weeks import week_start

    if not env_file.is_file():
        sys.exit(f"no {env_file}: start the fake Slack first (`.venv/bin/python -m tests.fake_slack`)")
    env = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    key, min_group = env["PULSEBOT_ANON_KEY"].encode(), int(env.get("PULSEBOT_MIN_GROUP") or 5)
    sessions = session_factory(make_engine(env["DATABASE_URL"]))
    now = datetime.now(UTC)
    try:
        with transaction(sessions) as session:
            survey = find_survey(session, name=SURVEY)
            monday = week_start(now.date()) - timedelta(weeks=1)
            opened = datetime(monday.year, monday.month, monday.day, 9, tzinfo=UTC) + timedelta(days=1)
            earlier = session.exec(
                select(PulseRun).where(PulseRun.survey_id == survey.id, PulseRun.run_date >= monday)
            ).all()
            if any(run.run_date < monday + timedelta(weeks=1) for run in earlier):
                return f"last week's pulse (week of {monday:%-d %b}) is already there"
            run = pulses.open_pulse_run(
                session, survey_name=SURVEY, audience=PEOPLE, now=opened, min_group=min_group
            )
            ids = {
                question.key: question.id
                for question in session.exec(select(Question).where(Question.survey_id == survey.id)).all()
            }
            answered = opened + timedelta(hours=1)
            for person, (mood, enps) in LAST_WEEK.items():
                for question, value in (("mood", mood), ("enps", enps)):
                    answering.record_answer(
                        session,
                        run_id=run.run_id,
                        question_id=ids[question],
                        user_id=person,
                        value=value,
                        key=key,
                        now=answered,
                    )
            for person, text in LAST_WEEK_COMMENTS.items():
                answering.record_comment(
                    session,
                    run_id=run.run_id,
                    question_id=ids["mood"],
                    user_id=person,
                    comment=text,
                    key=key,
                    now=answered,
                )
            stored = session.get(PulseRun, run.run_id)
            stored.status, stored.closed_at = RunStatus.closed, stored.closes_at
            session.flush()
            release_closed_runs(session, min_group=min_group, now=stored.closes_at)
    except Refusal as refusal:
        sys.exit(
            f"{refusal.message} (apply the pulse first:"
            f" `env $(cat {env_file}) .venv/bin/pulsebot survey apply local-survey.yml`)"
        )
    return (
        f"last week's pulse (week of {monday:%-d %b}) is in, closed: answered by all {len(PEOPLE)},"
        f" with {len(LAST_WEEK_COMMENTS)} comments; ask for the digest now"
    )
