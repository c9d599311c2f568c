"""At rest: the SQLite files are private, and what forget-me and retention delete is gone from the bytes
a database reader could open (the SQLite file and its WAL; every PostgreSQL page of the tables), not
just from what SQL returns."""

import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from pulsebot.services.digest.notices import claim_notice
from pulsebot.services.idea.ideas import mark_idea_posted, post_idea, toggle_vote
from pulsebot.services.privacy import retention
from pulsebot.services.privacy.forgetting import FORGOTTEN_IN
from pulsebot.services.survey.snooze import SnoozeChange, set_snooze
from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, scrub, transaction
from pulsebot.store.models import Delivery, NoticeKind
from tests.conftest import ANON_KEY, IDEAS_CHANNEL, MANAGER, PINNED_NOW
from tests.pulse_data import a_closed_and_an_open_run, make_team, people, run_week, scores
from tests.stored_bytes import where_found

pytestmark = pytest.mark.clock

KEY = ANON_KEY.encode()
NOW = PINNED_NOW
LEAVER = "U07LEAVER42"  # shaped like a real Slack id, so the bytes cannot match by accident
MEMBERS = [LEAVER, *people(5)]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_its_wal_and_shared_memory_are_private(tmp_path):
    path = tmp_path / "pulsebot.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as connection:  # the WAL and shared memory exist while a connection is open
        connection.execute(text("SELECT count(*) FROM idea"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(file.exists() for file in files)
        assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_an_existing_readable_database_is_made_private_on_start(tmp_path):
    path = tmp_path / "pulsebot.db"
    with sqlite3.connect(path) as connection:  # as an older pulsebot left it: 0644 and a WAL beside it
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
    for file in (path, Path(f"{path}-wal")):
        file.touch()
        file.chmod(0o644)

    engine = make_engine(f"sqlite:///{path}")

    assert mode(path) == 0o600 and mode(Path(f"{path}-wal")) == 0o600
    engine.dispose()


def leaver_s_traces(sessions) -> None:
    """Someone asked in two pulses (one still open), who posted an idea and voted, got a digest, and paused
    their pulses."""
    make_team(sessions, managers=(MANAGER,), now=NOW - timedelta(days=30))
    a_closed_and_an_open_run(sessions, members=MEMBERS, now=NOW)
    with transaction(sessions) as session:
        other = post_idea(session, user_id=MEMBERS[1], text="Refunds in one click", key=KEY, now=NOW)
        toggle_vote(session, idea_id=other.id, user_id=LEAVER, key=KEY)
        signed = post_idea(session, user_id=LEAVER, text="Weekend chat", key=KEY, now=NOW)
        mark_idea_posted(session, idea_id=signed.id, channel_id=IDEAS_CHANNEL, message_ts="100.1")
        claim_notice(
            session, kind=NoticeKind.digest, scope="team-pulse", user_id=LEAVER, week=NOW.date(), now=NOW
        )
        set_snooze(session, user_id=LEAVER, change=SnoozeChange(through=NOW.date() + timedelta(days=13)))


def test_after_forget_me_the_person_s_id_is_nowhere_in_the_stored_bytes(slack, fake_slack, engine, sessions):
    leaver_s_traces(sessions)
    found = where_found(engine, LEAVER, FORGOTTEN_IN)  # the attack finds them before
    assert found and (engine.dialect.name == "sqlite" or "snooze" in found)

    slack.command("/pulse", "forget-me", user=LEAVER)
    slack.click(action_id=FORGET_ME_ACTION, value="forget", user=LEAVER)
    assert fake_slack.wait_for("response_url")[-1]["text"].startswith("*Done: pulsebot has forgotten you.*")

    assert where_found(engine, LEAVER, FORGOTTEN_IN) == []


def test_retention_leaves_no_deleted_row_or_comment_in_the_stored_bytes(engine, sessions):
    only_then = "U07ONLYTHEN9"  # asked once, in a week retention removes
    audience = [*people(5), only_then]
    make_team(sessions, now=NOW - timedelta(days=400))
    run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(days=200),
        audience=audience,
        answers=scores(audience, [4, 4, 5, 3, 4, 2]),
        comments={audience[0]: "the rota is unfair to Zoltan"},
    )
    tables = retention.PURGED_IN
    assert where_found(engine, only_then, tables) and where_found(engine, "unfair to Zoltan", tables)

    outcome = retention.run_retention(sessions, days=100, min_group=5, now=NOW)

    assert outcome.answers and outcome.deliveries
    with sessions() as session:
        assert session.exec(select(Delivery)).all() == []
    assert where_found(engine, only_then, tables) == []
    assert where_found(engine, "unfair to Zoltan", tables) == []


def test_scrub_on_a_table_someone_is_reading_falls_back_to_a_plain_vacuum(engine, sessions, caplog):
    leaver_s_traces(sessions)
    with engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM delivery"))  # holds a lock a rewrite must wait for
        scrub(engine, ["delivery"], rewrite=True)  # neither waits for ever nor fails
        reader.rollback()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM delivery")).scalar() == 12
    if engine.dialect.name == "postgresql":
        assert "delivery not rewritten" in caplog.text
