"""Anonymous-reply conversations leave with the rest: forgetting the manager deletes them, forgetting the
anonymous author leaves them as they are (deleting them would point at the author), and the nightly
retention deletes those that went quiet before its cutoff."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION
from pulsebot.store.db import transaction
from pulsebot.store.models import Conversation, ConversationMessage, Idea
from tests.conftest import MANAGER, TEAM
from tests.idea_steps import post_idea
from tests.reply_steps import open_form, relay_after, relayed_to, send, stored_conversations

AUTHOR = TEAM[0]


pytestmark = pytest.mark.usefixtures("jobs_runtime")  # the reply-relay sweep runs in the tests


def start_conversation(slack, fake_slack, sessions, text: str) -> None:
    post_idea(slack, fake_slack, text, user=AUTHOR, anonymous=True)
    with transaction(sessions) as session:
        idea_id = session.exec(select(func.max(Idea.id))).one()
    form = open_form(slack, fake_slack, action_id="reply_idea", value=str(idea_id), user=MANAGER)
    assert send(slack, form, f"About “{text}”: tell me more?", user=MANAGER).status == 200


def rows(sessions) -> tuple[int, int]:
    with transaction(sessions) as session:
        return len(session.exec(select(Conversation)).all()), len(
            session.exec(select(ConversationMessage)).all()
        )


def forget_me(slack, fake_slack, user: str) -> str:
    slack.command("/pulse", "forget-me", user=user)
    replies = len(fake_slack.calls_to("response_url"))
    slack.click(action_id=FORGET_ME_ACTION, value="forget", user=user)
    return fake_slack.wait_for("response_url", replies + 1)[-1]["text"]


def test_forgetting_an_anonymous_author_changes_nothing_their_manager_or_the_database_can_see(
    slack, fake_slack, sessions
):
    """Attack: the manager in a conversation with an anonymous idea's author sees the colleague's signed
    card lose its name, then tries the conversation: had it gone in the same moment, it was theirs."""
    post_idea(slack, fake_slack, "Refunds in one click", user=AUTHOR, anonymous=True)
    form = open_form(slack, fake_slack, action_id="reply_idea", value="1", user=MANAGER)
    send(slack, form, "Tell me more?", user=MANAGER)
    relay_after(11)
    assert len(relayed_to(fake_slack, AUTHOR)) == 1
    before = stored_conversations(sessions)

    reply = forget_me(slack, fake_slack, AUTHOR)

    assert "• Deleted 0 conversations you held as a manager" in reply
    assert stored_conversations(sessions) == before  # the forgetting wrote nothing there
    again = send(slack, form, "Anything else?", user=MANAGER)
    assert again.status == 200 and "errors" not in (again.json or {})
    relay_after(11)  # but their idea's token is gone, so it no longer reaches them
    assert len(relayed_to(fake_slack, AUTHOR)) == 1


def test_a_manager_who_is_forgotten_takes_their_conversations_along(slack, fake_slack, sessions):
    start_conversation(slack, fake_slack, sessions, "Refunds in one click")
    other = TEAM[1]
    post_idea(slack, fake_slack, "A kinder hold music", user=other)
    assert rows(sessions) == (1, 1)

    forget_me(slack, fake_slack, MANAGER)

    assert rows(sessions) == (0, 0)


def test_retention_deletes_conversations_that_went_quiet_before_the_cutoff(
    slack, fake_slack, sessions, settings
):
    start_conversation(slack, fake_slack, sessions, "Refunds in one click")
    start_conversation(slack, fake_slack, sessions, "Callbacks within a day")
    with transaction(sessions) as session:
        old, recent = session.exec(select(Conversation).order_by(Conversation.created_at)).all()
        long_ago = datetime.now(UTC) - timedelta(days=settings.retention_days + 10)
        old.created_at = recent.created_at = long_ago
        for message in session.exec(select(ConversationMessage)).all():
            # The first went quiet long ago; the second had a message last week.
            quiet = message.conversation_id == old.id
            message.created_at = long_ago if quiet else datetime.now(UTC) - timedelta(days=7)
            session.add(message)
        session.add_all([old, recent])
        kept = recent.id

    with freeze_time(datetime.now(UTC)):
        scheduling.purge_old_data()

    with transaction(sessions) as session:
        assert [conversation.id for conversation in session.exec(select(Conversation)).all()] == [kept]
        assert {m.conversation_id for m in session.exec(select(ConversationMessage)).all()} == {kept}
