"""The organisation's participation, every team's actions and the audit log: admins see every team, a leader
only the teams whose managers are in their reporting line (and no total that covers others), the audit log
is for admins alone, and anyone else finds nothing; every look and every refusal is audited."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from pulsebot.services.privacy import audit
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry, ResultsShare, Survey
from tests.conftest import ADMIN, MANAGER, PINNED_NOW
from tests.segments.segment_data import june_organisation, release
from tests.web.action_steps import planned
from tests.web.steps import sign_in, text_of

pytestmark = pytest.mark.clock
PAGES = ("/organisation/participation", "/organisation/actions")


@pytest.fixture
def june(sessions):
    """June's organisation, released; sales and eng have each shared a week and planned actions, sales one
    shared with the team and one kept to its managers."""
    june_organisation(sessions)
    release(sessions)
    with transaction(sessions) as session:
        for name in ("sales", "eng"):
            survey_id = session.exec(select(Survey.id).where(Survey.name == name)).one()
            session.add(
                ResultsShare(
                    survey_id=survey_id, week=date(2027, 6, 7), shared_at=PINNED_NOW, shared_by="U0X"
                )
            )
    planned(sessions, survey="sales", by="U0MSA", text="Sales pairing on hard calls", visible=True)
    planned(sessions, survey="sales", by="U0MSA", text="Kept to the sales managers")
    planned(sessions, survey="eng", by="U0MEN", text="Engineering on-call rota")


def refused(sessions) -> list[tuple[str, str]]:
    with transaction(sessions) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.web_refused)).all()
        return [(row.actor, row.detail) for row in rows]


def rows_of(body: str) -> list[str]:
    return re.findall(r'<th scope="row">(.*?)</th>', body)


def test_an_admin_sees_every_teams_participation_and_actions(visitor, fake_slack, sessions, june):
    sign_in(visitor, fake_slack, ADMIN)

    shared = html.unescape(text_of(visitor.get("/organisation/participation")))
    actions = html.unescape(text_of(visitor.get("/organisation/actions")))

    assert rows_of(shared) == [
        "eng pulse",
        "sales pulse",
        "All teams that shared (2 teams)",
        "Teams that never shared (1 team)",
    ]
    assert "— hidden: no week with a pulse that at least 5 answered" in shared  # nothing shown since sharing
    assert "Sales pairing on hard calls" in actions and "Engineering on-call rota" in actions
    assert "Kept to the sales managers" in actions and "not shared with the team · owner U0MSA" in actions
    assert 'href="/organisation/audit"' in actions
    with transaction(sessions) as session:
        viewed = session.exec(
            select(AuditEntry.detail).where(AuditEntry.action == AuditAction.web_viewed)
        ).all()
    assert viewed == [
        "organisation page, participation before and after sharing",
        "organisation page, every team's actions",
    ]


def test_a_leader_sees_only_the_teams_of_their_line_and_no_total(visitor, fake_slack, sessions, june):
    sign_in(visitor, fake_slack, "U0VPC")  # Commercial: sales and support, not eng

    shared = html.unescape(text_of(visitor.get("/organisation/participation")))
    actions = html.unescape(text_of(visitor.get("/organisation/actions")))
    log = visitor.get("/organisation/audit")

    assert rows_of(shared) == ["sales pulse"]  # no total: less their own teams, it would give the others'
    assert "eng pulse" not in shared and "All teams" not in shared
    assert "Sales pairing on hard calls" in actions and "Engineering on-call rota" not in actions
    assert "Kept to the sales managers" not in actions  # an action kept to its team's managers stays theirs
    assert "Audit log" not in actions
    assert log.status_code == 404
    assert refused(sessions) == [("U0VPC", "GET /organisation/audit: not an admin: the audit log")]


@pytest.mark.parametrize("who", [MANAGER, "U0SAL000", "U0MSA"])
def test_a_member_or_manager_outside_any_line_finds_nothing(visitor, fake_slack, sessions, june, who):
    sign_in(visitor, fake_slack, who)

    answers = [visitor.get(path) for path in (*PAGES, "/organisation/audit")]

    if who == "U0MSA":  # a manager at the foot of the line: their own team alone, no audit log
        assert [answer.status_code for answer in answers] == [200, 200, 404]
        assert "Engineering on-call rota" not in text_of(answers[1])
        assert "Sales pairing on hard calls" in html.unescape(text_of(answers[1]))
        return
    assert {answer.status_code for answer in answers} == {404}
    assert all("Sales pairing" not in text_of(answer) for answer in answers)
    assert [detail for _, detail in refused(sessions)] == [
        "GET /organisation/participation: not an admin, and no reporting line of theirs",
        "GET /organisation/actions: not an admin, and no reporting line of theirs",
        "GET /organisation/audit: not an admin: the audit log",
    ]


def test_the_audit_log_is_paginated_newest_first(visitor, fake_slack, sessions):
    with transaction(sessions) as session:
        for minute in range(60):
            audit.record(
                session,
                actor="cli",
                action=AuditAction.report,
                scope="team-pulse",
                now=datetime(2027, 6, 1, 9, 0, tzinfo=PINNED_NOW.tzinfo) + timedelta(minutes=minute),
                detail=f"entry {minute}",
            )
    sign_in(visitor, fake_slack, ADMIN)

    first = text_of(visitor.get("/organisation/audit"))
    older = re.search(r'href="/organisation/audit\?before=(\d+)" rel="next">Older entries', first).group(1)
    second = text_of(visitor.get(f"/organisation/audit?before={older}"))
    not_a_number = visitor.get("/organisation/audit?before=nonsense")

    assert first.count("<tr><td>") == 50 and "The newest entries" not in first
    assert "Older entries" not in second and 'href="/organisation/audit">The newest entries' in second
    # The newest first: the sign-in's entries, then the 60 written, each once, from the last one down, though
    # each look at the log is itself written to it meanwhile.
    entries = re.findall(r"<td>entry (\d+)</td>", first + second)
    assert entries == [str(n) for n in range(59, -1, -1)]
    assert first.index("<tr><td>") < first.index("entry 59")
    assert not_a_number.status_code == 200 and "entry 59" in text_of(not_a_number)
