"""Attack: learn which anonymous ideas were a person's from what forgetting them changes.

Forgetting someone used to rewrite their anonymous ideas alone (a random author token each) and redraw
their cards with the signed ones: the ideas channel saw exactly which anonymous cards were updated, and
someone reading the database saw exactly which idea rows the forgetting transaction rewrote (their
values, PostgreSQL's `xmin` and `ctid`, the commit in SQLite's write-ahead log, the old tokens gone from
the files). Now only the signed cards are redrawn, and every anonymous idea is rewritten alike."""

from __future__ import annotations

import itertools
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session
from sqlmodel import select

from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION
from pulsebot.store.db import transaction
from pulsebot.store.models import Idea
from tests.attacks.database_reader import page_order, postgres_rows, sqlite_states
from tests.conftest import TEAM
from tests.idea_steps import next_call, post_idea
from tests.stored_bytes import where_found

LEAVER = TEAM[0]
# (author, anonymous): the person's anonymous ideas among their colleagues', then a signed idea each.
IDEAS = [
    (TEAM[1], True),
    (LEAVER, True),
    (TEAM[2], True),
    (LEAVER, True),
    (TEAM[3], True),
    (TEAM[1], False),
    (LEAVER, False),
]
THEIRS = {number for number, (author, anonymous) in enumerate(IDEAS, 1) if author == LEAVER and anonymous}
OTHERS = {number for number, (author, anonymous) in enumerate(IDEAS, 1) if author != LEAVER and anonymous}
SIGNED_BY_THEM = {number for number, (author, anonymous) in enumerate(IDEAS, 1) if author == LEAVER} - THEIRS


def post_the_ideas(slack, fake_slack) -> None:
    for number, (author, anonymous) in enumerate(IDEAS, 1):
        post_idea(slack, fake_slack, f"Idea number {number}", user=author, anonymous=anonymous)


def forget_the_leaver(slack, fake_slack) -> None:
    slack.command("/pulse", "forget-me", user=LEAVER)
    done = next_call(
        fake_slack,
        "response_url",
        lambda: slack.click(action_id=FORGET_ME_ACTION, value="forget", user=LEAVER),
    )
    assert done["text"].startswith("*Done: pulsebot has forgotten you.*")


def alike(signature: dict[int, object]) -> None:
    """The person's anonymous ideas cannot be told from their colleagues' by `signature`."""
    assert {signature[number] for number in THEIRS} == {signature[number] for number in OTHERS}, signature


def test_the_ideas_channel_sees_no_anonymous_card_move_when_its_author_is_forgotten(
    slack, fake_slack, sessions
):
    post_the_ideas(slack, fake_slack)
    with transaction(sessions) as session:
        cards = dict(session.exec(select(Idea.message_ts, Idea.id)).all())
    fake_slack.reset_calls()

    forget_the_leaver(slack, fake_slack)

    # The signed card loses the name; the anonymous cards, redrawn in the same burst, would be theirs.
    updates, redrawn = 0, set()
    while not redrawn >= SIGNED_BY_THEM:
        updates += 1
        redrawn = {cards[call["ts"]] for call in fake_slack.wait_for("chat.update", updates)}
    assert redrawn == SIGNED_BY_THEM
    assert not {call["channel"] for call in fake_slack.calls_to("chat.postMessage")} - {LEAVER}


def test_a_database_reader_cannot_tell_which_anonymous_ideas_the_forgetting_rewrote(
    slack, fake_slack, engine, sessions
):
    post_the_ideas(slack, fake_slack)
    with transaction(sessions) as session:
        tokens_before = dict(session.exec(select(Idea.id, Idea.author_token)).all())

    if engine.dialect.name == "postgresql":
        _attack_postgresql_rows(slack, fake_slack, engine)
    else:
        _attack_sqlite_write_ahead_log(slack, fake_slack, engine)

    # Below SQL: is a stored token still anywhere in the files, or in a dead tuple, after the forgetting?
    alike({number: bool(where_found(engine, tokens_before[number], ("idea",))) for number in THEIRS | OTHERS})


def _changed_columns(before: dict[int, dict], after: dict[int, dict], *, skip=()) -> dict[int, tuple]:
    return {
        number: tuple(
            column
            for column in after[number]
            if column not in skip and before[number][column] != after[number][column]
        )
        for number in THEIRS | OTHERS
    }


def _attack_postgresql_rows(slack, fake_slack, engine) -> None:
    before = {row["id"]: row for row in postgres_rows(engine)["idea"]}
    forget_the_leaver(slack, fake_slack)
    rows = postgres_rows(engine)
    after = {row["id"]: row for row in rows["idea"]}
    forgetting = next(row["xmin_"] for row in rows["audit_entry"] if row["action"] == "forget")

    alike(_changed_columns(before, after, skip=("xmin_", "ctid_")))
    alike({number: after[number]["xmin_"] == forgetting for number in THEIRS | OTHERS})
    alike({number: after[number]["xmin_"] == before[number]["xmin_"] for number in THEIRS | OTHERS})
    # Where the rows now lie says nothing either: in the order they were posted, as before.
    by_place = sorted(THEIRS | OTHERS, key=lambda number: page_order(after[number]["ctid_"]))
    assert by_place == sorted(THEIRS | OTHERS)


def _attack_sqlite_write_ahead_log(slack, fake_slack, engine) -> None:
    path = Path(engine.url.database)
    wal = path.with_name(path.name + "-wal")
    copies: list[tuple[bytes, bytes]] = []

    def copy_files(_session) -> None:
        # The strongest reader copies the files right after each commit, before any checkpoint.
        copies.append((path.read_bytes(), wal.read_bytes() if wal.exists() else b""))

    event.listen(Session, "after_commit", copy_files)
    try:
        forget_the_leaver(slack, fake_slack)
    finally:
        event.remove(Session, "after_commit", copy_files)
    with engine.connect() as connection:
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(idea)"))]

    forgettings = 0
    for database, log in copies:
        for before, after in itertools.pairwise(sqlite_states(database, log)):
            if before.get("audit_entry") == after.get("audit_entry"):
                continue  # not the forgetting, which writes its audit entry
            rows_before, rows_after = (
                {
                    row["id"]: row
                    for row in (dict(zip(columns, values, strict=True)) for values in state["idea"])
                }
                for state in (before, after)
            )
            forgettings += 1
            alike(_changed_columns(rows_before, rows_after))
    assert forgettings >= 1
