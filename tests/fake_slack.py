"""A local fake of Slack's Web API: a real HTTP server that records every call and answers like Slack.

Point a `WebClient(base_url=fake.base_url)` at it. It also receives `response_url` posts (recorded as
the method "response_url"). It can be told to misbehave as Slack does at times (tests/fake_slack_faults.py):
429 with Retry-After, errors, HTTP 5xx after acting or not, a dropped connection after acting, an answer
kept back or slow, and the history limits of an app outside the Slack Marketplace (`outside_marketplace`).
Like Slack, it refuses a message or a view past Slack's limits (`invalid_blocks`, `invalid_arguments`,
`msg_too_long`: tests/slack_limits.py), and a modal opened with a trigger_id more than 3 seconds after
Slack first saw that trigger (`expired_trigger_id`). Each call records when it arrived (`arrivals`).
Workspaces that install the app through OAuth are registered with `add_install(code, team_id, bot_token)`:
oauth.v2.access then trades that code (once, like Slack) for the team's bot token, and auth.test answers
for each token with its own team. Posted messages are kept per conversation, with their metadata, for
`conversations.history` (newest first, between `oldest` and `latest`); `add_message` puts one there as a
person would. People may have an email (users.lookupByEmail finds them by it, users.list shows it) and
values in the workspace's custom profile fields (`add_profile_field`, `set_profile`; read with
team.profile.get and users.profile.get). Each call is recorded with the moment it arrived
(`time.monotonic()`, which a frozen test clock moves), so a test can read how calls were spaced.
`GET /calls/<method>` answers the arguments of every call of that method so far, as JSON, and
`GET /response/<name>` what was posted to that response_url (how the local trial reads the modals pulsebot
opened, and what it said instead). Sign in with Slack (OpenID Connect) is served by `openid`
(tests/fake_openid.py): its authorize page and keys over GET, `openid.connect.token` as a method.
File uploads work as Slack's do: files.getUploadURLExternal hands out an upload URL on this server, the
bytes POSTed there are kept (`uploads`, and an "upload" call), and files.completeUploadExternal shares them.
"""

from __future__ import annotations

import itertools
import json
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from tests.fake_openid import FakeOpenID, answer_get
from tests.fake_slack_faults import SlackFaults
from tests.slack_limits import message_problems, view_problems

JSON_FIELDS = ("blocks", "view", "attachments", "file_uploads", "files", "metadata")


@dataclass
class Call:
    method: str
    args: dict
    token: str | None
    arrived: float = 0.0  # time.monotonic() when the call reached the fake, before any latency it was given
    at: float = field(default_factory=lambda: time.monotonic())  # when it arrived (a frozen clock's too)


@dataclass
class FakeSlack(SlackFaults):
    members: dict[str, list[str]] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id -> the bytes POSTed to its upload URL
    responses: dict[str, list[dict]] = field(default_factory=dict)  # response_url name -> what was posted
    profile_fields: list[dict] = field(default_factory=list)  # the workspace's custom profile fields
    profile_values: dict[str, dict[str, str]] = field(default_factory=dict)  # user id -> field id -> value
    latency: float = 0.0  # seconds each answer takes, as Slack's do over the internet
    # An app distributed outside the Slack Marketplace (since 2025): conversations.history and
    # conversations.replies answer once a minute per workspace, 15 messages a call at most.
    outside_marketplace: bool = False
    port: int = 0  # 0: any free port (the tests); a fixed one to try pulsebot locally (tests/local.py)
    openid: FakeOpenID = field(default_factory=FakeOpenID)  # Sign in with Slack

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._init_faults()
        self.history: dict[str, list[dict]] = {}
        self._install_codes: dict[str, tuple[str, str, str]] = {}  # code -> (team id, bot token, installer)
        self._teams_by_token: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._server = _Server(("127.0.0.1", self.port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- running -------------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    # --- the workspace -------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        email: str | None = None,
    ):
        self.users[user_id] = {
            "id": user_id,
            "name": user_id.lower(),
            "tz": tz,
            "is_bot": is_bot,
            "deleted": deleted,
            "is_admin": is_admin,
            "is_owner": False,
            **({"profile": {"email": email}} if email else {}),
        }

    def add_profile_field(self, field_id: str, label: str, *, kind: str = "text") -> None:
        self.profile_fields.append({"id": field_id, "label": label, "type": kind, "is_hidden": False})

    def set_profile(self, user_id: str, values: dict[str, str]) -> None:
        """Fill in (or, with "", empty) a person's custom profile fields, by field id."""
        if user_id not in self.users:
            self.add_user(user_id)
        kept = self.profile_values.setdefault(user_id, {})
        kept.update(values)
        for field_id in [field_id for field_id, value in kept.items() if not value]:
            del kept[field_id]

    def add_channel(self, channel_id: str, user_ids: list[str]) -> None:
        for user_id in user_ids:
            if user_id not in self.users:
                self.add_user(user_id)
        self.members[channel_id] = list(user_ids)

    def add_usergroup(self, group_id: str, user_ids: list[str]) -> None:
        for user_id in user_ids:
            if user_id not in self.users:
                self.add_user(user_id)
        self.usergroups[group_id] = list(user_ids)

    def add_install(self, code: str, team_id: str, bot_token: str, installer: str = "U0INSTALLER") -> None:
        """Let `code` be traded for `bot_token` once, as after `installer` approved it in `team_id`."""
        self._install_codes[code] = (team_id, bot_token, installer)

    # --- what happened ---------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[dict]:
        with self._changed:
            return [call.args for call in self.calls if call.method == method]

    def times_of(self, method: str) -> list[float]:
        """When each call of `method` arrived (time.monotonic()), in order."""
        with self._changed:
            return [call.at for call in self.calls if call.method == method]

    def posts_to(self, channel: str) -> list[dict]:
        """The chat.postMessage calls addressed to `channel` (a user id for a DM)."""
        return [post for post in self.calls_to("chat.postMessage") if post["channel"] == channel]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Wait until `method` has been called `count` times (listeners finish after the ack)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := [c.args for c in self.calls if c.method == method]) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({call.method for call in self.calls})
                    raise AssertionError(f"{method} called {len(found)} times, wanted {count}; seen: {seen}")
                self._changed.wait(remaining)
            return found

    def reset_calls(self) -> None:
        with self._changed:
            self.calls.clear()

    # --- answering -------------------------------------------------------------------------------
    def _record(self, method: str, args: dict, token: str | None, arrived: float | None = None) -> None:
        with self._changed:
            self.calls.append(Call(method, args, token, time.monotonic() if arrived is None else arrived))
            self._changed.notify_all()

    def arrivals(self, method: str) -> list[float]:
        """When each call of `method` reached Slack (time.monotonic()): when Slack judges a trigger's age."""
        with self._changed:
            return [call.arrived for call in self.calls if call.method == method]

    def _keep(self, channel: str, args: dict, ts: str) -> None:
        message = {"type": "message", "ts": ts, "text": args.get("text"), "bot_id": "BPULSE"}
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        if args.get("blocks"):  # as Slack keeps them: the local trial answers a pulse from its buttons
            blocks = args["blocks"]
            message["blocks"] = json.loads(blocks) if isinstance(blocks, str) else blocks
        with self._changed:
            self.history.setdefault(channel, []).append(message)

    def messages_in(self, channel: str) -> list[dict]:
        with self._changed:
            return list(self.history.get(channel, []))

    def _answer(self, method: str, args: dict, token: str | None = None) -> dict:
        if self._errors.get(method) and (error := self._errors[method].pop(0)) is not None:
            return {"ok": False, "error": error}
        if method == "auth.test":
            team_id = self._teams_by_token.get(token or "", "T0ACME")
            return {
                "ok": True,
                "team": "Acme" if team_id == "T0ACME" else team_id,
                "team_id": team_id,
                "user": "pulsebot",
                "user_id": "UBOT",
                "bot_id": "BPULSE",
                "url": "https://acme.slack.com/",
            }
        if method == "oauth.v2.access":
            return self._access(args)
        if method == "openid.connect.token":
            return self.openid.token(args, authorization=token)
        if refused := self._refused(method, args):
            return refused
        if method == "chat.postMessage":
            channel = args.get("channel", "")
            if self.users.get(channel, {}).get("deleted"):  # a DM to someone deactivated since
                return {"ok": False, "error": "user_disabled"}
            if channel.startswith("U"):  # posting to a user id lands in the app's DM with them
                channel = "D" + channel[1:]
            ts = f"{int(time.time()) + 1}.{next(self._ts):06d}"  # later than anything before it
            self._keep(channel, args, ts)
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text"), "ts": ts}}
        if method == "conversations.history":
            return self._history_page(args)
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        if method == "conversations.members":
            return self._members_page(args)
        if method == "users.list":
            return self._paged([_locale_if_asked(u, args) for u in self.users.values()], args, "members")
        if method == "usergroups.users.list":
            group = self.usergroups.get(args.get("usergroup", ""))
            return (
                {"ok": True, "users": group}
                if group is not None
                else {"ok": False, "error": "no_such_subteam"}
            )
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            if not user:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": _locale_if_asked(user, args)}
        if method == "users.lookupByEmail":
            email = str(args.get("email", "")).lower()
            found = [
                u for u in self.users.values() if (u.get("profile") or {}).get("email", "").lower() == email
            ]
            return {"ok": True, "user": found[0]} if found else {"ok": False, "error": "users_not_found"}
        if method == "users.profile.get":
            user = self.users.get(args.get("user", ""))
            if not user:
                return {"ok": False, "error": "user_not_found"}
            values = self.profile_values.get(user["id"], {})
            fields = {field_id: {"value": value, "alt": ""} for field_id, value in values.items()}
            return {"ok": True, "profile": {**(user.get("profile") or {}), "fields": fields}}
        if method == "team.profile.get":
            return {"ok": True, "profile": {"fields": list(self.profile_fields)}}
        if method == "conversations.open":
            user = str(args.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + user[1:]}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            if not files or any(item.get("id") not in self.uploads for item in files):
                return {"ok": False, "error": "file_not_found"}
            shared = [
                {"id": item["id"], "title": item.get("title"), "size": len(self.uploads[item["id"]])}
                for item in files
            ]
            return {"ok": True, "files": shared}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            return {"ok": True, "view": {"id": "V0001", **(args.get("view") or {})}}
        return {"ok": True}

    def _refused(self, method: str, args: dict) -> dict | None:
        """Slack's answer to a message or a view past its limits, or to a modal opened too late."""
        problems, error = [], ""
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            problems = message_problems(args)
            error = "msg_too_long" if problems and "message text of" in problems[0] else "invalid_blocks"
        if method in ("views.open", "views.push") and self._trigger_expired(args):
            return {"ok": False, "error": "expired_trigger_id"}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            problems, error = view_problems(args.get("view") or {}), "invalid_arguments"
        if not problems:
            return None
        return {"ok": False, "error": error, "response_metadata": {"messages": problems}}

    def _access(self, args: dict) -> dict:
        with self._changed:
            install = self._install_codes.pop(args.get("code", ""), None)
            if install is None:
                return {"ok": False, "error": "invalid_code"}
            team_id, bot_token, installer = install
            self._teams_by_token[bot_token] = team_id
        return {
            "ok": True,
            "app_id": "A0PULSE",
            "authed_user": {"id": installer},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": bot_token,
            "bot_user_id": "UBOT",
            "team": {"id": team_id, "name": f"Team {team_id}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _history_page(self, args: dict) -> dict:
        """Newest first, after `oldest` and before `latest`, `limit` at a time (metadata always included);
        outside the Marketplace, 15 at most."""
        channel = args.get("channel", "")
        if channel not in self.history and not channel.startswith("D") and channel not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or math.inf)
        found = [m for m in reversed(self.messages_in(channel)) if oldest < float(m["ts"]) < latest]
        limit = int(args.get("limit") or (self.HISTORY_MOST if self.outside_marketplace else 100))
        if self.outside_marketplace:
            limit = min(limit, self.HISTORY_MOST)
        page = self._paged(found, {**args, "limit": limit}, "messages")
        page["has_more"] = bool(page["response_metadata"]["next_cursor"])
        return page

    def add_message(self, channel: str, text: str, *, user: str = "U0ALICE") -> str:
        """A message someone posts in `channel` (not through the app); its ts."""
        ts = f"{int(time.time()) + 1}.{next(self._ts):06d}"
        with self._changed:
            self.history.setdefault(channel, []).append(
                {"type": "message", "ts": ts, "text": text, "user": user}
            )
        return ts

    def _members_page(self, args: dict) -> dict:
        channel = args.get("channel", "")
        if channel not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        return self._paged(self.members[channel], args, "members")

    @staticmethod
    def _paged(items: list, args: dict, name: str) -> dict:
        """One page of `items`, with Slack's cursor in response_metadata (empty on the last page)."""
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        more = start + limit < len(items)
        return {
            "ok": True,
            name: items[start : start + limit],
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # Slack takes a crowd of calls at once; a backlog of 5 would not


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path.startswith("/calls/"):  # what pulsebot called, read back by the local trial
                self._send(200, json.dumps(fake.calls_to(path.removeprefix("/calls/"))).encode())
                return
            if path.startswith("/response/"):  # what pulsebot posted to this response_url
                with fake._changed:
                    posted = list(fake.responses.get(path.removeprefix("/response/"), []))
                self._send(200, json.dumps(posted).encode())
                return
            fake._record("GET " + path, dict(parse_qsl(query, keep_blank_values=True)), None)
            status, headers, body = answer_get(fake.openid, path, query)
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            arrived = time.monotonic()
            if fake.latency:
                time.sleep(fake.latency)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/upload/"):
                file_id = self.path.removeprefix("/upload/")
                fake.uploads[file_id] = body
                fake._record("upload", {"file_id": file_id, "size": len(body)}, None, arrived)
                self._send(200, f"OK - {len(body)}".encode(), "text/plain")
                return
            raw = body.decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                args = json.loads(raw or "{}")
            else:
                args = dict(parse_qsl(raw, keep_blank_values=True))
            for name in JSON_FIELDS:
                if isinstance(args.get(name), str):
                    args[name] = json.loads(args[name])
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ") or args.get("token")
            if self.path.startswith("/response/"):
                if fake._hang_up.get("response_url"):
                    fake._hang_up["response_url"] -= 1
                    fake._record("response_url", args, None, arrived)  # shown to the person
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                fake._record("response_url", args, None, arrived)
                with fake._changed:
                    fake.responses.setdefault(self.path.removeprefix("/response/"), []).append(args)
                self._send(200, b"ok", "text/plain")
                return
            method = self.path.removeprefix("/api/")
            if method in fake._slow:
                time.sleep(fake._slow[method])
            fake._trigger_expired(args)  # the trigger's clock starts at the first call that carries it
            retry = fake._throttled.get(method)
            retry = retry.pop(0) if retry else fake._spent(method) or fake._over_limit(method)
            retry = retry or fake._history_throttled(method, token)
            if retry:
                with fake._changed:
                    due_by = time.monotonic() + retry + 1.0
                    fake._retries_due_by = max(fake._retries_due_by, due_by)
                fake._record(method + ":429", args, token, arrived)
                self._send(429, b'{"ok":false,"error":"ratelimited"}', headers={"Retry-After": str(retry)})
                return
            if fake._statuses.get(method):
                status, acted = fake._statuses[method].pop(0)
                if acted:
                    fake._answer(method, args, token)
                fake._record(f"{method}:{status}", args, token, arrived)
                self._send(status, b'{"ok":false,"error":"internal_error"}')
                return
            if fake._hang_up.get(method):
                fake._hang_up[method] -= 1
                fake._answer(method, args, token)
                fake._record(f"{method}:hung up", args, token, arrived)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            fake._record(method, args, token, arrived)
            answer = json.dumps(fake._answer(method, args, token)).encode()
            if fake._stalled(method):
                fake._released.wait()
            self._send(200, answer)

        def _send(
            self, status: int, body: bytes, content_type: str = "application/json", headers=None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


if __name__ == "__main__":  # `python -m tests.fake_slack`: the fake on its own, to try pulsebot locally
    import sys

    from tests.local import main

    main(["slack", *sys.argv[1:]])


def _locale_if_asked(user: dict, args: dict) -> dict:
    """Slack gives a person's locale only to a call that asks for it (`include_locale`)."""
    if str(args.get("include_locale", "")).lower() in ("1", "true"):
        return user
    return {key: value for key, value in user.items() if key != "locale"}
