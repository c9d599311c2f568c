"""The dashboard's page of new joiners (/organisation/onboarding): the released cohorts, read from the
figures stored at each release, for pulsebot's admins; anyone else finds nothing, and the attempt is
audited."""

from __future__ import annotations

import html

import pytest
from sqlmodel import select

from pulsebot.services.onboarding.questions import onboarding_questions
from pulsebot.store.models import AuditAction, AuditEntry
from tests.conftest import ADMIN, MANAGER
from tests.onboarding.steps import CLOSES_ON, TODAY, answer_all, import_joiners, joiners, onboarding_job
from tests.web.steps import sign_in, text_of

pytestmark = pytest.mark.clock


def test_admins_see_released_cohorts_and_nobody_else_does(
    slack, client, sessions, settings, fake_slack, visitor, web_app
):
    people = joiners(5)
    import_joiners(sessions, people)
    onboarding_job(client, sessions, settings, on=TODAY)
    for user_id, value in zip(people, [3, 4, 4, 5, 2], strict=True):
        answer_all(slack, sessions, user_id, value)
    fake_slack.wait_for("response_url", 5 * len(onboarding_questions()))
    sign_in(visitor, fake_slack, ADMIN)
    assert 'href="/organisation/onboarding"' in text_of(visitor.get("/organisation"))
    assert "No cohort of new joiners is released yet" in text_of(visitor.get("/organisation/onboarding"))

    onboarding_job(client, sessions, settings, on=CLOSES_ON)
    body = html.unescape(text_of(visitor.get("/organisation/onboarding")))
    assert '<th scope="row">2027-Q2</th>' in body and "<td>3.6</td>" in body and "— fewer than 5" in body

    manager = web_app.test_client()
    sign_in(manager, fake_slack, MANAGER)
    refused = manager.get("/organisation/onboarding")
    assert refused.status_code == 404 and "2027-Q2" not in text_of(refused)
    with sessions() as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.web_refused)).all()
    assert [entry.actor for entry in entries] == [MANAGER]
