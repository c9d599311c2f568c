"""The read-only API: a team's figures are its digest's, a hidden week comes back hidden with its reason,
lists are paged, and every call needs a token of the workspace and scope it reads."""

from __future__ import annotations

import random

import pytest
from sqlmodel import select

from pulsebot.services.api import tokens
from pulsebot.services.digest import digest_text as words
from pulsebot.services.digest.digests import build_digests
from pulsebot.services.idea.ideas import post_idea
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry
from tests.conftest import ANON_KEY, MANAGER, PINNED_NOW
from tests.pulse_data import make_team, people, run_week, scores
from tests.web.api_steps import bearer, make_token
from tests.web.steps import sign_in
from tests.web.team_data import team_with_weeks

pytestmark = pytest.mark.clock


@pytest.fixture
def team(sessions):
    return team_with_weeks(sessions, now=PINNED_NOW)


def the_digest(sessions, name="team-pulse", weeks=12):
    with transaction(sessions) as session:
        digests, _ = build_digests(
            session, now=PINNED_NOW, min_group=5, weeks=weeks, survey_names=[name], rng=random.Random(1)
        )
    return words.as_shown(digests[name])


def refusals(sessions) -> list[str]:
    with transaction(sessions) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.api_refused)).all()
        return [row.detail for row in rows]


def test_a_team_s_weeks_are_exactly_its_digest_s(visitor, sessions, team):
    token = make_token(sessions, "teams")

    answer = visitor.get("/api/v1/teams/team-pulse/weeks", headers=bearer(token))

    assert answer.status_code == 200 and answer.content_type == "application/json"
    body, digest = answer.get_json(), the_digest(sessions)
    week = body["week"]
    assert week["week"] == digest.week.isoformat() and week["hidden"] is False
    figures = digest.figures
    for field in ("respondents", "audience", "response_rate", "score", "enps", "comments", "sentiment"):
        assert week[field] == getattr(figures, field), field
    assert week["score_change"] == figures.score_change
    assert [(q["key"], q["mean"], q["answers"]) for q in week["questions"] if not q["hidden"]] == [
        (q.key, q.mean, q.answers) for q in figures.questions if q.status.value == "shown" and not q.too_alike
    ]
    assert [(w["week"], w["status"], w.get("score")) for w in body["trend"]] == [
        (w.week.isoformat(), w.status.value, w.score) for w in reversed(digest.trend)
    ]
    with transaction(sessions) as session:
        viewed = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.api_viewed)).one()
    assert (viewed.actor, viewed.scope) == ("api-token-1", "team-pulse") and "team weeks" in viewed.detail


def test_a_team_s_drivers_are_its_digest_s(visitor, sessions, team):
    token = make_token(sessions, "teams")

    body = visitor.get("/api/v1/teams/team-pulse/drivers", headers=bearer(token)).get_json()

    digest = the_digest(sessions)
    if digest.drivers is None:
        assert body["drivers"] is None and body["reason"]
    else:
        assert [(d["driver"], d.get("score")) for d in body["drivers"]] == [
            (d.driver, d.score) for d in digest.drivers.drivers
        ]


def test_a_hidden_team_s_figures_come_back_hidden_with_the_reason(visitor, sessions):
    make_team(sessions, name="small-team", now=PINNED_NOW)
    few = people(3, prefix="S")
    run_week(
        sessions,
        survey="small-team",
        opened=PINNED_NOW.replace(day=7),
        audience=few,
        answers=scores(few, [3, 4, 2]),
    )
    token = make_token(sessions, "teams")

    body = visitor.get("/api/v1/teams/small-team/weeks", headers=bearer(token)).get_json()

    shown = [week for week in body["trend"] if week["status"] == "suppressed"]
    assert shown, body["trend"]
    for week in shown:
        assert week["hidden"] is True and week["reason"] == "fewer than 5 answered"
        assert "score" not in week and "respondents" not in week and "questions" not in week


def test_an_answer_added_after_the_release_changes_nothing_the_api_returns(visitor, sessions, team):
    """The API reads the released figures: an answer that reaches the database after a run's release
    (by any path) moves no figure, so no two calls can be subtracted to find it."""
    token = make_token(sessions, "teams")
    before = visitor.get("/api/v1/teams/team-pulse/weeks", headers=bearer(token)).get_json()
    drivers_before = visitor.get("/api/v1/teams/team-pulse/drivers", headers=bearer(token)).get_json()

    with transaction(sessions) as session:
        from pulsebot.store.models import Answer, PulseRun, Question

        run = session.exec(select(PulseRun).order_by(PulseRun.opened_at.desc())).first()
        question = session.exec(select(Question).where(Question.key == "workload")).first()
        session.add(
            Answer(
                run_id=run.id, question_id=question.id, respondent="late-one", run_date=run.run_date, value=1
            )
        )

    assert visitor.get("/api/v1/teams/team-pulse/weeks", headers=bearer(token)).get_json() == before
    assert visitor.get("/api/v1/teams/team-pulse/drivers", headers=bearer(token)).get_json() == drivers_before


def test_lists_are_paged_with_a_most(visitor, sessions):
    with transaction(sessions) as session:
        for number in range(7):
            post_idea(
                session,
                user_id=f"U0IDEA{number}",
                text=f"Idea {number}",
                key=ANON_KEY.encode(),
                now=PINNED_NOW,
            )
    token = make_token(sessions, "ideas")

    first = visitor.get("/api/v1/ideas?limit=3", headers=bearer(token)).get_json()
    third = visitor.get("/api/v1/ideas?limit=3&page=3", headers=bearer(token)).get_json()

    assert (first["total"], first["page"], first["next_page"], len(first["data"])) == (7, 1, 2, 3)
    assert (third["next_page"], len(third["data"])) == (None, 1)
    every = [
        idea["id"]
        for page in (1, 2, 3)
        for idea in visitor.get(f"/api/v1/ideas?limit=3&page={page}", headers=bearer(token)).get_json()[
            "data"
        ]
    ]
    assert sorted(every) == sorted(set(every)) and len(every) == 7
    too_many = visitor.get("/api/v1/ideas?limit=101", headers=bearer(token))
    assert too_many.status_code == 400 and too_many.get_json()["error"] == "bad_parameter"


def test_an_anonymous_idea_comes_back_without_its_author(visitor, sessions):
    with transaction(sessions) as session:
        post_idea(
            session,
            user_id="U0SECRET",
            text="Quiet rooms",
            key=ANON_KEY.encode(),
            now=PINNED_NOW,
            anonymous=True,
        )
    token = make_token(sessions, "ideas")

    answer = visitor.get("/api/v1/ideas", headers=bearer(token))

    assert answer.get_json()["data"][0]["author"] is None and "U0SECRET" not in answer.get_data(as_text=True)


def test_no_token_a_bad_one_or_a_revoked_one_is_refused_with_a_json_error(visitor, sessions, team):
    token = make_token(sessions, "teams")
    other = make_token(sessions, "teams")
    with transaction(sessions) as session:
        tokens.revoke_token(session, token_id=tokens.presented(other).id, now=PINNED_NOW, team_id="")

    missing = visitor.get("/api/v1/teams")
    wrong = visitor.get("/api/v1/teams", headers=bearer(token[:-4] + "AAAA"))
    revoked = visitor.get("/api/v1/teams", headers=bearer(other))
    not_ours = visitor.get("/api/v1/teams", headers=bearer("xoxb-not-ours"))

    for answer, error in (
        (missing, "no_token"),
        (wrong, "invalid_token"),
        (revoked, "revoked_token"),
        (not_ours, "invalid_token"),
    ):
        assert answer.status_code == 401 and answer.get_json()["error"] == error
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert [detail.split(": ")[1] for detail in refusals(sessions)] == [
        "its secret does not match",
        "it was revoked",
    ]


def test_a_token_without_the_scope_is_refused_and_audited(visitor, sessions, team):
    token = make_token(sessions, "ideas")

    answer = visitor.get("/api/v1/teams/team-pulse/weeks", headers=bearer(token))

    assert answer.status_code == 403 and answer.get_json()["error"] == "missing_scope"
    assert refusals(sessions) == ["GET /api/v1/teams/team-pulse/weeks: it has no teams scope"]


def test_the_dashboard_s_session_cookie_alone_reads_nothing(visitor, fake_slack, sessions, team):
    sign_in(visitor, fake_slack, MANAGER)
    assert visitor.get("/team/team-pulse").status_code == 200  # signed in, the page is theirs

    answer = visitor.get("/api/v1/teams/team-pulse/weeks")

    assert answer.status_code == 401 and answer.get_json()["error"] == "session_not_accepted"


def test_the_api_is_read_only_and_answers_json_everywhere(visitor, sessions, team):
    token = make_token(sessions)

    posted = visitor.post("/api/v1/teams", headers=bearer(token))
    unknown = visitor.get("/api/v1/nothing", headers=bearer(token))
    no_team = visitor.get("/api/v1/teams/no-such-team/weeks", headers=bearer(token))

    assert posted.status_code == 405 and posted.get_json()["error"] == "read_only"
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "not_found"
    assert no_team.status_code == 404 and no_team.get_json()["error"] == "not_found"


def plan_an_action(sessions, *, text="Shorter meetings"):
    from datetime import timedelta

    from pulsebot.services.loop import actions
    from pulsebot.services.loop.focus import focus_options

    with transaction(sessions) as session:
        today = actions.team_today(session, survey_name="team-pulse", now=PINNED_NOW)
        focus = focus_options(session, survey_name="team-pulse", now=PINNED_NOW, min_group=5).all[0]
        return actions.create_action(
            session,
            survey_name="team-pulse",
            focus_kind=focus.kind,
            focus_key=focus.key,
            text=text,
            owner_id=MANAGER,
            due_on=today + timedelta(days=14),
            visible=True,
            created_by=MANAGER,
            now=PINNED_NOW,
            today=today,
            min_group=5,
            is_admin=True,
        )


def test_actions_are_listed_as_the_team_s_post_shows_them(visitor, sessions, team):
    plan_an_action(sessions)
    token = make_token(sessions, "actions")

    body = visitor.get("/api/v1/actions?team=team-pulse", headers=bearer(token)).get_json()

    assert [(a["team"], a["text"], a["status"]) for a in body["data"]] == [
        ("team-pulse", "Shorter meetings", "planned")
    ]
