"""Steps the anonymous-reply tests share: a digest quoting comments, the clicks and forms people use, the
relay sweep run some minutes later, and a look at everything stored or sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.slack.digest import send_digests
from pulsebot.store.models import Conversation, ConversationMessage
from tests.fake_slack import FakeSlack
from tests.idea_steps import next_call, reply_to
from tests.pulse_data import make_team, people, run_week, scores
from tests.slack_requests import Reply, SlackRequests

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
AUTHORS = people(6)
HEAVY, FINE = "The workload is heavy & <!channel> knows it.", "Workload is fine."


def digest_with_comments(
    sessions, client, fake_slack: FakeSlack, settings, *, manager: str
) -> dict[str, str]:
    """A team whose week quotes two comments, its digest sent to `manager`: {quote: its reference}."""
    make_team(sessions, managers=(manager,), now=MONDAY - timedelta(days=60))
    run_week(
        sessions,
        survey="team-pulse",
        opened=MONDAY,
        audience=AUTHORS,
        answers=scores(AUTHORS, [3, 3, 4, 3, 4, 3]),
        comments={AUTHORS[0]: HEAVY, AUTHORS[1]: FINE},
    )
    send_digests(client, sessions, settings, now=MONDAY + timedelta(weeks=1), survey_name="team-pulse")
    (digest,) = dms_to(fake_slack, manager)
    return {
        block["text"]["text"]: block["accessory"]["value"]
        for block in digest["blocks"]
        if block.get("accessory", {}).get("action_id") == "reply_comment"
    }


def open_form(slack: SlackRequests, fake_slack: FakeSlack, *, action_id: str, value: str, user: str) -> dict:
    """Click a reply button and return the form it opens."""
    opened = next_call(
        fake_slack,
        "views.open",
        lambda: slack.click(action_id=action_id, value=value, user=user, channel="D0"),
    )
    return opened["view"]


def refused_click(
    slack: SlackRequests, fake_slack: FakeSlack, *, action_id: str, value: str, user: str
) -> str:
    """Click a button and return the ephemeral answer."""
    return reply_to(
        fake_slack, lambda: slack.click(action_id=action_id, value=value, user=user, channel="D0")
    )


def send(slack: SlackRequests, form: dict, text: str, *, user: str) -> Reply:
    return slack.submit(
        callback_id="reply_view",
        values={"reply": {"text": {"type": "plain_text_input", "value": text}}},
        user=user,
        private_metadata=form["private_metadata"],
    )


def relay_at(moment: datetime) -> None:
    """Run the scheduler's reply-relay sweep as if it were `moment`."""
    with freeze_time(moment):
        scheduling.relay_replies()


def relay_after(minutes: float) -> None:
    """Run the scheduler's reply-relay sweep as if `minutes` had passed."""
    relay_at(datetime.now(UTC) + timedelta(minutes=minutes))


def dms_to(fake_slack: FakeSlack, user: str) -> list[dict]:
    return fake_slack.posts_to(user)


def relayed_to(fake_slack: FakeSlack, user: str) -> list[dict]:
    """The relayed replies among the DMs to `user` (not, say, the thanks for posting an idea)."""
    return [post for post in dms_to(fake_slack, user) if ":speech_balloon:" in json.dumps(post.get("blocks"))]


def button(post: dict, action_id: str) -> str:
    for block in post["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button in {post['text']}")


def has_button(post: dict, action_id: str) -> bool:
    return action_id in json.dumps(post["blocks"])


def stored_conversations(sessions) -> list[dict]:
    """Every conversation and message row, as plain dicts."""
    with sessions() as session:
        rows = [*session.exec(select(Conversation)), *session.exec(select(ConversationMessage))]
        return [row.model_dump(mode="json") for row in rows]


def sent_to_anyone_but(fake_slack: FakeSlack, author: str) -> str:
    """Everything the bot sent to Slack, except the DMs addressed to `author`, as one text."""
    return json.dumps(
        [
            call.args
            for call in fake_slack.calls
            if not (call.method == "chat.postMessage" and call.args.get("channel") == author)
        ]
    )
