"""Over Socket Mode too, Slack's retry of an event already taken in is acknowledged, not refused as a
replay (Bolt passes the envelope's retry number on as a header from 1.29 on), and not handled again."""

from __future__ import annotations

import time

from pydantic import SecretStr
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from pulsebot.slack.app import create_app
from tests.conftest import TEAM


def envelope(retry_attempt: int | None) -> SocketModeRequest:
    return SocketModeRequest.from_dict(
        {
            "type": "events_api",
            "envelope_id": f"env-{retry_attempt}",
            "accepts_response_payload": False,
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else None,
            "payload": {
                "type": "event_callback",
                "team_id": "T0ACME",
                "api_app_id": "A0PULSE",
                "event_id": "Ev0HOME",
                "event_time": int(time.time()),
                "event": {"type": "app_home_opened", "user": TEAM[0], "channel": "D0ALICE", "tab": "home"},
            },
        }
    )


def test_a_retried_event_is_acknowledged_and_handled_once(settings, sessions, client, fake_slack):
    socket_mode = settings.model_copy(update={"slack_app_token": SecretStr("xapp-test")})
    app = create_app(socket_mode, sessions=sessions, client=client)

    first = run_bolt_app(app, envelope(None))
    fake_slack.wait_for("views.publish")
    retry = run_bolt_app(app, envelope(1))
    time.sleep(0.5)  # time enough for a second home view, were the retry handled

    assert first.status == 200
    assert (retry.status, retry.body) == (200, "")
    assert len(fake_slack.calls_to("views.publish")) == 1
