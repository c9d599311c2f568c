"""Anonymity by construction: no path from an answer to a Slack user id, through columns or foreign keys."""

from sqlmodel import SQLModel

import pulsebot.store.installations  # noqa: F401  (the installed workspaces' tables are walked too)
from pulsebot.store.models import USER_ID_COLUMNS

# A vote joins to its idea and so to the idea's (public) author, but never to the voter.
ANSWER_SIDE = {"answer", "onboarding_answer", "onboarding_figure"}


def reachable_tables(start: str) -> set[str]:
    """Every table an answer row can be joined to by following foreign keys."""
    seen, todo = set(), [start]
    while todo:
        table = SQLModel.metadata.tables[todo.pop()]
        if table.name in seen:
            continue
        seen.add(table.name)
        todo.extend(fk.column.table.name for fk in table.foreign_keys)
    return seen


def looks_like_a_user_id(column) -> bool:
    name = column.name.lower()
    if name.endswith(("_token", "_scopes", "_token_expires_at")):  # a user's token or its scopes, no id
        return False
    return (
        "user" in name
        or name.endswith(("author_id", "owner_id", "manager_id", "_by"))
        or name in {"voter_id", "respondent_id", "actor"}
    )


def test_every_user_id_column_is_declared():
    found = {
        (table.name, column.name)
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if looks_like_a_user_id(column)
    }
    assert found == USER_ID_COLUMNS


def test_no_answer_side_table_reaches_a_user_id():
    for start in ANSWER_SIDE:
        for table_name in reachable_tables(start):
            leaks = {column for table, column in USER_ID_COLUMNS if table == table_name}
            assert not leaks, f"{start} reaches {table_name}.{leaks} through its foreign keys"


def test_answers_carry_no_submit_time():
    columns = {column.name for column in SQLModel.metadata.tables["answer"].columns}
    assert columns == {
        "run_id",
        "question_id",
        "respondent",
        "run_date",
        "value",
        "choice",
        "comment",
        "sentiment",
        "cell",  # one of at least K people of the run's audience, fixed when it opened
    }


def test_votes_hold_no_user_id_of_their_own():
    assert not any(table == "vote" for table, _ in USER_ID_COLUMNS)
    assert {column.name for column in SQLModel.metadata.tables["vote"].columns} == {"idea_id", "voter"}


def test_helping_answers_hold_no_user_id_and_no_time():
    # "Is this helping?" reaches its action, and so the action's owner and planner, who are not its
    # respondents (as a vote reaches its idea's public author); the answer row itself holds only a token.
    assert not any(table == "action_check_answer" for table, _ in USER_ID_COLUMNS)
    columns = {column.name for column in SQLModel.metadata.tables["action_check_answer"].columns}
    assert columns == {"check_id", "respondent", "answer"}


def test_onboarding_answers_hold_no_person_no_start_date_and_no_time():
    # A new joiner's answer says which quarter's cohort and which milestone, and nothing else: no id, no
    # start date, no week, no time, and no key to the pulses that say who was asked when.
    columns = {column.name for column in SQLModel.metadata.tables["onboarding_answer"].columns}
    assert columns == {"cohort_id", "milestone", "question_key", "respondent", "value"}
    cohort = {column.name for column in SQLModel.metadata.tables["onboarding_cohort"].columns}
    assert cohort == {"team_id", "id", "cohort", "closes_on", "secret", "released_at", "min_group"}
