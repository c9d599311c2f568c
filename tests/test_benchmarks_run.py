"""The benchmarks still run (a benchmark nobody runs rots): each small, on SQLite."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL

ROOT = Path(__file__).parents[1]


def test_the_fan_out_benchmark_runs_through_two_replicas():
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/fanout.py",
            "--people",
            "30",
            "--limit",
            "50",
            "--rate",
            "40",
            "--replicas",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "2 replica(s) of 4 senders" in done.stdout
    assert "sent 30, 429s 0" in done.stdout and "lost 0, doubled 0" in done.stdout


def test_the_ack_benchmark_runs_against_a_real_pulsebot_run():
    done = subprocess.run(
        [sys.executable, "benchmarks/ack_latency.py", "--clicks", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "5 clicks at once" in done.stdout
    (row,) = [line for line in done.stdout.splitlines() if line.startswith("| waitress")]
    assert "| [200] | 0 |" in row  # every click acknowledged, none lost


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL")
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_the_shared_port_benchmark_runs_two_processes_on_postgresql(engine):
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/shared_port.py",
            "--database",
            engine.url.render_as_string(hide_password=False),
            "--clicks",
            "5",
            "--processes",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (row,) = [line for line in done.stdout.splitlines() if line.startswith("| 2 |")]
    assert row.endswith("| [200] | 0 | 1 |")  # every click acknowledged, none lost, one scheduler


def test_the_memory_benchmark_reads_a_real_pulsebot_run_and_its_directory():
    done = subprocess.run(
        [sys.executable, "benchmarks/memory.py", "--people", "450", "--idle", "0.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "| `pulsebot run` | idle, healthy |" in done.stdout
    assert "| reader of the directory | holding its 450 ids |" in done.stdout
