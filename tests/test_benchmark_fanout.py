"""benchmarks/fanout.py still runs (a benchmark nobody runs rots): a small fan-out through two replicas,
every DM sent once."""

import subprocess
import sys
from pathlib import Path

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
