"""Nothing is unpickled from the database: a row written by someone who can write to it cannot make
pulsebot, which holds the anonymity key and the Slack tokens, run code."""

from __future__ import annotations

import os
import pickle
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import LargeBinary, text

from pulsebot import scheduling
from pulsebot.store.models import SQLModel
from tests.scheduling.conftest import apply
from tests.scheduling.test_jobs import SURVEYS

SOURCE = Path(__file__).resolve().parents[2] / "src" / "pulsebot"


class WritesMarker:
    """Unpickling this writes a file: what an attacker's row would do (or worse)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_a_pickled_job_row_written_by_an_attacker_runs_nothing(engine, client, sessions, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(WritesMarker(marker))
    apply(sessions, SURVEYS)
    binary = "BLOB" if engine.dialect.name == "sqlite" else "BYTEA"
    with engine.begin() as connection:  # the job table of APScheduler's SQLAlchemy store, as it was
        connection.execute(
            text(
                "CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY, next_run_time FLOAT, "
                f"job_state {binary} NOT NULL)"
            )
        )
        for job_id in ("pulse-open:berlin", "pulse-remind", "evil"):
            connection.execute(
                text("INSERT INTO apscheduler_jobs VALUES (:id, :at, :state)"),
                {"id": job_id, "at": datetime.now(UTC).timestamp() - 60, "state": payload},
            )

    scheduler = scheduling.start(client=client, sessions=sessions)  # a process taking the scheduler over
    try:
        jobs = {job.id for job in scheduler.get_jobs()}
        time.sleep(1.0)  # the due jobs run meanwhile
    finally:
        scheduler.shutdown(wait=True)
        scheduling.install(None)

    assert not marker.exists()
    assert "evil" not in jobs and "pulse-open:berlin" in jobs  # built from the surveys, not the rows
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE apscheduler_jobs"))


def test_no_table_holds_binary_data_and_no_module_unpickles():
    """The guard for the future: a binary column or a pickle/marshal/shelve import would need a reason."""
    binary = [
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    ]
    assert binary == []
    unpicklers = re.compile(r"^\s*(import|from)\s+(pickle|cPickle|dill|shelve|marshal|jsonpickle)\b", re.M)
    offenders = [
        str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py") if unpicklers.search(path.read_text())
    ]
    assert offenders == []
    jobstores = re.compile(r"apscheduler\.jobstores\.(sqlalchemy|redis|mongodb|rethinkdb|zookeeper)")
    assert [str(p) for p in SOURCE.rglob("*.py") if jobstores.search(p.read_text())] == []
