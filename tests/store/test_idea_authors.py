"""Attack (f): a database reader without the key tries to group a person's ideas, anonymous and signed,
by joining the idea table with itself on every column. Each anonymous idea has an author token of its
own and a signed one has none, so nothing singles out two ideas of one person. Ideas stored under the
old per-person token are moved to per-idea tokens without losing their authors."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from pulsebot import scheduling
from pulsebot.services.idea.idea_authors import ideas_of, retoken_legacy
from pulsebot.services.idea.ideas import post_idea as post_idea_as
from pulsebot.services.privacy.anonymity import token
from pulsebot.services.privacy.forgetting import forget_person
from pulsebot.store import migrate
from pulsebot.store.db import transaction
from tests.conftest import ANON_KEY, MANAGER, TEAM
from tests.idea_steps import next_call, post_idea, reply_to

KEY = ANON_KEY.encode()
ALICE, BOB, CAROL = TEAM[:3]
GONE = "U0LEFTLONGAGO"  # posted before, no longer in the workspace
NOW = datetime.now(UTC)


def idea_rows(engine) -> list[dict]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.text("SELECT * FROM idea")).mappings()]


def links(rows: list[dict], author_of: dict[int, str]) -> list[tuple[str, object, list[int]]]:
    """Every column value shared by two or more ideas that all belong to one person (at least one of them
    anonymous): what a self-join on that column would hand the attacker."""
    signed = {row["id"] for row in rows if row["author_id"] is not None}
    found = []
    for column in rows[0]:
        if column == "id":
            continue
        groups: dict[object, list[int]] = defaultdict(list)
        for row in rows:
            if row[column] is not None:
                groups[row[column]].append(row["id"])
        for value, ids in groups.items():
            owners = {author_of[idea_id] for idea_id in ids}
            if len(ids) > 1 and len(owners) == 1 and set(ids) - signed:
                found.append((column, value, ids))
    return found


def vote(slack, fake_slack, idea_id: int, voter: str) -> None:
    next_call(
        fake_slack, "chat.update", lambda: slack.click(action_id="idea_vote", value=str(idea_id), user=voter)
    )


def test_no_column_of_the_idea_table_groups_one_person_s_ideas(slack, fake_slack, engine):
    posted = [
        ("Refunds in one click", ALICE, True),
        ("A status page for outages", BOB, True),
        ("Callbacks instead of queues", ALICE, True),
        ("Invoices in the customer's language", BOB, False),
        ("Weekend chat support", ALICE, False),
        ("Shorter onboarding calls", BOB, True),
        ("Plain words in the pricing page", CAROL, True),
        ("Dark mode for the portal", ALICE, True),
    ]
    for text, author, anonymous in posted:
        post_idea(slack, fake_slack, text, user=author, anonymous=anonymous)
    author_of = {number: author for number, (_, author, _) in enumerate(posted, start=1)}
    for voter, idea_ids in ((ALICE, (2, 6, 7)), (CAROL, (1, 2))):
        for idea_id in idea_ids:
            vote(slack, fake_slack, idea_id, voter)

    rows = idea_rows(engine)

    assert len(rows) == len(posted)
    assert links(rows, author_of) == []
    with engine.connect() as connection:  # the attack as one statement, the old token's way
        shared = connection.execute(
            sa.text(
                "SELECT a.id, b.id FROM idea a JOIN idea b ON a.author_token = b.author_token AND a.id < b.id"
            )
        ).all()
        voters = connection.execute(sa.text("SELECT voter FROM vote")).scalars().all()
    assert shared == []
    assert len(voters) == 5 and len(set(voters)) == 5  # nor do one person's votes share anything
    signed = [row for row in rows if row["author_id"] is not None]
    assert signed and all(row["author_token"] is None for row in signed)
    everyone_s_old_token = {token(KEY, "idea-author", person) for person in (ALICE, BOB, CAROL)}
    assert not everyone_s_old_token & {row["author_token"] for row in rows}


def test_the_authors_still_follow_their_anonymous_ideas(slack, fake_slack):
    post_idea(slack, fake_slack, "Refunds in one click", user=ALICE, anonymous=True)
    post_idea(slack, fake_slack, "A status page for outages", user=BOB, anonymous=True)
    post_idea(slack, fake_slack, "Callbacks instead of queues", user=ALICE, anonymous=True)
    post_idea(slack, fake_slack, "Weekend chat support", user=ALICE)

    mine = slack.command("/idea", "mine", user=ALICE).text
    assert "Refunds in one click" in mine and "Callbacks instead of queues" in mine
    assert "Weekend chat support" in mine and "status page" not in mine
    own_vote = reply_to(fake_slack, lambda: slack.click(action_id="idea_vote", value="3", user=ALICE))
    assert "can't vote for your own idea" in own_vote


def old_ideas(engine) -> dict[int, str]:
    """Ideas as pulsebot stored them before per-idea tokens: every idea of a person, signed or not,
    under HMAC(key, "idea-author", person). Written at the schema of that time."""
    config = migrate.alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    idea = sa.Table("idea", sa.MetaData(), autoload_with=engine)
    now = datetime.now(UTC)
    stored = [
        (ALICE, True),
        (ALICE, True),
        (ALICE, False),
        (BOB, True),
        (BOB, True),
        (GONE, True),
        (GONE, True),
    ]
    author_of = {}
    with engine.begin() as connection:
        for number, (author, anonymous) in enumerate(stored, start=1):
            connection.execute(
                idea.insert().values(
                    id=number,
                    text=f"Old idea {number}",
                    category="other",
                    author_id=None if anonymous else author,
                    author_token=token(KEY, "idea-author", author),
                    status="new",
                    created_at=now - timedelta(days=number),
                    updated_at=now - timedelta(days=number),
                )
            )
            author_of[number] = author
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT setval('idea_id_seq', 100)"))
    migrate.upgrade(engine)
    return author_of


def test_ideas_under_the_old_per_person_token_get_one_each_and_keep_their_authors(
    engine, slack, fake_slack, client, sessions
):
    author_of = old_ideas(engine)
    rows = {row["id"]: row for row in idea_rows(engine)}
    assert rows[3]["author_token"] is None and rows[3]["legacy_author_token"] is None  # signed: no token
    assert rows[1]["legacy_author_token"] == rows[2]["legacy_author_token"]  # still linked, until drained

    # Alice's first look-up moves her old ideas to tokens of their own.
    mine = slack.command("/idea", "mine", user=ALICE).text
    assert all(f"Old idea {number}" in mine for number in (1, 2, 3)) and "Old idea 4" not in mine
    rows = {row["id"]: row for row in idea_rows(engine)}
    assert rows[1]["legacy_author_token"] is None and rows[1]["author_token"] != rows[2]["author_token"]
    assert rows[4]["legacy_author_token"] == rows[5]["legacy_author_token"]  # Bob has not looked yet

    # The first status change in the workspace finds Bob among its people and moves everyone's.
    reply_to(fake_slack, lambda: slack.command("/idea", "status 4 review", user=MANAGER))
    assert any(dm["channel"] == BOB and "#4" in dm["text"] for dm in fake_slack.calls_to("chat.postMessage"))

    rows = idea_rows(engine)
    assert all(row["legacy_author_token"] is None for row in rows)
    assert links(rows, author_of) == []
    tokens = [row["author_token"] for row in rows if row["author_token"] is not None]
    assert len(tokens) == len(set(tokens)) == 6
    mine = slack.command("/idea", "mine", user=BOB).text
    assert "Old idea 4" in mine and "Old idea 5" in mine and "Old idea 1" not in mine
    assert "Old idea" not in slack.command("/idea", "mine", user=GONE).text  # who left is not found again


def test_the_nightly_job_moves_every_old_token_even_with_no_look_up(engine, sessions, jobs_runtime):
    author_of = old_ideas(engine)

    scheduling.purge_old_data()

    rows = idea_rows(engine)
    assert all(row["legacy_author_token"] is None for row in rows)
    assert links(rows, author_of) == []
    with sessions() as session:
        assert ideas_of(session, user_id=BOB, key=KEY) == [4, 5]


def test_forgetting_someone_rewrites_every_anonymous_idea_and_keeps_everyone_else_s_authors(engine, sessions):
    author_of = old_ideas(engine)  # Alice: 1, 2 and signed 3; Bob: 4, 5; someone who left: 6, 7
    with transaction(sessions) as session:
        new = post_idea_as(
            session, user_id=CAROL, text="Plain words in the pricing page", key=KEY, now=NOW, anonymous=True
        )
    before = {row["id"]: row for row in idea_rows(engine)}

    with transaction(sessions) as session:
        forgotten = forget_person(session, user_id=ALICE, key=KEY, actor="cli", now=NOW)

    assert (forgotten.signed_ideas, forgotten.anonymous_ideas) == ((3,), 2)
    after = {row["id"]: row for row in idea_rows(engine)}
    changed = {
        number: tuple(column for column in after[number] if after[number][column] != before[number][column])
        for number in after
        if before[number]["author_id"] is None
    }
    # Under an old token or a new one, Alice's or not: every anonymous row changed, in the same columns.
    assert {changed[number] for number in (1, 2, 4, 5, 6, 7)} == {("legacy_author_token", "author_mask")}
    assert changed[new.id] == ("author_token", "author_mask")
    assert links(list(after.values()), {**author_of, new.id: CAROL}) == []  # masks part Bob's old tokens too
    with transaction(sessions) as session:
        assert ideas_of(session, user_id=ALICE, key=KEY) == []
        assert ideas_of(session, user_id=BOB, key=KEY) == [4, 5]
        assert ideas_of(session, user_id=CAROL, key=KEY) == [new.id]
        # Bob's were claimed above; Alice's, random now, are orphaned like those of whoever left.
        assert retoken_legacy(session, key=KEY, people=(ALICE, BOB, CAROL)) == (0, 4)
        assert ideas_of(session, user_id=ALICE, key=KEY) == []
