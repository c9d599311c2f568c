"""The audit log: every view of a team's results is written down, nothing can change or delete an entry,
`pulsebot audit` prints it and admins see its latest entries in App Home."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot import scheduling
from pulsebot.cli import cli
from pulsebot.services.privacy import audit
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry
from tests.conftest import ADMIN, MANAGER, PINNED_NOW, TEAM
from tests.home_steps import open_home
from tests.pulse_data import alike, make_team, people, run_week, scores

pytestmark = pytest.mark.clock

runner = CliRunner()
LAST_WEEK = PINNED_NOW - timedelta(days=7)
MEMBERS = people(6)


def team_with_last_week(sessions, values=(4,) * 6) -> None:
    make_team(sessions, managers=(MANAGER,), now=LAST_WEEK - timedelta(days=30))
    run_week(
        sessions, survey="team-pulse", opened=LAST_WEEK, audience=MEMBERS, answers=scores(MEMBERS, values)
    )


def logged(sessions) -> list[tuple[str, str, str]]:
    with transaction(sessions) as session:
        return [(entry.actor, entry.action.value, entry.scope) for entry in audit.entries(session)]


def test_a_cli_digest_send_is_logged_per_recipient(cli_env, sessions):
    team_with_last_week(sessions)

    result = runner.invoke(cli, ["digest", "send", "team-pulse"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert logged(sessions) == [("cli", "digest_sent", "team-pulse")]
    with transaction(sessions) as session:
        assert session.exec(select(AuditEntry.detail)).one().startswith(f"to {MANAGER}, week of ")


@pytest.mark.usefixtures("jobs_runtime")
def test_scheduled_digests_and_drop_alerts_are_logged(sessions, fake_slack):
    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
    make_team(sessions, managers=(MANAGER,), now=monday - timedelta(days=60))
    for offset, values in enumerate((alike(4, 6), alike(2, 6))):
        run_week(
            sessions,
            survey="team-pulse",
            opened=monday + timedelta(weeks=offset),
            audience=MEMBERS,
            answers=scores(MEMBERS, values),
            close=offset == 0,
        )
    with freeze_time(monday + timedelta(weeks=1, days=4), tick=True):
        scheduling.close_due_runs()
    with freeze_time("2026-03-16 08:05+00:00", tick=True):
        scheduling.send_scheduled_digests()

    assert sorted(logged(sessions)[1:]) == sorted(
        [("scheduler", "digest_sent", "team-pulse"), ("scheduler", "digest_sent", "org")]
    )


def test_pulse_digest_is_logged_as_a_request(slack, fake_slack, sessions):
    team_with_last_week(sessions)

    slack.command("/pulse", "digest", user=MANAGER)
    fake_slack.wait_for("chat.postMessage")

    assert logged(sessions) == [(MANAGER, "digest_requested", "team-pulse")]


def test_home_is_logged_only_when_a_manager_or_admin_sees_figures(slack, fake_slack, sessions):
    team_with_last_week(sessions)

    open_home(slack, fake_slack, TEAM[0])  # no team of theirs
    open_home(slack, fake_slack, MANAGER)
    blocks = open_home(slack, fake_slack, ADMIN)

    assert logged(sessions) == [(MANAGER, "home_viewed", "team-pulse"), (ADMIN, "home_viewed", "org")]
    assert "Audit log" in blocks and f"<@{MANAGER}> saw team figures in App Home · team-pulse" in blocks
    assert "Audit log" not in open_home(slack, fake_slack, MANAGER)  # admins only


def test_a_hidden_week_on_home_is_not_logged(slack, fake_slack, sessions):
    team_with_last_week(sessions, values=(4,) * 3)

    open_home(slack, fake_slack, MANAGER)

    assert logged(sessions) == []


def test_admins_see_the_latest_ten_entries_newest_first(slack, fake_slack, sessions):
    with transaction(sessions) as session:
        for day in range(12):
            audit.record(
                session,
                actor="cli",
                action=AuditAction.report,
                scope=f"team-{day:02d}",
                now=datetime(2026, 11, 1 + day, 9, tzinfo=UTC),
                detail="12 weeks in the terminal",
            )

    blocks = open_home(slack, fake_slack, ADMIN)

    log = blocks[blocks.index("Audit log") :]
    shown = [f"team-{day:02d}" for day in range(12) if f"team-{day:02d}" in log]
    assert shown == [f"team-{day:02d}" for day in range(2, 12)]
    assert log.index("team-11") < log.index("team-02")
    nine_am = int(datetime(2026, 11, 12, 9, tzinfo=UTC).timestamp())  # shown in each admin's own zone
    assert f"<!date^{nine_am}^{{date_short}} {{time}}|12 Nov 09:00 UTC> cli printed a report" in log


def test_report_and_export_are_logged(cli_env, sessions, tmp_path):
    team_with_last_week(sessions)

    runner.invoke(cli, ["report", "team-pulse"], env=cli_env)
    runner.invoke(
        cli, ["export", "team-pulse", "--csv", str(tmp_path / "t.csv"), "--weeks", "4"], env=cli_env
    )

    assert logged(sessions) == [("cli", "report", "team-pulse"), ("cli", "export", "team-pulse")]
    with transaction(sessions) as session:
        assert [entry.detail for entry in audit.entries(session)] == [
            "12 weeks in the terminal",
            "4 weeks to t.csv",
        ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET actor = 'U0SOMEONE'",
        "DELETE FROM audit_entry",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(sessions, statement):
    with transaction(sessions) as session:
        audit.record(
            session, actor=ADMIN, action=AuditAction.export, scope="team-pulse", now=datetime.now(UTC)
        )

    with pytest.raises(DatabaseError, match="audit_entry is append-only"), transaction(sessions) as session:
        session.exec(text(statement))

    assert logged(sessions) == [(ADMIN, "export", "team-pulse")]


def test_pulsebot_audit_prints_entries_since_a_day(cli_env, sessions):
    with transaction(sessions) as session:
        for day, action in ((1, AuditAction.report), (5, AuditAction.export), (9, AuditAction.forget)):
            audit.record(
                session,
                actor="cli",
                action=action,
                scope="team-pulse",
                now=datetime(2026, 11, day, 9, tzinfo=UTC),
                detail=f"day {day}",
            )

    everything = runner.invoke(cli, ["audit"], env={**cli_env, "COLUMNS": "160"})
    recent = runner.invoke(cli, ["audit", "--since", "2026-11-05"], env={**cli_env, "COLUMNS": "160"})
    bad = runner.invoke(cli, ["audit", "--since", "2026-13-01"], env=cli_env)
    none = runner.invoke(cli, ["audit", "--since", "2027-01-01"], env=cli_env)

    assert everything.exit_code == recent.exit_code == 0, everything.output + recent.output
    assert all(f"day {day}" in everything.stdout for day in (1, 5, 9))
    assert "2026-11-05 09:00" in recent.stdout and "export" in recent.stdout and "forget" in recent.stdout
    assert "day 1" not in recent.stdout and "report" not in recent.stdout
    assert (bad.exit_code, bad.stderr) == (
        2,
        "pulsebot: --since: “2026-13-01” is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01\n",
    )
    assert none.stdout == "no audit entries since 2027-01-01\n"


def test_every_kind_of_audit_entry_has_its_words_in_app_home():
    from pulsebot.slack.blocks.audit import ACTIONS
    from pulsebot.store.models import AuditAction

    assert set(ACTIONS) == {action.value for action in AuditAction}
