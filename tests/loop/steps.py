"""Steps the action-plan tests share: a team with a closed week of answers and comments, the planning
form filled in and submitted, and clicks on an action's status menu in App Home."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from sqlmodel import select

from pulsebot import scheduling
from pulsebot.store.models import TeamAction
from tests.conftest import MANAGER, PINNED_NOW
from tests.pulse_data import alike, make_team, people, run_week, scores
from tests.slack_requests import Reply, SlackRequests

LAST_WEEK = PINNED_NOW - timedelta(days=7)  # always in the last complete week
MEMBERS = people(6)
MEETINGS = [
    "Too many meetings, no time to think",
    "Meetings eat the whole afternoon",
    "Fewer meetings please",
    "The new laptop is great",
]
_trigger = count(1000)


def team_with_a_closed_week(sessions, *, name="team-pulse", managers=(MANAGER,), channel=None) -> str:
    """Last week's pulse answered by six people (figures shown), three comments on meetings."""
    extra = {"channel": channel} if channel else {}
    make_team(
        sessions,
        name=name,
        title=f"{name} title",
        managers=managers,
        now=LAST_WEEK - timedelta(days=30),
        **extra,
    )
    run_week(
        sessions,
        survey=name,
        opened=LAST_WEEK,
        audience=MEMBERS,
        answers=scores(MEMBERS, alike(3, 6)),
        comments=dict(zip(MEMBERS, MEETINGS, strict=False)),
    )
    return name


def team_today(timezone: str = "Europe/Berlin") -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def form_values(
    *,
    focus: str | None = "question:workload",
    text: str | None = "No meetings on Wednesday afternoons",
    owner: str | None = "U0ALICE",
    due: date | str | None = None,
    visible: bool = True,
) -> dict:
    due = due if due is not None else team_today() + timedelta(days=14)
    selected = {"value": focus, "text": {"type": "plain_text", "text": str(focus)}} if focus else None
    return {
        "focus": {"value": {"type": "static_select", "selected_option": selected}},
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "owner": {"value": {"type": "users_select", "selected_user": owner}},
        "due": {"value": {"type": "datepicker", "selected_date": str(due)}},
        "visible": {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"value": "visible", "text": {"type": "plain_text", "text": "v"}}]
                if visible
                else [],
            }
        },
    }


def submit_plan(
    slack: SlackRequests, *, user: str = MANAGER, survey: str = "team-pulse", source="command", **values
) -> Reply:
    return slack.submit(
        callback_id="action_plan_view",
        user=user,
        private_metadata=json.dumps({"survey": survey, "from": source}),
        values=form_values(**values),
    )


def choose_in_home(slack: SlackRequests, *, value: str, user: str = MANAGER) -> Reply:
    """A choice in an action's status menu, in App Home (no channel, no response URL)."""
    option = {"value": value, "text": {"type": "plain_text", "text": value}}
    return _home_action(
        slack, user, {"type": "static_select", "action_id": "action_status", "selected_option": option}
    )


def click_in_home(slack: SlackRequests, *, action_id: str, value: str, user: str = MANAGER) -> Reply:
    button = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": "b"},
    }
    return _home_action(slack, user, button)


def drop(slack: SlackRequests, *, action_id: int, reason: str | None, user: str = MANAGER) -> Reply:
    return slack.submit(
        callback_id="action_drop_view",
        user=user,
        private_metadata=json.dumps({"action": action_id}),
        values={"reason": {"value": {"type": "plain_text_input", "value": reason}}},
    )


def _home_action(slack: SlackRequests, user: str, action: dict) -> Reply:
    payload = {
        "type": "block_actions",
        "team": {"id": slack.team_id, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": slack.team_id},
        "api_app_id": "A0PULSE",
        "token": "legacy",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": f"trigger.{next(_trigger)}",
        "view": {"id": "V0HOME", "type": "home", "callback_id": "", "private_metadata": ""},
        "actions": [{**action, "block_id": "b1", "action_ts": f"{time.time():.6f}"}],
    }
    return slack._interaction(payload)


def modal_of(fake_slack) -> dict:
    return fake_slack.wait_for("views.open")[0]["view"]


def options_of(view: dict) -> dict[str, list[str]]:
    focus = next(block for block in view["blocks"] if block.get("block_id") == "focus")
    return {
        group["label"]["text"]: [option["value"] for option in group["options"]]
        for group in focus["element"]["option_groups"]
    }


def stored(sessions) -> list[TeamAction]:
    with sessions() as session:
        return list(session.exec(select(TeamAction).order_by(TeamAction.id)).all())


def run_job(job: str, *, at: datetime, client, sessions, settings) -> None:
    """Run one scheduler job (`pulsebot.scheduling.<job>`) as if its clock said `at`."""

    scheduling.install(
        scheduling.Runtime(client=client, sessions=sessions, settings=settings, clock=lambda: at)
    )
    try:
        getattr(scheduling, job)()
    finally:
        scheduling.install(None)
