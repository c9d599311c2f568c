"""`pulsebot run` starts the scheduler beside the Slack transport (unless PULSEBOT_SCHEDULER is off)."""

import pytest
from typer.testing import CliRunner

from pulsebot import scheduling
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
    jobs = [*scheduling.SWEEPS, scheduling.DIGEST_JOB, scheduling.RETENTION_JOB]
    assert served == {"jobs": sorted(jobs), "running": True}
    assert not scheduling._runtime.scheduler.running  # stopped when serving ends


def test_the_scheduler_can_be_left_to_another_replica(cli_env, served):
    result = runner.invoke(cli, ["run"], env={**cli_env, "PULSEBOT_SCHEDULER": "false"})

    assert result.exit_code == 0, result.output
    assert served == {"jobs": None, "running": False}
