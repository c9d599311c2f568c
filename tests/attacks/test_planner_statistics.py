"""Attack: read back from the planner's statistics what pulsebot destroyed.

PostgreSQL's ANALYZE (autovacuum runs one whenever a table has changed enough) copies column values into
`pg_statistic`: most common values and histograms. Whoever holds the database reads them in `pg_stats`,
and below SQL in the pages of `pg_statistic`, where an old version of a row stays as a dead tuple after
the next ANALYZE. Here ANALYZE runs while the values live and again once pulsebot has destroyed them
(after the reply window, forget-me, retention, a withheld "Is this helping?" round), and the reader finds
none of them. On SQLite, whose ANALYZE keeps counts only, the same attack reads the sqlite_stat tables
and the files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import text
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.privacy import retention
from pulsebot.services.privacy.anonymity import helping_token
from pulsebot.slack.blocks.forgetting import FORGET_ME_ACTION
from pulsebot.store.models import ActionCheck, PulseRun, RunSecret
from tests.conftest import ANON_KEY
from tests.crowd import CROWD
from tests.loop.test_is_this_helping import answer, run_sweep, shared_action
from tests.pulse_data import make_team, people, run_week, scores
from tests.store.test_at_rest import LEAVER, NOW, leaver_s_traces
from tests.stored_bytes import analyze, statistics_holding

KEY = ANON_KEY.encode()


def column_statistics(engine, table: str) -> dict[str, str]:
    """The values the statistics show of each column of `table` (PostgreSQL; SQLite keeps none)."""
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT attname, concat(most_common_vals::text, histogram_bounds::text) FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = :table"
            ),
            {"table": table},
        )
        return {column: values for column, values in rows if values}


@pytest.mark.usefixtures("jobs_runtime")
def test_destroyed_run_secrets_are_not_in_the_statistics(engine, sessions, settings):
    make_team(sessions, now=NOW - timedelta(days=90))
    audience = people(6)
    runs = [
        run_week(
            sessions, survey="team-pulse", opened=opened, audience=audience, answers=scores(audience, [3] * 6)
        )
        for opened in (NOW - timedelta(days=60), NOW - timedelta(days=53), NOW - timedelta(days=46))
    ]
    with sessions() as session:
        secrets = [session.get(RunSecret, run_id).secret for run_id in runs]
        last_closed = session.get(PulseRun, runs[-1]).closed_at
    analyze(engine)  # while the runs' keys still tie their answers to people

    with freeze_time(last_closed + timedelta(days=settings.reply_window_days, minutes=1)):
        scheduling.rotate_answer_keys()
    analyze(engine)

    with sessions() as session:
        assert all(session.get(RunSecret, run_id).secret is None for run_id in runs)
    # With a secret and the key, every answer of its run could be tied to its author again.
    for secret in secrets:
        assert statistics_holding(engine, secret) == []


def test_a_forgotten_person_is_not_in_the_statistics(slack, fake_slack, engine, sessions):
    leaver_s_traces(sessions)
    analyze(engine)

    slack.command("/pulse", "forget-me", user=LEAVER)
    slack.click(action_id=FORGET_ME_ACTION, value="forget", user=LEAVER)
    assert fake_slack.wait_for("response_url")[-1]["text"].startswith("*Done: pulsebot has forgotten you.*")
    analyze(engine)

    assert statistics_holding(engine, LEAVER) == []


def test_what_retention_deleted_is_not_in_the_statistics(engine, sessions):
    only_then, comment = "U07ONLYTHEN9", "the rota is unfair to Zoltan"
    audience = [*people(5), only_then]
    make_team(sessions, now=NOW - timedelta(days=400))
    run_week(
        sessions,
        survey="team-pulse",
        opened=NOW - timedelta(days=200),
        audience=audience,
        answers=scores(audience, [4, 4, 5, 3, 4, 2]),
        comments={audience[0]: comment},
    )
    analyze(engine)

    outcome = retention.run_retention(sessions, days=100, min_group=5, now=NOW)
    analyze(engine)

    assert outcome.answers and outcome.deliveries
    assert statistics_holding(engine, only_then) == []
    assert statistics_holding(engine, comment) == []


def test_a_withheld_round_of_is_this_helping_leaves_no_answer_in_the_statistics(
    crowd, client, sessions, settings, engine
):
    action_id = shared_action(sessions)
    now = datetime.now(UTC)
    run_sweep(client, sessions, settings, at=now)
    with sessions() as session:
        check = session.exec(select(ActionCheck).where(ActionCheck.action_id == action_id)).one()
        check_id, secret = check.id, check.secret
    answering = CROWD[: settings.min_group - 1]
    for person in answering:
        answer(crowd, check_id, person, "no")
    crowd.wait_pending(len(answering))
    crowd.mixer.flush()
    assert column_statistics(engine, "action_check_answer") == {}  # nothing before ANALYZE sees them
    analyze(engine)

    run_sweep(client, sessions, settings, at=now + timedelta(days=8))
    analyze(engine)

    with sessions() as session:
        assert session.get(ActionCheck, check_id).withheld
    # Neither how many answered nor how (all "no"), nor the tokens and key that would say who answered.
    assert column_statistics(engine, "action_check_answer") == {}
    tokens = [helping_token(KEY, secret, check_id=check_id, user_id=person) for person in answering]
    for needle in [secret, *tokens]:
        assert statistics_holding(engine, needle) == []
