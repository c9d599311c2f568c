"""The numbers operators watch, in Prometheus' text format at GET /metrics (README, "Metrics").

Labels say what kind of thing happened, never to whom: no user id, team, survey name or text is ever a
label value, so a scrape cannot single anyone out. The outbox's depth is read from the database when
scraped, so every replica reports the same shared backlog.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
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

CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "pulsebot_http_requests",
    "HTTP requests answered, by kind (command, action, view, event, options, shortcut, install, probe, "
    "other) and status code",
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
