"""Attack: tie an answer to a person through the transaction that wrote it.

Before per-run batches, the transaction storing a first answer also set that person's
`delivery.answered`: one join on PostgreSQL's `xmin`, or one diff between two commits of SQLite's
write-ahead log, named every respondent. Now a whole window of answers is written in one transaction
that touches nothing else, so neither finds anyone."""

from __future__ import annotations

import itertools
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from pulsebot.store.models import USER_ID_COLUMNS
from tests.attacks.database_reader import changed_tables, postgres_rows, sqlite_states
from tests.crowd import CROWD

COMMENTS = ["The refund tool keeps timing out.", "Good week, calm queue."]


def answer_in_two_windows(crowd, fake_slack) -> None:
    for number, person in enumerate(CROWD[:6]):
        crowd.click(person, 0, 1 + number % 5)
    crowd.wait_pending(6)
    crowd.mixer.flush()
    for number, person in enumerate(CROWD[6:]):
        crowd.click(person, 1, number)
    for person, comment in zip(CROWD[:2], COMMENTS, strict=True):
        crowd.comment(person, comment)
    crowd.wait_pending(8)
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", 12)  # everyone was thanked: all of it is stored


def test_no_transaction_that_writes_answers_writes_anything_about_a_person(crowd, fake_slack, engine):
    if engine.dialect.name == "postgresql":
        answer_in_two_windows(crowd, fake_slack)
        _attack_postgresql_system_columns(engine)
    else:
        _attack_sqlite_write_ahead_log(crowd, fake_slack, engine)


def _attack_postgresql_system_columns(engine) -> None:
    rows = postgres_rows(engine)
    answers = rows.pop("answer")
    batches = {row["xmin_"] for row in answers}
    # 12 people, two of whom commented on an answer they had given: two windows, two transactions.
    assert len(answers) == 12 and len(batches) == 2
    person_tables = {table for table, _ in USER_ID_COLUMNS} | {"delivery"}
    for table, table_rows in rows.items():
        for row in table_rows:
            assert row["xmin_"] not in batches, (table, row)  # the batch's transaction wrote nothing else
            if table in person_tables:
                assert not set(map(str, row.values())) & {answer["respondent"] for answer in answers}
    # The old link: the person rows written by a savepoint of the answer's transaction, or by the
    # transaction next to it (xmin ± 1). Such rows may exist (posting the pulse marks every delivery
    # sent), but they must name the whole audience alike, never some of it.
    for batch in batches:
        named = {
            value
            for table in person_tables
            for row in rows.get(table, [])
            if abs(row["xmin_"] - batch) <= 1
            for value in map(str, row.values())
            if value in CROWD
        }
        assert named in (set(), set(CROWD)), named


def _attack_sqlite_write_ahead_log(crowd, fake_slack, engine) -> None:
    path = Path(engine.url.database)
    copies: list[tuple[bytes, bytes]] = []

    def copy_files(_session) -> None:
        # The strongest reader copies the files right after each commit, before any checkpoint.
        wal = path.with_name(path.name + "-wal")
        copies.append((path.read_bytes(), wal.read_bytes() if wal.exists() else b""))

    event.listen(Session, "after_commit", copy_files)
    try:
        answer_in_two_windows(crowd, fake_slack)
    finally:
        event.remove(Session, "after_commit", copy_files)

    commits_with_answers = 0
    for database, wal in copies:
        states = sqlite_states(database, wal)
        for before, after in itertools.pairwise(states):
            changed = changed_tables(before, after)
            if "answer" in changed:
                commits_with_answers += 1
                assert changed == {"answer"}  # no delivery row, no seen request, nothing else
    assert commits_with_answers >= 2
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # and at rest the log keeps no history
