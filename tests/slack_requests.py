"""Signed Slack requests sent over HTTP to the running app, built like Slack builds them."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from itertools import count
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

_trigger = count(1)
# Unique to this process, as Slack's trigger ids are unique: the local trial sends each click from a new
# process, and the fake Slack refuses a trigger id it first saw more than 3 seconds ago.
_RUN = secrets.token_hex(4)
_event = count(1)


@dataclass
class Reply:
    status: int
    body: str
    sent: float = 0.0  # time.monotonic() as the request went out: a trigger_id's age counts from here
    seconds: float = 0.0  # until the answer came: what Slack holds against its 3 seconds

    @property
    def json(self) -> dict:
        return json.loads(self.body) if self.body else {}

    @property
    def text(self) -> str:
        """The ephemeral text an `ack(text=...)` sends back, or "" for a bare ack."""
        return self.json.get("text", "") if self.body.startswith("{") else self.body


class SlackRequests:
    def __init__(self, url: str, signing_secret: str, response_url: str, team_id: str = "T0ACME") -> None:
        self.url = url
        self.verifier = SignatureVerifier(signing_secret)
        self.response_url = response_url
        self.team_id = team_id

    def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict | None = None,
    ) -> Reply:
        self.last_body = body  # to send the very same request again, as Slack's retries do
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signed = signature or self.verifier.generate_signature(timestamp=stamp, body=body)
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signed,
                **(headers or {}),
            },
        )
        sent = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, answer = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read().decode()
        return Reply(status, answer, sent, time.monotonic() - sent)

    def command_body(self, command: str, text: str, *, user: str, channel: str = "C0GENERAL") -> str:
        return urlencode(
            {
                "token": "legacy",
                "team_id": self.team_id,
                "team_domain": "acme",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A0PULSE",
                "response_url": self.response_url,
                "trigger_id": f"trigger.{_RUN}.{next(_trigger)}",
            }
        )

    def command(
        self, command: str, text: str = "", *, user: str, channel: str = "C0GENERAL", **kwargs
    ) -> Reply:
        return self.post(self.command_body(command, text, user=user, channel=channel), **kwargs)

    def _interaction(self, payload: dict, **kwargs) -> Reply:
        return self.post(urlencode({"payload": json.dumps(payload)}), **kwargs)

    def click(self, *, action_id: str, value: str, user: str, **kwargs) -> Reply:
        """A click on a button."""
        action = {"type": "button", "value": value, "text": {"type": "plain_text", "text": value}}
        return self._block_action(action_id=action_id, action=action, user=user, **kwargs)

    def choose(self, *, action_id: str, value: str, user: str, **kwargs) -> Reply:
        """A choice in an overflow menu."""
        option = {"value": value, "text": {"type": "plain_text", "text": value}}
        return self._block_action(
            action_id=action_id, action={"type": "overflow", "selected_option": option}, user=user, **kwargs
        )

    def _block_action(
        self,
        *,
        action_id: str,
        action: dict,
        user: str,
        channel: str = "C0GENERAL",
        message_ts: str = "1.0",
        **kwargs,
    ) -> Reply:
        payload = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0PULSE",
            "token": "legacy",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "trigger_id": f"trigger.{_RUN}.{next(_trigger)}",
            "channel": {"id": channel, "name": "pulse"},
            "message": {"ts": message_ts, "text": "pulse"},
            "response_url": self.response_url,
            "actions": [
                {**action, "action_id": action_id, "block_id": "b1", "action_ts": f"{time.time():.6f}"}
            ],
        }
        return self._interaction(payload, **kwargs)

    def submit(
        self, *, callback_id: str, values: dict, user: str, private_metadata: str = "", **kwargs
    ) -> Reply:
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0PULSE",
            "token": "legacy",
            "trigger_id": f"trigger.{_RUN}.{next(_trigger)}",
            "view": {
                "id": "V0001",
                "team_id": self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values},
                "hash": "h",
                "app_id": "A0PULSE",
            },
        }
        return self._interaction(payload, **kwargs)

    def event(self, event: dict, *, event_id: str | None = None, **kwargs) -> Reply:
        envelope = {
            "token": "legacy",
            "team_id": self.team_id,
            "api_app_id": "A0PULSE",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_event):06d}",  # Slack's ids are unique per event
            "event_time": int(time.time()),
        }
        return self.post(json.dumps(envelope), content_type="application/json", **kwargs)
