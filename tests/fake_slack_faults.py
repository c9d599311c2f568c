"""What the fake Slack (tests/fake_slack.py) can be told to do wrong, as Slack does at times: throttle a
method (429 with Retry-After: for a number of calls, for a while, or past a rate), refuse it, fail with an
HTTP error (after acting on the call or not), take a call in and drop the connection without answering,
keep an answer back (`stall`), answer slowly, refuse a modal opened with a trigger more than 3 seconds
old, and, for an app distributed outside the Slack Marketplace (`outside_marketplace`), answer
`conversations.history` once a minute per workspace, 15 messages a call at most."""

from __future__ import annotations

import collections
import math
import threading
import time

from pulsebot.slack.limits import TRIGGER_SECONDS


class SlackFaults:
    """Mixed into FakeSlack, whose `_changed` condition, `calls_to` and `outside_marketplace` it uses."""

    HISTORY_EVERY = 60.0  # seconds between two history calls of one workspace, outside the Marketplace
    HISTORY_MOST = 15  # messages a history call gives, outside the Marketplace

    def _init_faults(self) -> None:
        self._throttled: dict[str, list[int]] = {}
        self._throttled_until: dict[str, tuple[float, int]] = {}  # method -> (until, Retry-After)
        self._errors: dict[str, list[str | None]] = {}  # None: answered as usual
        self._limits: dict[str, tuple[int, collections.deque]] = {}
        self._stall: dict[str, int] = {}
        self._slow: dict[str, float] = {}
        self._statuses: dict[str, list[tuple[int, bool]]] = {}  # method -> (status, acted first)
        self._hang_up: dict[str, int] = {}  # method -> calls to take in, then close without an answer
        self._history_read: dict[str | None, float] = {}  # token -> when its last history call was taken
        self._triggers: dict[str, float] = {}  # trigger_id -> when a call first carried it
        self._retries_due_by = 0.0  # time.monotonic() by which every 429's Retry-After has run out
        self._released = threading.Event()

    def throttle(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After: retry_after`."""
        self._throttled.setdefault(method, []).extend([retry_after] * times)

    def throttle_for(self, method: str, *, seconds: float, retry_after: int) -> None:
        """Answer every call of `method` for the next `seconds` with 429 and `Retry-After: retry_after`, as
        Slack does once an app has spent a method's allowance."""
        self._throttled_until[method] = (time.monotonic() + seconds, retry_after)

    def fail(self, method: str, error: str, *, times: int = 1, after: int = 0) -> None:
        """Answer `times` calls of `method` with Slack's `error`, once the next `after` were answered."""
        self._errors.setdefault(method, []).extend([None] * after + [error] * times)

    def fail_with_status(
        self, method: str, status: int, *, times: int = 1, after_acting: bool = False
    ) -> None:
        """Answer the next `times` calls of `method` with an HTTP error such as 503, after taking them in:
        whether Slack acted on such a call, its caller cannot know. `after_acting`: Slack did act (a post
        is in the conversation, a file shared) before the error."""
        self._statuses.setdefault(method, []).extend([(status, after_acting)] * times)

    def hang_up_after_acting(self, method: str, *, times: int = 1) -> None:
        """Act on the next `times` calls of `method` (a response URL's is "response_url"), then close the
        connection without an answer, as when the network drops Slack's "ok"."""
        self._hang_up[method] = self._hang_up.get(method, 0) + times

    def rate_limit(
        self, method: str, *, per_second: int | None = None, per_minute: int | None = None
    ) -> None:
        """Take at most `per_second` calls of `method` in any one second (or `per_minute` in any one
        minute, as Slack's tiers count); answer the others 429 with `Retry-After` in whole seconds, as
        Slack does."""
        window = 1.0 if per_minute is None else 60.0
        self._limits[method] = (per_second or per_minute, window, collections.deque())

    def stall(self, method: str, *, after: int) -> None:
        """Take in every call of `method` past the first `after`, but keep the answers back until
        `release()`: the message is in Slack, and its sender never hears so."""
        self._stall[method] = after
        self._released.clear()

    def slow(self, method: str, *, seconds: float) -> None:
        """Answer every call of `method` only after `seconds`, as a Slack under load does."""
        self._slow[method] = seconds

    def release(self) -> None:
        self._stall.clear()
        self._released.set()

    def wait_out_retry_after(self) -> None:
        """Until every Retry-After answered so far has run out, and the second of jitter slack_sdk adds
        to it: a client that waits a 429 out has sent its retry by then."""
        while (left := self._retries_due_by - time.monotonic()) > 0:
            time.sleep(left)

    def _over_limit(self, method: str) -> int | None:
        """Seconds to wait if a call of `method` now would break its rate limit, else None."""
        if method not in self._limits:
            return None
        most, window, taken = self._limits[method]
        with self._changed:
            now = time.monotonic()
            while taken and taken[0] <= now - window:
                taken.popleft()
            if len(taken) < most:
                taken.append(now)
                return None
            return max(1, math.ceil(taken[0] + window - now))

    def _spent(self, method: str) -> int | None:
        until, retry_after = self._throttled_until.get(method, (0.0, 0))
        return retry_after if time.monotonic() < until else None

    def _trigger_expired(self, args: dict) -> bool:
        trigger = args.get("trigger_id")
        if not trigger:
            return False
        with self._changed:
            first = self._triggers.setdefault(trigger, time.monotonic())
        return time.monotonic() - first > TRIGGER_SECONDS

    def _history_throttled(self, method: str, token: str | None) -> int | None:
        """Outside the Marketplace, seconds until this workspace may read a history again, if it may not
        yet; else the call is taken (and counted)."""
        if not self.outside_marketplace or method not in ("conversations.history", "conversations.replies"):
            return None
        with self._changed:
            now, last = time.monotonic(), self._history_read.get(token)
            if last is not None and last <= now < last + self.HISTORY_EVERY:
                return max(1, math.ceil(last + self.HISTORY_EVERY - now))
            self._history_read[token] = now
        return None

    def _stalled(self, method: str) -> bool:
        after = self._stall.get(method)
        return after is not None and len(self.calls_to(method)) > after
