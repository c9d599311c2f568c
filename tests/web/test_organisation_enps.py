"""The Organisation section's "What moves eNPS": the admins' digest's correlations of each driver with eNPS
across the teams' released windows, in the same words, with the sample size; admins only, since it runs
over every team; every look and every refusal is audited."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry
from tests.conftest import ADMIN, MANAGER
from tests.drivers.test_heatmap import teams_with_enps
from tests.web.steps import sign_in, text_of

pytestmark = pytest.mark.clock


def audited(sessions, action: AuditAction) -> list[str]:
    with transaction(sessions) as session:
        return list(session.exec(select(AuditEntry.detail).where(AuditEntry.action == action)).all())


def test_an_admin_reads_each_drivers_link_with_enps_and_its_sample_size(visitor, fake_slack, sessions):
    teams_with_enps(sessions, 7)
    sign_in(visitor, fake_slack, ADMIN)

    page = visitor.get("/organisation/enps")

    assert page.status_code == 200
    body = html.unescape(text_of(page))
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(\d+)</td></tr>', body)
    assert len(rows) == 2 and all(windows == "21" for _, _, windows in rows)
    assert float(rows[0][1]) > 0.8  # the strongest link first
    assert "It is a correlation, not a cause" in body
    assert "organisation page, what moves eNPS" in audited(sessions, AuditAction.web_viewed)


def test_too_few_team_windows_say_so_and_show_no_figure(visitor, fake_slack, sessions):
    teams_with_enps(sessions, 6)
    sign_in(visitor, fake_slack, ADMIN)

    body = html.unescape(text_of(visitor.get("/organisation/enps")))

    assert "Not enough data yet: this needs at least 20 team-windows" in body
    assert "<table" not in body


def test_a_manager_finds_nothing_and_the_attempt_is_audited(visitor, fake_slack, sessions):
    teams_with_enps(sessions, 7)
    sign_in(visitor, fake_slack, MANAGER)

    page = visitor.get("/organisation/enps")

    assert page.status_code == 404
    assert "team-windows" not in text_of(page)
    assert audited(sessions, AuditAction.web_refused) == [
        "GET /organisation/enps: not an admin: what moves eNPS runs over every team"
    ]
