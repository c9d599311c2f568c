"""The Bolt app factory: one `create_app(settings)` for HTTP, Socket Mode and the tests."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from pulsebot import log_privacy, metrics
from pulsebot.clock import utc_now
from pulsebot.config import Settings
from pulsebot.services.pulse.answer_mixer import AnswerMixer
from pulsebot.services.pulse.open_runs import OpenRuns
from pulsebot.slack.acks_first import AckGate, AcksFirst
from pulsebot.slack.blocks import notice_view
from pulsebot.slack.directory import WorkspaceDirectory
from pulsebot.slack.installations import installed_workspaces
from pulsebot.slack.listeners import register_listeners
from pulsebot.slack.once import handle_once
from pulsebot.slack.outbox import SENDERS, Outbox
from pulsebot.slack.sender import OutboxSender, TeamOutboxes
from pulsebot.slack.text import without_controls
from pulsebot.slack.workspaces import (
    TRIGGERED,
    SingleWorkspace,
    Workspaces,
    request_team,
    respond_once,
    retry_handlers,
    settings_for,
)
from pulsebot.store.db import SessionFactory
from pulsebot.store.scoping import SINGLE_WORKSPACE, scoped_sessions

log = logging.getLogger(__name__)

# Bolt runs every listener on this many threads; with its default of 5 a crowd of clicks queued behind
# each other's after-ack work (saving, thanking) past Slack's 3 seconds. Enough for every listener of
# a crowd to reach its ack at once; the work after the acks waits for a quiet moment (acks_first.py).
LISTENER_THREADS = 256
WARMING = 10.0  # seconds at most to start the listener threads before serving


def warm_listeners(workers: int = LISTENER_THREADS) -> ThreadPoolExecutor:
    """Bolt's listener pool with every thread started now, for a serving process. A pool starts a thread
    the first time it has no idle one, so a burst of clicks on a fresh process started a thread per
    click, in the acks' path (37% of the interpreter's time in a burst of 200; docs/benchmarks.md).
    Tests keep the lazy pool: they create many apps."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="listener")
    started = threading.Barrier(workers + 1, timeout=WARMING)
    for _ in range(workers):  # each waits until all are running, so each submit starts a thread
        pool.submit(_wait_at, started)
    _wait_at(started)
    return pool


def _wait_at(barrier: threading.Barrier) -> None:
    # Too slow to start them all: the rest start when needed.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()


class _SameTokenTwice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself, then warns that the client's token (the
    same one) is used instead of it: a warning about nothing, at every start."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_SameTokenTwice())

SORRY = "Sorry, something went wrong on our side and nothing was saved. Please try again in a minute."
# Slack throttled the form's opening, or its trigger ran out while Slack was slow (slack/workspaces.py).
BUSY = "Slack is busy right now, so the form could not open. Please try again in a few seconds."


@dataclass(frozen=True)
class Deps:
    """What listeners need besides the Slack payload; reaches them as `context["deps"]`, made for the
    request's workspace: its sessions see that workspace's rows only (store/scoping.py)."""

    settings: Settings
    sessions: SessionFactory
    team_id: str = SINGLE_WORKSPACE
    clock: Callable[[], datetime] = field(default=utc_now)
    directory: WorkspaceDirectory = field(default_factory=WorkspaceDirectory)
    sender: OutboxSender | None = None  # posts pulses opened by a request, after its ack
    mixer: AnswerMixer | None = (
        None  # holds answers for their shuffled batch (services/pulse/answer_mixer.py)
    )
    # What a click reads about an open run, kept for the process and shared by its workspaces
    # (services/pulse/open_runs.py).
    open_runs: OpenRuns = field(default_factory=OpenRuns)

    @property
    def key(self) -> bytes:
        return self.settings.anon_key_bytes()


class DepsByTeam:
    """The Deps of each workspace, made on its first request and kept (its directory is a cache); its
    settings are looked at again now and then, as a workspace's admins change when someone reinstalls."""

    SETTINGS_FOR = 300.0  # seconds

    def __init__(self, base: Deps, workspaces: Workspaces) -> None:
        self.base, self.workspaces = base, workspaces
        self._by_team: dict[str, tuple[Deps, float]] = {}

    def for_request(self, team_id: str | None) -> Deps:
        team = request_team(self.workspaces, team_id)
        deps, made = self._by_team.get(team, (None, 0.0))
        if deps is None or time.monotonic() - made > self.SETTINGS_FOR:
            # Two first requests at once make two equal Deps: harmless.
            deps = replace(
                deps or self.base,
                settings=settings_for(self.base.settings, self.workspaces, team),
                team_id=team,
                sessions=deps.sessions if deps else scoped_sessions(self.base.sessions, team),
                directory=deps.directory if deps else WorkspaceDirectory(),
            )
            self._by_team[team] = deps, time.monotonic()
        return deps


def sorry(
    body: dict, *, acknowledged: bool, respond, client: WebClient, text: str = SORRY
) -> BoltResponse | None:
    """Tell the person, in the way this kind of request allows, that nothing was saved.

    Bolt passes a response only while the request is not yet acknowledged: then the reply itself
    carries the sentence, instead of Slack's own "dispatch_failed" or a closed form."""
    if body.get("type") == "view_submission":
        if not acknowledged:  # push a notice on top of the form, so the text typed into it survives
            return BoltResponse(status=200, body={"response_action": "push", "view": notice_view(text)})
        client.chat_postMessage(channel=body["user"]["id"], text=text)
        return None
    if not acknowledged and body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    elif acknowledged and body.get("type") == "block_actions":  # a click in App Home: no response URL
        client.chat_postMessage(channel=body["user"]["id"], text=text)
    return BoltResponse(status=200, body="") if not acknowledged else None


def form_not_opened(error: Exception) -> bool:
    """Did Slack refuse to open a modal for being busy, or for its trigger running out meanwhile?"""
    return (
        isinstance(error, SlackApiError)
        and error.response.get("error") in ("ratelimited", "expired_trigger_id")
        and str(error.response.api_url).rstrip("/").rsplit("/", 1)[-1] in TRIGGERED
    )


def make_client(settings: Settings) -> WebClient:
    """A Web API client on SLACK_API_URL with the retry handlers (pulse posts use their own client:
    slack/outbox.py). When serving several workspaces it has no token: Bolt copies it with each
    request's team's token, and the work outside requests asks InstalledWorkspaces for one per team."""
    return WebClient(
        token=None if settings.oauth else settings.require("slack_bot_token"),
        base_url=settings.slack_api_url,
        retry_handlers=retry_handlers(),
    )


def make_sender(
    settings: Settings,
    *,
    sessions: SessionFactory,
    client: WebClient | None = None,
    workspaces: Workspaces | None = None,
) -> OutboxSender:
    """The outbox sender of this process, paced at PULSEBOT_SEND_RATE in each workspace."""
    outboxes = make_outboxes(settings, sessions=sessions, client=client, workspaces=workspaces)
    return OutboxSender(outboxes, every=settings.sweep_seconds)


def make_outboxes(
    settings: Settings,
    *,
    sessions: SessionFactory,
    client: WebClient | None = None,
    workspaces: Workspaces | None = None,
) -> TeamOutboxes:
    """Each workspace's outbox, paced at PULSEBOT_SEND_RATE."""
    return TeamOutboxes(
        workspaces or SingleWorkspace(client),
        sessions,
        partial(
            Outbox,
            rate=settings.send_rate,
            claim_for=timedelta(seconds=settings.claim_seconds),
            workers=SENDERS,
            min_group=settings.min_group,
        ),
    )


def create_app(
    settings: Settings,
    *,
    sessions: SessionFactory,
    client: WebClient | None = None,
    workspaces: Workspaces | None = None,
    sender: OutboxSender | None = None,
    listener_executor: ThreadPoolExecutor | None = None,
    ack_gate: AckGate | None = None,
    mixer: AnswerMixer | None = None,
) -> App:
    settings.require_serving()
    log_privacy.install()  # whoever set up logging, Slack bodies at DEBUG never pair a person and a text
    socket_mode = settings.slack_app_token is not None
    client = client or make_client(settings)
    if workspaces is None:
        workspaces = (
            installed_workspaces(settings, _engine(sessions)) if settings.oauth else SingleWorkspace(client)
        )
    sender = sender or make_sender(settings, sessions=sessions, workspaces=workspaces)
    mixer = mixer or AnswerMixer(sessions, window=settings.mix_seconds)
    deps = DepsByTeam(Deps(settings=settings, sessions=sessions, sender=sender, mixer=mixer), workspaces)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else "",
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,  # `pulsebot run` checks the token itself and says so in one line
        listener_executor=listener_executor
        or ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
        **workspaces.app_options(),
    )
    workspaces.listen(app)

    @app.middleware
    def provide_deps(body: dict, context, next):
        # Listeners read this same dict, so cleaning it here cleans every text field for all of them.
        body.update(without_controls(body))
        context["deps"] = deps.for_request(context.team_id)
        return next()

    app.middleware(handle_once)  # a retried or replayed request is not handled twice
    app.middleware(respond_once)  # a reply Slack may have shown is not sent again

    @app.error
    def tell_the_person(error: Exception, body: dict, response: BoltResponse | None, respond, client, logger):
        # The person sees a plain sentence; the details go to the log, never into Slack.
        logger.exception("listener failed", exc_info=error)
        if isinstance(error, OperationalError):
            log.error("database unavailable: %s", error.orig)
            metrics.DATABASE_ERRORS.inc()
        text = BUSY if form_not_opened(error) else SORRY
        return sorry(body, acknowledged=response is None, respond=respond, client=client, text=text)

    register_listeners(AcksFirst(app, ack_gate or AckGate()))
    return app


def _engine(sessions: SessionFactory) -> Engine:
    with sessions() as session:
        return session.get_bind()
