"""The database away for a moment: the person is told to try again in a minute, and nothing is left
half-written."""

from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from pulsebot.slack.app import SORRY, make_sender
from pulsebot.slack.blocks.pulses import NOT_SAVED
from pulsebot.store.db import make_engine, session_factory
from pulsebot.store.models import Answer, Idea
from tests.conftest import PG_URL, SIGNING_SECRET, TEAM, serving_app
from tests.pulse_steps import click_answer
from tests.slack_requests import SlackRequests

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-folder/pulsebot.db",  # the file cannot be opened
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/pulsebot?connect_timeout=2",  # refused
}


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable_slack(request, settings, client, fake_slack) -> Iterator[SlackRequests]:
    """The real app over HTTP, its database out of reach."""
    engine = make_engine(UNREACHABLE[request.param])
    sessions = session_factory(engine)
    sender = make_sender(settings, client=client, sessions=sessions)
    with serving_app(settings, sessions, engine, client=client, sender=sender) as url:
        yield SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url())
    sender.stop()
    engine.dispose()


def test_a_command_while_the_database_is_unreachable_says_try_again(unreachable_slack, sessions):
    reply = unreachable_slack.command("/idea", "Refunds in one click", user=TEAM[0])

    assert reply.status == 200
    assert reply.json == {"response_type": "ephemeral", "text": SORRY}
    with sessions() as session:
        assert session.exec(select(Idea)).all() == []


def test_a_click_while_the_database_is_unreachable_says_try_again(unreachable_slack, fake_slack):
    reply = unreachable_slack.click(action_id="pulse_answer_1_4", value="1:1:4", user=TEAM[0])

    assert reply.status == 200
    assert fake_slack.wait_for("response_url")[0]["text"] == SORRY


@pytest.fixture
def connection_lost_on_answer_write(engine):
    """The database goes away while a batch of answers is being written."""

    def drop(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO ANSWER"):
            raise OperationalError(statement, parameters, ConnectionError("server closed the connection"))

    event.listen(engine, "before_cursor_execute", drop)
    yield
    event.remove(engine, "before_cursor_execute", drop)


def test_an_answer_whose_batch_is_lost_is_not_stored_and_the_person_is_told(
    slack, fake_slack, sessions, sent_pulse, request
):
    request.getfixturevalue("connection_lost_on_answer_write")

    click_answer(slack, sent_pulse, TEAM[0], 4)

    assert fake_slack.wait_for("response_url")[0]["text"] == NOT_SAVED
    with sessions() as session:
        assert session.exec(select(Answer)).all() == []


def test_postgresql_is_only_tried_when_configured():
    # The unreachable PostgreSQL above needs no server, so it runs with or without PG_URL.
    assert UNREACHABLE["postgresql"] != PG_URL
