"""APScheduler wiring: open pulse runs on their surveys' cron, send due DMs and reminders, close runs.

Jobs live in memory (APScheduler's MemoryJobStore) and are built from the database's own rows, the
surveys and their runs, whenever a process takes the scheduler over (`start()`): nothing of them is
stored, so nothing is ever unpickled from the database (a row there cannot make this process run
code). A run that fell due while no scheduler ran still opens when one starts within `OPEN_GRACE` of
it: `start()` looks for the latest fire time of each survey in that window and, if no run was opened
for it, runs that survey's job at once. Every job is a module-level function given by its textual
reference (`pulsebot.scheduling:…`) with plain arguments; it reaches Slack and the database through
the `Runtime` that `start()` installs. Jobs stay thin: they call services and slack/ functions.

Job ids are stable: `pulse-open:SURVEY` per active scheduled survey, and sweeps that run every minute
(PULSEBOT_SWEEP_SECONDS): `pulse-remind`, `pulse-close` (which also sends drop alerts for the runs it
closes), `pulse-sync` (which brings the `pulse-open:*` jobs in line with the surveys after an edit, a
pause or a resume), `seen-cleanup`, `reply-relay` (which delivers the anonymous replies whose delay is
over), `idea-notices` (which tells Slack of the ideas moved on the web dashboard: their cards, their
authors, slack/idea_notices.py), `action-notices` (which tells a team's channel of its posted
actions changed on the dashboard and redraws their posts, slack/action_notices.py), `action-helping`
(which asks "Is this helping?" on shared actions and closes those rounds, services/loop/helping.py),
`you-said-we-did` (each team's monthly post of what was done),
`action-reminders` (an action's owner hears three days before it is due and on the day),
`results-share` (which posts the last complete week of each `share_results: auto` survey to its
channel once its digest time has passed, slack/sharing.py), `answer-keys` (which destroys the
answer-key material of runs closed more than PULSEBOT_REPLY_WINDOW_DAYS ago,
services/pulse/answer_keys.py) and `directory-read` (which reads a workspace's people in full from
users.list when its directory is a day old, or was never read, slack/workspace_people.py),
`webhook-deliveries` (which POSTs the webhooks' signed events and retries them with backoff,
services/api/webhook_sender.py) and `channel-read` (which reads again the members of each survey
channel whose last read is a day old, slack/channel_members.py);
`onboarding` runs hourly at 7 minutes past: it owes new joiners their day-30, -60 and -90 pulses,
DMs those due and the exit survey of whoever's last day it is, and releases each cohort whose last
pulse is over (slack/onboarding.py); `digest-send` runs every five minutes and sends each manager their
weekly digest once their own
Monday 09:00 has come; `retention` runs daily at 03:17 UTC and removes what is older than
PULSEBOT_RETENTION_DAYS (services/privacy/retention.py), in every workspace. The outbox is not a job:
every process drains it with its own sender (slack/sender.py), and only one process runs this scheduler
(leadership.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_SHUTDOWN,
    JobExecutionEvent,
)
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from pulsebot import metrics
from pulsebot.clock import utc_now
from pulsebot.config import Settings
from pulsebot.services.api import webhook_sender
from pulsebot.services.errors import Refusal
from pulsebot.services.privacy import retention, seen
from pulsebot.services.pulse import answer_keys
from pulsebot.services.survey.schedules import latest_fire_time, open_trigger
from pulsebot.services.survey.surveys import active_schedule, active_schedules, run_opened_for
from pulsebot.slack import (
    action_notices,
    action_plans,
    digest,
    helping,
    idea_notices,
    onboarding,
    outbox,
    relay,
    sharing,
    you_said,
)
from pulsebot.slack.app import Deps
from pulsebot.slack.channel_members import reconcile_survey_channels
from pulsebot.slack.directory import WorkspaceDirectory, retoken_legacy_ideas
from pulsebot.slack.publish import open_run, refresh_idea_card, send_pulse
from pulsebot.slack.sender import OutboxSender
from pulsebot.slack.workspace_people import read_directory
from pulsebot.slack.workspaces import SingleWorkspace, Workspaces, settings_for
from pulsebot.store.db import SessionFactory, engine_of, scrub, transaction
from pulsebot.store.scoping import SINGLE_WORKSPACE, scoped_sessions

log = logging.getLogger(__name__)

OPEN_JOB_PREFIX = "pulse-open:"
OPEN_FUNC = "pulsebot.scheduling:open_scheduled_run"
SWEEPS = {
    "pulse-remind": "pulsebot.scheduling:send_due_reminders",
    "pulse-close": "pulsebot.scheduling:close_due_runs",
    "pulse-sync": "pulsebot.scheduling:sync_survey_jobs",
    "seen-cleanup": "pulsebot.scheduling:forget_seen_requests",
    "reply-relay": "pulsebot.scheduling:relay_replies",
    "idea-notices": "pulsebot.scheduling:tell_idea_notices",
    "action-notices": "pulsebot.scheduling:tell_action_notices",
    "answer-keys": "pulsebot.scheduling:rotate_answer_keys",
    "action-helping": "pulsebot.scheduling:ask_if_actions_help",
    "you-said-we-did": "pulsebot.scheduling:post_you_said_we_did",
    "action-reminders": "pulsebot.scheduling:remind_action_owners",
    "results-share": "pulsebot.scheduling:share_results_automatically",
    "directory-read": "pulsebot.scheduling:read_directories",
    "webhook-deliveries": "pulsebot.scheduling:send_webhooks",
    "channel-read": "pulsebot.scheduling:read_survey_channels",
}
SWEEP_EVERY = timedelta(minutes=1)
# A destroyed answer key must not stay readable in a table whose rewrite had to wait: try a few times.
SCRUB_ATTEMPTS = 3
DIGEST_JOB = "digest-send"
# Digests go out at the first pass after each manager's local digest time; five minutes late is fine,
# and each pass looks up the time zones of the managers still waiting for this week's digest.
DIGEST_EVERY = timedelta(minutes=5)
ONBOARDING_JOB = "onboarding"
# Onboarding pulses and exit surveys are due on a day, not a minute: a pass at a fixed minute of every
# hour (kept across restarts, unlike an interval) sends them early on the day they fall due.
ONBOARDING_TRIGGER = CronTrigger(minute=7, timezone=UTC)
RETENTION_JOB = "retention"
# Daily, at a quiet hour for most of the world; a fixed time of day, so re-registering it at every start
# keeps its next run time (an interval would start counting again from each restart).
RETENTION_TRIGGER = CronTrigger(hour=3, minute=17, timezone=UTC)
# A run that fell due while pulsebot was stopped still opens when it comes back within this time.
OPEN_GRACE = timedelta(hours=12)
# A sweep that could not run on time runs once when it can (coalesce): it catches up on everything.
SWEEP_GRACE = timedelta(minutes=10)


@dataclass(frozen=True)
class Runtime:
    """What the jobs reach Slack and the database through (never pickled into the job store)."""

    sessions: SessionFactory
    client: WebClient | None = None  # the one workspace's; or, for several, `workspaces`
    settings: Settings | None = None  # digests and drop alerts need it; without it they are skipped
    scheduler: BackgroundScheduler | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    sender: OutboxSender | None = None  # posts opened runs; without one, a job posts them itself
    workspaces: Workspaces | None = None
    # Finds an anonymous idea's author; one cache per workspace.
    directories: dict[str, WorkspaceDirectory] = field(default_factory=dict)

    def served(self) -> Workspaces:
        return self.workspaces or SingleWorkspace(self.client)

    def each_workspace(self) -> Iterator[tuple[str, WebClient, SessionFactory]]:
        """Each served workspace: its team id, its client, and sessions that see it only."""
        workspaces = self.served()
        for team_id in workspaces.team_ids():
            try:
                client = workspaces.client_for(team_id)
            except LookupError:  # uninstalled since it was listed
                continue
            yield team_id, client, scoped_sessions(self.sessions, team_id)

    def directory_for(self, team_id: str) -> WorkspaceDirectory:
        return self.directories.setdefault(team_id, WorkspaceDirectory())


_runtime: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


class PulseScheduler(BackgroundScheduler):
    def _process_jobs(self):
        # APScheduler 3's loop makes one more pass after shutdown() has stopped the executors: a job
        # due at that moment would fail to start yet have its next run time advanced, i.e. be dropped.
        # Left alone, it stays due in the job store and runs when pulsebot starts again.
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


def create_scheduler() -> BackgroundScheduler:
    return PulseScheduler(
        jobstores={"default": MemoryJobStore()},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(SWEEP_GRACE.total_seconds()),
        },
        timezone=UTC,
    )


def start(
    *,
    sessions: SessionFactory,
    client: WebClient | None = None,
    workspaces: Workspaces | None = None,
    settings: Settings | None = None,
    sender: OutboxSender | None = None,
    every: timedelta = SWEEP_EVERY,
) -> BackgroundScheduler:
    """Start the scheduler with pulsebot's jobs, built from the surveys (catching up on missed runs)."""
    scheduler = create_scheduler()
    runtime = Runtime(
        client=client,
        workspaces=workspaces,
        sessions=sessions,
        settings=settings,
        scheduler=scheduler,
        sender=sender,
    )
    install(runtime)
    scheduler.add_listener(_count_job_run, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    scheduler.add_listener(lambda _: metrics.SCHEDULER_LEADER.set(0), EVENT_SCHEDULER_SHUTDOWN)
    scheduler.start()
    metrics.SCHEDULER_LEADER.set(1)
    register_jobs(scheduler, sessions, every=every, workspaces=runtime.served())
    return scheduler


def _count_job_run(event: JobExecutionEvent) -> None:
    outcome = {EVENT_JOB_EXECUTED: "ok", EVENT_JOB_ERROR: "failed", EVENT_JOB_MISSED: "missed"}[event.code]
    metrics.JOB_RUNS.labels(metrics.job_label(event.job_id), outcome).inc()
    if isinstance(event.exception, SQLAlchemyError):
        metrics.DATABASE_ERRORS.inc()


def register_jobs(
    scheduler: BackgroundScheduler,
    sessions: SessionFactory,
    *,
    every: timedelta = SWEEP_EVERY,
    workspaces: Workspaces | None = None,
) -> None:
    intervals = {**dict.fromkeys(SWEEPS, every), DIGEST_JOB: DIGEST_EVERY}
    for job_id, func in {**SWEEPS, DIGEST_JOB: "pulsebot.scheduling:send_scheduled_digests"}.items():
        scheduler.add_job(
            func,
            IntervalTrigger(seconds=int(intervals[job_id].total_seconds()), timezone=UTC),
            id=job_id,
            name=job_id,
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=int(SWEEP_GRACE.total_seconds()),
            max_instances=1,
        )
    scheduler.add_job(
        "pulsebot.scheduling:purge_old_data",
        RETENTION_TRIGGER,
        id=RETENTION_JOB,
        name=RETENTION_JOB,
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=int(OPEN_GRACE.total_seconds()),  # a day missed in a restart still runs
        max_instances=1,
    )
    scheduler.add_job(
        "pulsebot.scheduling:send_onboarding_pulses",
        ONBOARDING_TRIGGER,
        id=ONBOARDING_JOB,
        name=ONBOARDING_JOB,
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=int(OPEN_GRACE.total_seconds()),
        max_instances=1,
    )
    team_ids = workspaces.team_ids() if workspaces else [SINGLE_WORKSPACE]
    sync_jobs(scheduler, sessions, team_ids=team_ids, catch_up=True)


def open_job_id(team_id: str, survey_name: str) -> str:
    # The one workspace's jobs keep the ids they had before pulsebot served several.
    return OPEN_JOB_PREFIX + (f"{team_id}/{survey_name}" if team_id else survey_name)


def sync_jobs(
    scheduler: BackgroundScheduler,
    sessions: SessionFactory,
    *,
    team_ids: Sequence[str] = (SINGLE_WORKSPACE,),
    catch_up: bool = False,
) -> dict[str, str]:
    """Make the `pulse-open:*` jobs match the active scheduled surveys of the served workspaces;
    return what changed.

    A job whose trigger is unchanged is left alone: replacing it would recompute its next run time
    from now and so drop a run that is due. With `catch_up` (a scheduler just started), a job added
    for a survey whose latest fire time within OPEN_GRACE has no run yet runs at once.
    """
    wanted = {}
    for team_id in team_ids:
        with transaction(scoped_sessions(sessions, team_id)) as session:
            wanted |= {open_job_id(team_id, s.name): (team_id, s) for s in active_schedules(session)}
    existing = {job.id: job for job in scheduler.get_jobs() if job.id.startswith(OPEN_JOB_PREFIX)}
    changes: dict[str, str] = {}
    for job_id in existing.keys() - wanted.keys():
        scheduler.remove_job(job_id)
        changes[job_id] = "removed"
    for job_id, (team_id, schedule) in wanted.items():
        trigger = open_trigger(
            schedule=schedule.schedule,
            timezone=schedule.timezone,
            per_person_local_time=schedule.per_person_local_time,
        )
        current = existing.get(job_id)
        if current is not None and repr(current.trigger) == repr(trigger):
            continue
        missed = catch_up and current is None and _missed_fire(sessions, team_id, schedule.name, trigger)
        scheduler.add_job(
            OPEN_FUNC,
            trigger,
            **({"next_run_time": utc_now()} if missed else {}),
            args=[schedule.name, team_id] if team_id else [schedule.name],
            id=job_id,
            name=f"open a run of {schedule.name}",
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=int(OPEN_GRACE.total_seconds()),
            max_instances=1,
        )
        changes[job_id] = "added" if current is None else "rescheduled"
    if changes:
        log.info(
            "survey jobs: %s", ", ".join(f"{job_id} {change}" for job_id, change in sorted(changes.items()))
        )
    return changes


def _missed_fire(sessions: SessionFactory, team_id: str, survey_name: str, trigger) -> bool:
    """Did the survey fall due within OPEN_GRACE with no run opened for it (no scheduler running)?"""
    fire = latest_fire_time(trigger, now=utc_now(), lookback=OPEN_GRACE)
    if fire is None:
        return False
    with transaction(scoped_sessions(sessions, team_id)) as session:
        return not run_opened_for(session, name=survey_name, scheduled_for=fire)


# --- the jobs ----------------------------------------------------------------------------------------


def _current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("pulsebot.scheduling.install() was not called in this process")
    return _runtime


def open_scheduled_run(survey_name: str, team_id: str = SINGLE_WORKSPACE) -> None:
    """Open a run of the survey for the fire time just passed, unless it was paused meanwhile."""
    runtime = _current()
    now = runtime.clock()
    if team_id not in (served := runtime.served()).team_ids():
        log.info("not opening %s: its workspace %s is not served (uninstalled?)", survey_name, team_id)
        return
    client, sessions = served.client_for(team_id), scoped_sessions(runtime.sessions, team_id)
    with transaction(sessions) as session:
        schedule = active_schedule(session, name=survey_name)
    if schedule is None:
        log.info("not opening %s: it is paused, has no schedule or is gone", survey_name)
        return
    if runtime.settings is None:  # who may see the team's results, and so who is left out, is unknown
        log.warning("not opening %s: no settings to tell who can see its results", survey_name)
        return
    settings = settings_for(runtime.settings, served, team_id)
    trigger = open_trigger(
        schedule=schedule.schedule,
        timezone=schedule.timezone,
        per_person_local_time=schedule.per_person_local_time,
    )
    # Late (after a restart)? The run is still for the time it was due, e.g. for per-person times.
    scheduled_for = latest_fire_time(trigger, now=now, lookback=OPEN_GRACE) or now
    try:
        if runtime.sender is not None:
            run = open_run(
                client,
                sessions,
                settings=settings,
                survey_name=survey_name,
                now=now,
                scheduled_for=scheduled_for,
            )
            runtime.sender.wake()
        else:
            run = send_pulse(
                client,
                sessions,
                settings=settings,
                survey_name=survey_name,
                now=now,
                scheduled_for=scheduled_for,
            )
    except Refusal as refusal:
        log.warning("not opening %s: %s", survey_name, refusal.message)
        return
    log.info("opened run %d of %s for %d people", run.run_id, survey_name, run.audience)


def deliver_due_pulses() -> None:
    """Post what is due in the outbox, in this thread (what each process's sender does)."""
    runtime = _current()
    for _, client, sessions in runtime.each_workspace():
        if sent := outbox.deliver_due(
            client, sessions, clock=runtime.clock, min_group=runtime.settings and runtime.settings.min_group
        ):
            log.info("sent %d pulse DMs", sent)


def send_due_reminders() -> None:
    runtime = _current()
    if runtime.settings is None:
        return
    key = runtime.settings.anon_key_bytes()
    for team_id, client, sessions in runtime.each_workspace():
        settings = settings_for(runtime.settings, runtime.served(), team_id)
        # Which runs' reminder time passed, never how many were reminded: that is how many had not
        # answered a run still open.
        if runs := outbox.send_reminders(client, sessions, settings=settings, now=runtime.clock(), key=key):
            log.info(
                "reminder time of run %s: whoever had not answered was reminded", ", ".join(map(str, runs))
            )


def rotate_answer_keys() -> None:
    """Key runs from before per-run keys, and destroy the keys of runs whose reply window is over."""
    runtime = _current()
    if runtime.settings is None:
        return
    now, window = runtime.clock(), timedelta(days=runtime.settings.reply_window_days)
    keyed = destroyed = 0
    for _, _, sessions in runtime.each_workspace():
        with transaction(sessions) as session:
            keyed += answer_keys.key_legacy_runs(
                session, key=runtime.settings.anon_key_bytes(), now=now, window=window
            )
            destroyed += answer_keys.destroy_expired(session, now=now, window=window)
    if keyed or destroyed:
        # A destroyed key, who was in which cell of its run, or an old token re-keyed, must not live on in
        # a dead tuple or the log.
        tables = ["run_secret", "run_member", *(["answer", "conversation"] if keyed else [])]
        for _attempt in range(SCRUB_ATTEMPTS):
            if scrub(engine_of(runtime.sessions), tables, rewrite=True):
                break
            time.sleep(1)
        log.info("answer keys: %d runs keyed, %d unlinked", keyed, destroyed)


def ask_if_actions_help() -> None:
    """Open a round of "Is this helping?" on shared actions that started or are done; close rounds due."""
    runtime = _current()
    if runtime.settings is None:
        return
    now, min_group = runtime.clock(), runtime.settings.min_group
    for team_id, client, sessions in runtime.each_workspace():
        settings = settings_for(runtime.settings, runtime.served(), team_id)
        opened = helping.open_rounds(client, sessions, now=now, min_group=min_group)
        closed = helping.close_rounds(client, sessions, settings=settings, now=now)
        if opened or closed:
            log.info("'Is this helping?': %d rounds opened, %d closed", opened, closed)


def post_you_said_we_did() -> None:
    """On the 1st, at the digest time in each team's time zone: last month's "You said, we did"."""
    runtime = _current()
    if runtime.settings is None:
        return
    for _, client, sessions in runtime.each_workspace():
        posted = you_said.post_month_summaries(
            client, sessions, now=runtime.clock(), post_time=runtime.settings.digest_time
        )
        if posted:
            log.info("'You said, we did' posted to %d teams", posted)


def close_due_runs() -> None:
    runtime = _current()
    if runtime.settings is None:  # who can see a team's results, which a run's minimum counts, is unknown
        return
    now = runtime.clock()
    for team_id, client, sessions in runtime.each_workspace():
        settings = settings_for(runtime.settings, runtime.served(), team_id)
        if closed := outbox.close_runs(client, sessions, settings=settings, now=now):
            log.info("closed runs %s", ", ".join(map(str, closed)))
        for run_id in closed:  # a sharp drop is worth telling the managers now, not on Monday
            digest.drop_alerts_for_run(client, sessions, runtime.settings, run_id=run_id, now=now)


def send_scheduled_digests() -> None:
    runtime = _current()
    if runtime.settings is None:
        return
    for team_id, client, sessions in runtime.each_workspace():
        settings = settings_for(runtime.settings, runtime.served(), team_id)  # its own admins get the org's
        if sent := digest.send_weekly_digests(client, sessions, settings, runtime.clock()):
            log.info("sent %d weekly digests", len(sent))


def share_results_automatically() -> None:
    runtime = _current()
    if runtime.settings is None:
        return
    for team_id, client, sessions in runtime.each_workspace():
        settings = settings_for(runtime.settings, runtime.served(), team_id)
        if shared := sharing.share_due_weeks(client, sessions, settings, runtime.clock()):
            log.info("shared the week's results of %s with their teams", ", ".join(shared))


def forget_seen_requests() -> None:
    runtime = _current()
    with transaction(runtime.sessions) as session:
        seen.forget_before(session, before=runtime.clock() - seen.KEEP_FOR)


def relay_replies() -> None:
    runtime = _current()
    if runtime.settings is None:
        return
    for team_id, client, sessions in runtime.each_workspace():
        if sent := relay.relay_due(
            client,
            sessions,
            key=runtime.settings.anon_key_bytes(),
            directory=runtime.directory_for(team_id),
            now=runtime.clock(),
            claim_for=timedelta(seconds=runtime.settings.claim_seconds),
        ):
            log.info("relayed %d anonymous replies", sent)


def tell_idea_notices() -> None:
    for client, deps in _workspaces_with_deps():
        if told := idea_notices.tell_idea_notices(client, deps):
            log.info("told Slack of %d ideas changed on the dashboard", told)


def tell_action_notices() -> None:
    for client, deps in _workspaces_with_deps():
        if told := action_notices.tell_action_notices(client, deps):
            log.info("told Slack of %d posted actions changed on the dashboard", told)


def _workspaces_with_deps():
    """Each served workspace's client and the Deps its Slack code takes, as a request would have them;
    none without settings."""
    runtime = _current()
    if runtime.settings is None:
        return
    for team_id, client, sessions in runtime.each_workspace():
        yield (
            client,
            Deps(
                settings=settings_for(runtime.settings, runtime.served(), team_id),
                sessions=sessions,
                team_id=team_id,
                clock=runtime.clock,
                directory=runtime.directory_for(team_id),
            ),
        )


def send_webhooks() -> None:
    """POST each webhook delivery that is due, in every served workspace; a failed one waits longer each
    time (services/api/webhooks.py)."""
    runtime = _current()
    if runtime.settings is None or runtime.settings.anon_key is None:  # no key, no signing secret
        return
    for _, _, sessions in runtime.each_workspace():
        delivered, failed = webhook_sender.send_due(
            sessions, key=runtime.settings.anon_key_bytes(), clock=runtime.clock
        )
        if delivered or failed:
            log.info("webhooks: %d delivered, %d to try again", delivered, failed)


def purge_old_data() -> None:
    runtime = _current()
    if runtime.settings is None:
        return
    outcome = retention.run_retention(
        runtime.sessions,
        days=runtime.settings.retention_days,
        min_group=runtime.settings.min_group,
        now=runtime.clock(),
    )
    log.info("retention: %s", outcome.describe(runtime.settings.retention_days))
    for team_id, client, sessions in runtime.each_workspace():
        # Ideas stored before per-idea author tokens get theirs (a no-op once there are none left).
        try:
            claimed, orphaned = retoken_legacy_ideas(client, sessions, key=runtime.settings.anon_key_bytes())
        except SlackApiError as error:  # the people could not be read: the next night tries again
            log.warning("old idea tokens not moved yet: %s", error.response.get("error"))
        else:
            if claimed or orphaned:
                log.info("ideas re-tokened: %d for their authors, %d whose authors left", claimed, orphaned)
        for idea_id in outcome.emptied_ideas.get(team_id, ()):
            try:
                refresh_idea_card(client, sessions, idea_id=idea_id)
            except SlackApiError as error:  # the card was deleted, or the channel archived: nothing to redraw
                log.warning("idea #%s card not redrawn: %s", idea_id, error.response.get("error"))


def send_onboarding_pulses() -> None:
    runtime = _current()
    if runtime.settings is None:  # a cohort's release needs the minimum group
        return
    for team_id, client, sessions in runtime.each_workspace():
        settings = settings_for(runtime.settings, runtime.served(), team_id)
        sent, released = onboarding.onboarding_pass(
            client, sessions, now=runtime.clock(), min_group=settings.min_group, pulses=settings.onboarding
        )
        if sent or released:
            log.info("onboarding: %d DMs sent, cohorts released: %s", sent, ", ".join(released) or "none")


def read_directories() -> None:
    """Read each workspace's people in full when its directory is due (a day old, never read, or a read
    cut off, which goes on from its last page); Slack's events keep it current in between."""
    runtime = _current()
    for _, client, sessions in runtime.each_workspace():
        try:
            read_directory(client, sessions, now=runtime.clock())
        except SlackApiError as error:  # the read goes on from its last stored page at the next pass
            log.warning("directory read paused: %s", error.response.get("error"))


def read_survey_channels() -> None:
    """Read again each survey channel whose members' last full read is a day old (a read cut off goes on
    from its last page); Slack's channel events keep the members current in between."""
    runtime = _current()
    for _, client, sessions in runtime.each_workspace():
        try:
            reconcile_survey_channels(client, sessions, now=runtime.clock())
        except SlackApiError as error:  # the read goes on from its last stored page at the next pass
            log.warning("channel read paused: %s", error.response.get("error"))


def remind_action_owners() -> None:
    """DM the owners of actions due in three days or today (services/loop/action_reminders.py)."""
    runtime = _current()
    for _, client, sessions in runtime.each_workspace():
        if sent := action_plans.remind_action_owners(client, sessions, now=runtime.clock()):
            log.info("sent %d action reminders", sent)


def sync_survey_jobs() -> None:
    runtime = _current()
    if runtime.scheduler is not None:
        sync_jobs(runtime.scheduler, runtime.sessions, team_ids=runtime.served().team_ids())
