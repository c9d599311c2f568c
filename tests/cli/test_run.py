"""`pulsebot run` starts the scheduler beside the Slack transport (unless PULSEBOT_SCHEDULER is off)."""

import logging
import signal

import pytest
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from pulsebot import log_setup, metrics, scheduling
from pulsebot.cli import cli
from pulsebot.cli import run as run_module

runner = CliRunner()


@pytest.fixture
def served(monkeypatch):
    """Stand in for the blocking transport; note what the scheduler holds while the bot would serve."""
    seen: dict = {}

    def serve(settings, engine, app, *_):
        runtime = scheduling._runtime
        seen["jobs"] = (
            sorted(job.id for job in runtime.scheduler.get_jobs()) if runtime and runtime.scheduler else None
        )
        seen["running"] = bool(runtime and runtime.scheduler and runtime.scheduler.running)

    monkeypatch.setattr(run_module, "_serve", serve)
    yield seen
    scheduling.install(None)


def test_run_starts_the_scheduler_with_the_pulse_jobs(cli_env, served):
    result = runner.invoke(cli, ["run"], env=cli_env)

    assert result.exit_code == 0, result.output
    jobs = [*scheduling.SWEEPS, scheduling.DIGEST_JOB, scheduling.RETENTION_JOB, scheduling.ONBOARDING_JOB]
    assert served == {"jobs": sorted(jobs), "running": True}
    assert not scheduling._runtime.scheduler.running  # stopped when serving ends


def test_the_scheduler_can_be_left_to_another_replica(cli_env, served):
    result = runner.invoke(cli, ["run"], env={**cli_env, "PULSEBOT_SCHEDULER": "false"})

    assert result.exit_code == 0, result.output
    assert served == {"jobs": None, "running": False}


def process_state() -> dict:
    """What `pulsebot run` sets for the whole process while it serves."""
    root = logging.getLogger()
    return {
        "root": (root.level, list(root.handlers)),
        "quiet": [logging.getLogger(name).level for name in log_setup.QUIET],
        "signals": [signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)],
        "collectors": set(REGISTRY._collector_to_names),
    }


@pytest.mark.parametrize("handlers", ["the process logs nowhere yet", "the process logs already"])
def test_the_process_is_left_as_it_was_when_serving_ends(cli_env, served, monkeypatch, handlers):
    """Another command, or test, run in the same process afterwards sees its own logging (no handler
    writing to a standard error that is gone, APScheduler and Alembic heard again), signals and metrics."""
    root = logging.getLogger()
    if handlers == "the process logs nowhere yet":
        monkeypatch.setattr(root, "handlers", [])
    before = process_state()
    seen = {}
    monkeypatch.setattr(
        run_module, "_serve", lambda *_: seen.update(during=process_state(), watched=metrics._watched)
    )

    result = runner.invoke(cli, ["run"], env={**cli_env, "PULSEBOT_LOG_FORMAT": "json"})

    assert result.exit_code == 0, result.output
    assert seen["during"]["quiet"] == [logging.WARNING] * len(log_setup.QUIET)
    assert seen["during"]["signals"] != before["signals"] and seen["watched"] is not None
    if handlers == "the process logs nowhere yet":
        (handler,) = seen["during"]["root"][1]
        assert seen["during"]["root"][0] == logging.INFO
        assert isinstance(handler.formatter, log_setup.JsonFormatter)
    else:
        assert seen["during"]["root"] == before["root"]  # the process's own logging, untouched
    assert process_state() == before
    assert metrics._watched is None
