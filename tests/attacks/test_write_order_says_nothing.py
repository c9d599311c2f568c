"""Attack: line the stored answers up against the order people clicked in.

Someone who saw (or knows) the order a team clicked in, and reads the database, guesses that the
first row written is the first person's, and so on: by PostgreSQL's physical order (`ctid`) or
transaction ids, or by SQLite's rowid. Within a mixing window the rows are written in random order in
one transaction, so the guess does no better than chance."""

from __future__ import annotations

from sqlalchemy import text

from tests.attacks.database_reader import page_order
from tests.crowd import CROWD


def stored_order(engine) -> list[tuple[str, int]]:
    """The answers' (respondent, value) in the order the database laid them down."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.execute(
                text("SELECT ctid::text, xmin::text, respondent, value FROM answer")
            ).all()
            assert len({row[1] for row in rows}) == 1  # one transaction id for the whole window
            return [(row[2], row[3]) for row in sorted(rows, key=lambda row: page_order(row[0]))]
        rows = connection.execute(text("SELECT respondent, value FROM answer ORDER BY rowid")).all()
        return [(row[0], row[1]) for row in rows]


def test_the_order_answers_are_stored_in_is_not_the_order_people_clicked_in(crowd, fake_slack, engine):
    # Twelve people click one after the other, each a value that gives them away to the test.
    clicks = [(person, number % 11) for number, person in enumerate(CROWD)]
    for person, value in clicks:
        crowd.click(person, 1, value)
        crowd.wait_pending(len([c for c in clicks if c[0] <= person]))
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(CROWD))

    stored = stored_order(engine)
    assert sorted(value for _, value in stored) == sorted(value for _, value in clicks)
    # The attacker's guess: the n-th row stored is the n-th click. By chance it is right about one
    # place in twelve; it is all right only if the shuffle left the order as it was (1 in 479,001,600).
    right = sum(
        1 for (_, stored_value), (_, clicked) in zip(stored, clicks, strict=True) if stored_value == clicked
    )
    assert right < len(CROWD)
