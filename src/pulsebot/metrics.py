"""The numbers operators watch, in Prometheus' text format at GET /metrics on a listener of their own
(docs/operations.md, "Metrics"): on 127.0.0.1 by default, anywhere else only with PULSEBOT_METRICS_TOKEN,
which every scrape must then bear. The public Slack port has no /metrics.

Labels say what kind of thing happened, never to whom: no user id, team, survey name or text is ever a
label value, so a scrape cannot single anyone out. Nor does any series move with one answer: answer
clicks and forms are neither counted nor timed (see UNMETERED). The outbox's depth is read from the
database when scraped, so every replica reports the same shared backlog.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from pulsebot.clock import utc_now
from pulsebot.services.pulse.outbox import backlog
from pulsebot.store.db import SessionFactory

log = logging.getLogger(__name__)

# The garbage collector's counts step up with the objects one request allocates, as a request counter
# would; the process's memory, CPU time and open files are kept.
with contextlib.suppress(KeyError):  # already left out
    REGISTRY.unregister(GC_COLLECTOR)

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Interactive requests (block_actions, view_submission, view_closed) are counted and timed nowhere. Each
# answer click is one, and each comment one form: on a quiet install any series that counts them, even
# a total of every request, moves by one at the moment one person answered, and a scrape just before
# and after lines the step up with the click, for a pulse that may later be withheld entirely. Commands,
# events and option loads stay: they wait on the same threads, ack gate and database, so their ack time
# shows what an answer click's would, and none of them is an answer.
UNMETERED = frozenset({"action", "view"})

REQUESTS = Counter(
    "pulsebot_http_requests",
    "HTTP requests answered, by kind (command, event, options, shortcut, install, probe, other; never "
    "answer clicks or forms) and status code",
    ["kind", "status"],
)
ACK_SECONDS = Histogram(
    "pulsebot_ack_seconds",
    "Time from a Slack request reaching the app to its answer (the ack), by kind",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0),
)
MESSAGES_SENT = Counter("pulsebot_messages_sent", "Pulse messages the outbox posted to Slack")
SEND_FAILURES = Counter(
    "pulsebot_send_failures", "Outbox posts that did not go through, by outcome", ["outcome"]
)
RATE_LIMITED = Counter("pulsebot_slack_rate_limited", "429 answers from Slack, each waited out and retried")
SCHEDULER_LEADER = Gauge("pulsebot_scheduler_leader", "1 while this process runs the scheduler")
JOB_RUNS = Counter("pulsebot_job_runs", "Scheduler job runs, by job and outcome", ["job", "outcome"])
DATABASE_ERRORS = Counter(
    "pulsebot_database_errors", "Requests or jobs that failed because the database could not be used"
)

SLACK_KINDS = {
    "block_actions": "action",
    "interactive_message": "action",
    "view_submission": "view",
    "view_closed": "view",
    "event_callback": "event",
    "url_verification": "event",
    "block_suggestion": "options",
    "shortcut": "shortcut",
    "message_action": "shortcut",
}


def slack_kind(body: dict) -> str:
    """What kind of Slack request a parsed body is, as a label value."""
    if body.get("command"):
        return "command"
    return SLACK_KINDS.get(str(body.get("type")), "other")


def job_label(job_id: str) -> str:
    """A job id without the survey or workspace in it (`pulse-open:acme/team` is `pulse-open`)."""
    return job_id.split(":", 1)[0]


class OutboxBacklog(Collector):
    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "pulsebot_outbox_waiting", "Pulse messages due and not yet in Slack (all workspaces)"
        )
        age = GaugeMetricFamily(
            "pulsebot_outbox_oldest_age_seconds", "How long the oldest of them has been due (0: none)"
        )
        now = utc_now()
        try:
            with self.sessions() as session:
                found = backlog(session, now=now)
        except SQLAlchemyError as error:
            log.warning("outbox metrics not read: %s", error)
            DATABASE_ERRORS.inc()
            return
        depth.add_metric([], found.waiting)
        age.add_metric([], (now - found.oldest_due).total_seconds() if found.oldest_due else 0.0)
        yield depth
        yield age


_watched: OutboxBacklog | None = None


def watch_outbox(sessions: SessionFactory, registry: CollectorRegistry = REGISTRY) -> None:
    """Report the outbox of this database at each scrape (once per process: `pulsebot run` calls it)."""
    global _watched
    if _watched is not None:
        registry.unregister(_watched)
    _watched = OutboxBacklog(sessions)
    registry.register(_watched)


def unwatch_outbox(registry: CollectorRegistry = REGISTRY) -> None:
    global _watched
    if _watched is not None:
        registry.unregister(_watched)
        _watched = None


def exposition(registry: CollectorRegistry = REGISTRY) -> bytes:
    return generate_latest(registry)


def metrics_app(*, token: str | None = None, registry: CollectorRegistry = REGISTRY) -> Callable:
    """The metrics listener's WSGI application: GET /metrics, with `Authorization: Bearer <token>` when a
    token is set (401 without it); every other path is 404."""
    expected = f"Bearer {token}".encode() if token else None

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, "404 Not Found", b"not found\n")
        given = environ.get("HTTP_AUTHORIZATION", "").encode()
        if expected is not None and not hmac.compare_digest(given, expected):
            return _answer(
                start_response,
                "401 Unauthorized",
                b"a bearer token is required\n",
                [("WWW-Authenticate", 'Bearer realm="pulsebot metrics"')],
            )
        return _answer(start_response, "200 OK", exposition(registry), content_type=CONTENT_TYPE)

    return application


def _answer(
    start_response: Callable,
    status: str,
    body: bytes,
    headers: list[tuple[str, str]] | None = None,
    *,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    start_response(
        status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *(headers or [])]
    )
    return [body]
