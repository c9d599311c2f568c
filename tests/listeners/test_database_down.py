"""The database away for a moment: the person is told to try again in a minute, and nothing is left
half-written."""

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from pulsebot.slack.app import SORRY, create_app, make_sender
from pulsebot.slack.server import make_http_server, wsgi_app
from pulsebot.store.db import make_engine, session_factory
from pulsebot.store.models import Answer, Delivery, Idea
from tests.conftest import PG_URL, PULSE_CHANNEL, SIGNING_SECRET, TEAM
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
    app = create_app(settings, sessions=sessions, client=client, sender=sender)
    server = make_http_server(wsgi_app(app, healthy=lambda: False), host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield SlackRequests(
        f"http://127.0.0.1:{server.server_address[1]}/slack/events", SIGNING_SECRET, fake_slack.response_url()
    )
    server.shutdown()
    server.server_close()
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
def connection_lost_on_delivery_update(engine):
    """The database goes away between the two writes of an answer (the answer, then "answered")."""

    def drop(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE DELIVERY"):
            raise OperationalError(statement, parameters, ConnectionError("server closed the connection"))

    event.listen(engine, "before_cursor_execute", drop)
    yield
    event.remove(engine, "before_cursor_execute", drop)


def test_an_answer_cut_off_half_way_is_not_stored_at_all(slack, fake_slack, sessions, sent_pulse, request):
    question = sent_pulse.questions[0]
    request.getfixturevalue("connection_lost_on_delivery_update")

    slack.click(
        action_id=f"pulse_answer_{question.id}_4",
        value=f"{sent_pulse.run_id}:{question.id}:4",
        user=TEAM[0],
        channel=PULSE_CHANNEL,
    )

    assert fake_slack.wait_for("response_url")[0]["text"] == SORRY
    with sessions() as session:
        assert session.exec(select(Answer)).all() == []
        assert not any(delivery.answered for delivery in session.exec(select(Delivery)))


def test_postgresql_is_only_tried_when_configured():
    # The unreachable PostgreSQL above needs no server, so it runs with or without PG_URL.
    assert UNREACHABLE["postgresql"] != PG_URL
