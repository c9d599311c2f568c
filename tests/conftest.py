"""Fixtures: a database per test (SQLite always, PostgreSQL when PULSEBOT_TEST_DATABASE_URL is set),
the fake Slack Web API, and the real Bolt app served over HTTP."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime

import freezegun
import pytest
from freezegun import freeze_time
from hypothesis import settings as hypothesis_settings
from slack_sdk import WebClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from pulsebot import scheduling
from pulsebot.cli.common import why_unreachable
from pulsebot.config import Settings
from pulsebot.services.pulse.answer_mixer import AnswerMixer
from pulsebot.slack.acks_first import AckGate
from pulsebot.slack.app import LISTENER_THREADS, create_app, make_sender
from pulsebot.slack.sender import OutboxSender
from pulsebot.slack.server import HttpLimits, HttpServer, Readiness, wsgi_app
from pulsebot.slack.workspace_people import forget_locale_pacers
from pulsebot.store import migrate
from pulsebot.store.db import SessionFactory, database_reachable, make_engine, session_factory
from tests.crowd import CROWD, CROWD_CHANNEL, CROWD_SURVEY, Crowd
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequests

# The database named by PULSEBOT_TEST_DATABASE_URL; a pytest-xdist worker uses one of its own beside it
# (`test_gw0` next to `test`), created when the worker starts: PG_URL is this process's (pytest_configure).
BASE_PG_URL = os.environ.get("PULSEBOT_TEST_DATABASE_URL")

# Speed is measured in benchmarks/, never in a test: on a busy machine (or under the date check's
# libfaketime) a property's example must not fail for the time it took.
hypothesis_settings.register_profile("pulsebot", deadline=None)
hypothesis_settings.load_profile("pulsebot")
PG_URL = BASE_PG_URL
# For a `pulsebot` started as a process from another folder: the same code as the tests import.
CHILD_PYTHONPATH = os.pathsep.join(
    os.path.abspath(path) for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path
)


# Where the clock of a test marked `clock` starts: a Wednesday in mid-June, days from the edge of a week
# or a month and months from a daylight-saving change.
PINNED_NOW = datetime(2027, 6, 16, 10, 0, tzinfo=UTC)
SIGNING_SECRET = "test-signing-secret"
ANON_KEY = "test-anonymity-key-0123456789abcdef"
IDEAS_CHANNEL = "C0IDEAS"
PULSE_CHANNEL = "G0PULSE"
ADMIN = "U0ADMIN"
MANAGER = "U0MANAGER"
TEAM = ["U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "U0ERIN"]

DATABASES = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")),
]


if "FAKETIME" in os.environ:
    # The date check (.ci/dates) runs the tests under libfaketime with the real monotonic clock, and there
    # libfaketime's clock_nanosleep refuses the absolute monotonic deadline time.sleep hands it (EINVAL).
    # A timed wait on a lock measures the same seconds without clock_nanosleep.
    def _sleep_on_a_lock(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        lock = threading.Lock()
        lock.acquire()
        lock.acquire(timeout=seconds)

    time.sleep = _sleep_on_a_lock


# pytest times each test with its own copies of the clock functions (_pytest.timing): freezegun leaves
# them alone, or --durations would time a test on a frozen clock (decades, or nothing).
freezegun.configure(extend_ignore_list=["_pytest.timing"])


def pytest_report_header() -> str:
    if PG_URL:
        return "databases: SQLite and PostgreSQL (PULSEBOT_TEST_DATABASE_URL; one database per worker)"
    return "databases: SQLite only; set PULSEBOT_TEST_DATABASE_URL to run the PostgreSQL cases too"


def pytest_configure(config) -> None:
    global PG_URL
    worker = _worker(config)
    if BASE_PG_URL and worker:
        base = make_url(BASE_PG_URL)
        PG_URL = base.set(database=f"{base.database}_{worker}").render_as_string(hide_password=False)


def _worker(config) -> str | None:
    """This process's name among pytest-xdist's workers (gw0, gw1, …); None when it runs the tests alone.
    Read from the config, not from PYTEST_XDIST_WORKER: a pytest a test starts inherits that variable."""
    return getattr(config, "workerinput", {}).get("workerid")


def pytest_sessionstart(session) -> None:
    """Every PostgreSQL case would fail with the same traceback: one line says why, once, before any."""
    if not BASE_PG_URL:
        return
    engine = make_engine(BASE_PG_URL)
    if not database_reachable(engine):
        pytest.exit(f"pulsebot: {why_unreachable(engine, 'PULSEBOT_TEST_DATABASE_URL')}", returncode=4)
    parallel = getattr(session.config.option, "dist", "no") != "no"  # about to start workers
    if parallel and _worker(session.config) is None and not _may_create_databases(engine):
        user, name = engine.url.username, engine.url.database
        pytest.exit(
            f"pulsebot: {user} may not create databases, and each parallel worker needs one beside {name} "
            f"(PULSEBOT_TEST_DATABASE_URL): ALTER ROLE {user} CREATEDB, or run the tests in one process "
            "with -n 0",
            returncode=4,
        )
    if PG_URL != BASE_PG_URL:
        _create_database(engine, make_url(PG_URL).database)
    engine.dispose()


def pytest_sessionfinish(session) -> None:
    """A worker's own database goes with it; one left by a run that was killed is reused by the next."""
    if PG_URL == BASE_PG_URL:
        return
    engine = make_engine(BASE_PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(PG_URL).database}" WITH (FORCE)')
    engine.dispose()


def _may_create_databases(engine: Engine) -> bool:
    with engine.connect() as connection:
        role = "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        return bool(connection.execute(text(role)).scalar())


def _create_database(engine: Engine, name: str) -> None:
    with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if exists.first() is None:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')


@pytest.fixture(autouse=True)
def fresh_locale_pacers() -> Iterator[None]:
    """users.info's pacers live as long as the process: one a frozen clock set far ahead must not hold
    back the next test's team_join."""
    forget_locale_pacers()
    yield
    forget_locale_pacers()


@pytest.fixture(autouse=True)
def pinned_clock(request) -> Iterator[None]:
    """A test marked `clock` runs from PINNED_NOW, whatever today is: freezegun moves every clock pulsebot,
    the fake Slack and the signed requests read, from its fixtures' set-up to their teardown, ticking from
    there so that timeouts still run out."""
    if request.node.get_closest_marker("clock") is None:
        yield
        return
    if "engine" in request.fixturenames:
        # The database first, on the real clock: psycopg's C module, imported with the first PostgreSQL
        # engine, would otherwise keep freezegun's date class as its own for the rest of the run.
        request.getfixturevalue("engine")
    with freeze_time(PINNED_NOW, tick=True):
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """One migrated SQLite file; each test gets a copy, so every test starts on a clean schema."""
    path = tmp_path_factory.mktemp("template") / "pulsebot.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return str(path)


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    engine = make_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=DATABASES)
def engine(request, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "pulsebot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    _wait_until_idle(engine)
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine


def _wait_until_idle(engine: Engine, timeout: float = 15.0) -> None:
    """Work a previous test left running (a thread still between two statements) would hold locks
    that TRUNCATE waits on while it waits on TRUNCATE's: let it finish first, or name it."""
    deadline = time.monotonic() + timeout
    while engine.pool.checkedout():
        if time.monotonic() > deadline:
            running = sorted(thread.name for thread in threading.enumerate())
            raise RuntimeError(f"a previous test left database work running; threads: {running}")
        time.sleep(0.05)


@pytest.fixture
def sessions(engine) -> SessionFactory:
    return session_factory(engine)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user(ADMIN)
    fake.add_user(MANAGER)
    fake.add_user("UBOT", is_bot=True)
    fake.add_channel(PULSE_CHANNEL, [*TEAM, "UBOT"])
    yield fake
    fake.stop()


@pytest.fixture
def settings(engine, fake_slack) -> Settings:
    return Settings(
        _env_file=None,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.base_url,
        database_url=engine.url.render_as_string(hide_password=False),
        anon_key=ANON_KEY,
        ideas_channel=IDEAS_CHANNEL,
        admins=frozenset({ADMIN}),
        managers=frozenset({MANAGER}),
        mix_seconds=0,  # each answer written at once; tests of the mixing window set their own
        # Pulses and reminders at any hour of any day: tests of working hours set their own.
        working_hours=None,
        working_days=frozenset(range(7)),
    )


@pytest.fixture
def client(settings, fake_slack) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=fake_slack.base_url)


@pytest.fixture
def sender(settings, sessions, client) -> Iterator[OutboxSender]:
    """The outbox sender of the app under test: started by the first run a request opens."""
    sender = make_sender(settings, client=client, sessions=sessions)
    yield sender
    sender.stop()


class Listeners(ThreadPoolExecutor):
    """The app's listener threads (Bolt runs each listener, its ack and the work after it, on them), and
    whether any of that work is left: waiting out a 429 is done on them too."""

    def __init__(self) -> None:
        super().__init__(max_workers=LISTENER_THREADS)
        self._unfinished = 0
        self._changed = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):
        with self._changed:
            self._unfinished += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future) -> None:
        with self._changed:
            self._unfinished -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until every listener has finished, after-ack work and retries included."""
        with self._changed:
            if not self._changed.wait_for(lambda: not self._unfinished, timeout=timeout):
                raise AssertionError(f"listeners still busy after {timeout} s")


@contextmanager
def serving_app(
    settings: Settings,
    sessions: SessionFactory,
    engine: Engine,
    *,
    sender: OutboxSender,
    client: WebClient | None = None,
    workspaces=None,
    mixer: AnswerMixer | None = None,
    listeners: Listeners | None = None,
    limits: HttpLimits | None = None,
) -> Iterator[str]:
    """The real Bolt app behind the real HTTP server, on a free port: its base URL."""
    listeners, ack_gate = listeners or Listeners(), AckGate()
    mixer = mixer or AnswerMixer(sessions, window=settings.mix_seconds)
    app = create_app(
        settings,
        sessions=sessions,
        client=client,
        workspaces=workspaces,
        sender=sender,
        listener_executor=listeners,
        ack_gate=ack_gate,
        mixer=mixer,
    )
    application = wsgi_app(app, ready=Readiness(engine, slack_checked=True).problems, ack_gate=ack_gate)
    limits = limits or HttpLimits()
    server = HttpServer(application, host="127.0.0.1", port=0, limits=limits, ack_gate=ack_gate)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.stop()
    thread.join()
    listeners.shutdown(wait=True)  # what listeners do after their ack belongs to this test
    mixer.stop()  # answers written after this test would lock tables the next one empties


@pytest.fixture
def bot_url(settings, sessions, engine, client, sender) -> Iterator[str]:
    with serving_app(settings, sessions, engine, client=client, sender=sender) as url:
        yield url


@pytest.fixture
def jobs_runtime(client, sessions, settings) -> Iterator[None]:
    """The scheduler's jobs can run in this process, with the settings digests and relays need."""
    scheduling.install(scheduling.Runtime(client=client, sessions=sessions, settings=settings))
    yield
    scheduling.install(None)


@pytest.fixture
def slack(bot_url, fake_slack) -> SlackRequests:
    return SlackRequests(f"{bot_url}/slack/events", SIGNING_SECRET, fake_slack.response_url())


SCALE_SURVEY = """\
surveys:
  - name: team-pulse
    title: Weekly team pulse
    channel: {channel}
    timezone: Europe/Berlin
    open_days: 3
    questions:
      - key: workload
        kind: scale
        prompt: My workload this week was manageable.
"""


@pytest.fixture
def cli_env(settings) -> dict[str, str]:
    """The environment a person would set before running `pulsebot` against this test's Slack and database."""
    return {
        "DATABASE_URL": settings.database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": settings.slack_api_url,
        "PULSEBOT_ANON_KEY": ANON_KEY,
        "PULSEBOT_METRICS_PORT": "0",  # no fixed port: tests that serve metrics pick a free one
        "PULSEBOT_WORKING_HOURS": "any",
        "PULSEBOT_WORKING_DAYS": "mon-sun",
    }


@pytest.fixture
def sent_pulse(settings, sessions, client, fake_slack):
    """A one-question 1–5 pulse, applied from YAML and posted in the closed channel."""
    from datetime import UTC, datetime

    from pulsebot.services.survey.survey_file import parse_surveys
    from pulsebot.services.survey.surveys import apply_survey
    from pulsebot.slack.publish import send_pulse
    from pulsebot.store.db import transaction

    now = datetime.now(UTC)
    with transaction(sessions) as session:
        for spec in parse_surveys(SCALE_SURVEY.format(channel=PULSE_CHANNEL), source="team.yml"):
            apply_survey(session, spec=spec, now=now)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=now)
    fake_slack.reset_calls()
    return run


@pytest.fixture
def crowd(settings, sessions, engine, client, sender, fake_slack) -> Iterator[Crowd]:
    from datetime import UTC, datetime

    from pulsebot.services.survey.survey_file import parse_surveys
    from pulsebot.services.survey.surveys import apply_survey
    from pulsebot.slack.publish import send_pulse
    from pulsebot.store.db import transaction

    """The crowd's pulse is out (tests/crowd.py); its answers wait in a window only the test closes."""
    fake_slack.add_channel(CROWD_CHANNEL, [*CROWD, "UBOT"])
    with transaction(sessions) as session:
        for spec in parse_surveys(CROWD_SURVEY, source="crowd.yml"):
            apply_survey(session, spec=spec, now=datetime.now(UTC))
    run = send_pulse(client, sessions, settings=settings, survey_name="crowd-pulse", now=datetime.now(UTC))
    fake_slack.reset_calls()
    mixer = AnswerMixer(sessions, window=3600)
    with serving_app(settings, sessions, engine, client=client, sender=sender, mixer=mixer) as url:
        yield Crowd(
            SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url()), mixer, run
        )
