"""Webhooks: an idea's status change, a shared week and an action change each reach a registered URL,
signed over "v1:{timestamp}:{body}" with the webhook's secret; a delivery answered 500 is tried again
after its backoff by the `webhook-deliveries` sweep; no body carries an answer or an anonymous idea's
author."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.api import webhooks
from pulsebot.services.errors import Invalid
from pulsebot.services.idea import idea_status
from pulsebot.services.idea.ideas import post_idea
from pulsebot.services.privacy.roles import Role
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry, IdeaStatus, WebhookDelivery
from tests.conftest import ADMIN, ANON_KEY, PINNED_NOW

pytestmark = pytest.mark.clock
AUTHOR = "U0AUTHOR"


class Consumer:
    """A webhook's receiver on this machine: it checks each delivery's signature as a consumer would, and
    answers each in turn with the next of `statuses` (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[dict] = []
        self.secret = ""
        consumer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                timestamp = self.headers["X-Pulsebot-Request-Timestamp"]
                expected = (
                    "v1="
                    + hmac.new(
                        consumer.secret.encode(), f"v1:{timestamp}:{body}".encode(), hashlib.sha256
                    ).hexdigest()
                )
                consumer.received.append(
                    {
                        "body": body,
                        "event": self.headers["X-Pulsebot-Event"],
                        "delivery": self.headers["X-Pulsebot-Delivery"],
                        "signed": hmac.compare_digest(expected, self.headers["X-Pulsebot-Signature"]),
                    }
                )
                status = consumer.statuses.pop(0) if consumer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/pulsebot"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def consumer(sessions):
    receiver = Consumer([500])
    with transaction(sessions) as session:
        added = webhooks.add_webhook(
            session,
            url=receiver.url,
            events=webhooks.EVENTS,
            key=ANON_KEY.encode(),
            now=PINNED_NOW,
            team_id="",
        )
    receiver.secret = added.secret
    yield receiver
    receiver.stop()


def decide_on_an_anonymous_idea(sessions) -> int:
    with transaction(sessions) as session:
        idea = post_idea(
            session, user_id=AUTHOR, text="Quiet rooms", key=ANON_KEY.encode(), now=PINNED_NOW, anonymous=True
        )
        idea_status.change_status(
            session,
            idea_id=idea.id,
            status=IdeaStatus.under_review,
            user_id=ADMIN,
            role=Role.admin,
            now=PINNED_NOW,
        )
    return idea.id


def sweep_at(moment) -> None:
    with freeze_time(moment, tick=True):
        scheduling.send_webhooks()


def test_a_delivery_is_signed_and_tried_again_after_a_500(sessions, consumer, jobs_runtime):
    idea_id = decide_on_an_anonymous_idea(sessions)

    sweep_at(PINNED_NOW + timedelta(seconds=1))  # answered 500
    sweep_at(PINNED_NOW + timedelta(seconds=10))  # not due again yet
    assert len(consumer.received) == 1
    sweep_at(PINNED_NOW + timedelta(seconds=40))  # after the first backoff (30 s): answered 200
    sweep_at(PINNED_NOW + timedelta(minutes=5))  # delivered: never sent again

    first, retry = consumer.received
    assert first["signed"] and retry["signed"]
    assert first["body"] == retry["body"] and first["delivery"] == retry["delivery"]
    event = json.loads(retry["body"])
    assert event["event"] == retry["event"] == "idea.status_changed"
    assert event["data"]["idea"]["id"] == idea_id
    assert (event["data"]["previous"], event["data"]["status"]) == ("new", "under_review")
    assert AUTHOR not in retry["body"] and "author" not in retry["body"]
    with transaction(sessions) as session:  # delivered: its body is kept no longer
        assert session.exec(select(WebhookDelivery)).all() == []


def test_a_delivery_never_answered_2xx_is_given_up_and_deleted(sessions, consumer, jobs_runtime):
    consumer.statuses[:] = [503] * webhooks.MAX_ATTEMPTS
    decide_on_an_anonymous_idea(sessions)

    moment = PINNED_NOW + timedelta(seconds=1)
    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        sweep_at(moment)
        moment += webhooks.retry_wait(attempt) + timedelta(seconds=1)
    sweep_at(moment + timedelta(days=1))

    assert len(consumer.received) == webhooks.MAX_ATTEMPTS
    with transaction(sessions) as session:
        assert session.exec(select(WebhookDelivery)).all() == []


def test_a_signature_made_with_another_secret_does_not_verify(sessions, consumer, jobs_runtime):
    consumer.statuses.clear()
    consumer.secret = webhooks.signing_secret(b"another-key-entirely-0123456789", "salt")
    decide_on_an_anonymous_idea(sessions)

    sweep_at(PINNED_NOW + timedelta(seconds=1))

    assert [received["signed"] for received in consumer.received] == [False]


def test_an_action_change_is_told_without_anyone_s_answers(sessions, consumer, jobs_runtime):
    from tests.web.team_data import team_with_weeks
    from tests.web.test_api import plan_an_action

    consumer.statuses.clear()
    members = team_with_weeks(sessions, now=PINNED_NOW)
    action = plan_an_action(sessions, text="Fewer meetings on Fridays")

    sweep_at(PINNED_NOW + timedelta(seconds=1))

    (told,) = consumer.received
    event = json.loads(told["body"])
    assert told["signed"] and event["event"] == "action.changed"
    assert event["data"]["action"]["id"] == action.id and event["data"]["previous"] is None
    assert not any(person in told["body"] for person in members)
    assert "Meetings are too long" not in told["body"]  # the team's comments stay in the digest


def test_an_action_s_status_change_is_told_with_the_status_it_left(sessions, consumer, jobs_runtime):
    from pulsebot.services.loop import actions
    from pulsebot.store.models import ActionStatus
    from tests.web.team_data import team_with_weeks
    from tests.web.test_api import plan_an_action

    consumer.statuses.clear()
    team_with_weeks(sessions, now=PINNED_NOW)
    action = plan_an_action(sessions)
    with transaction(sessions) as session:
        actions.change_status(
            session,
            action_id=action.id,
            status=ActionStatus.in_progress,
            reason=None,
            actor=ADMIN,
            now=PINNED_NOW,
            is_admin=True,
        )

    sweep_at(PINNED_NOW + timedelta(seconds=1))

    planned, started = (json.loads(told["body"])["data"] for told in consumer.received)
    assert (planned["previous"], planned["action"]["status"]) == (None, "planned")
    assert (started["previous"], started["action"]["status"]) == ("planned", "in_progress")


def test_a_removed_webhook_hears_nothing_more_and_both_are_audited(sessions, consumer, jobs_runtime):
    with transaction(sessions) as session:
        (hook,) = webhooks.webhooks(session)
        webhooks.remove_webhook(session, webhook_id=hook.id, now=PINNED_NOW, team_id="")
    decide_on_an_anonymous_idea(sessions)

    sweep_at(PINNED_NOW + timedelta(seconds=1))

    assert consumer.received == []
    with transaction(sessions) as session:
        actions = [entry.action for entry in session.exec(select(AuditEntry)).all()]
    assert AuditAction.webhook_added in actions and AuditAction.webhook_removed in actions


def test_a_webhook_must_be_https_except_on_this_machine():
    assert webhooks.check_url("https://hooks.example.com/pulsebot") == "https://hooks.example.com/pulsebot"
    assert webhooks.check_url("http://localhost:8080/x") == "http://localhost:8080/x"
    for refused in ("http://hooks.example.com/x", "ftp://example.com", "https://", "not a url"):
        with pytest.raises(Invalid):
            webhooks.check_url(refused)


def test_the_backoff_doubles_up_to_six_hours():
    assert [webhooks.retry_wait(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert webhooks.retry_wait(20) == timedelta(hours=6)


def test_a_shared_week_is_told_by_its_team_and_week_alone(sessions, consumer, jobs_runtime):
    from pulsebot.services.loop.sharing import record_share
    from tests.web.team_data import team_with_weeks

    consumer.statuses.clear()
    members = team_with_weeks(sessions, now=PINNED_NOW)
    week = (PINNED_NOW - timedelta(days=PINNED_NOW.weekday() + 7)).date()
    with transaction(sessions) as session:
        record_share(
            session, survey_name="team-pulse", week=week, shared_by=ADMIN, with_comments=True, now=PINNED_NOW
        )

    sweep_at(PINNED_NOW + timedelta(seconds=1))

    (told,) = consumer.received
    assert told["signed"] and told["event"] == "results.shared"
    assert json.loads(told["body"])["data"] == {
        "team": "team-pulse",
        "title": "Weekly team pulse",
        "week": week.isoformat(),
        "with_comments": True,
    }
    assert not any(person in told["body"] for person in members)
