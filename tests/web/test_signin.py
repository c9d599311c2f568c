"""Sign in with Slack: the id token is believed only when Slack signed it for this app and this sign-in,
in a workspace pulsebot serves; the session id is new at every sign-in and lives in a __Host- cookie."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import text
from sqlmodel import select

from pulsebot.store.db import transaction
from pulsebot.store.models import WebSession, WebSignIn
from tests.conftest import ADMIN, MANAGER, PINNED_NOW
from tests.pulse_data import make_team
from tests.web.conftest import WEB_URL
from tests.web.steps import (
    COOKIE,
    callback_path,
    follow_slack,
    session_cookie,
    sign_in,
    text_of,
)

pytestmark = pytest.mark.clock


@pytest.fixture
def team(sessions):
    return make_team(sessions, managers=(MANAGER,), now=PINNED_NOW - timedelta(days=30))


def web_sessions(sessions) -> list[WebSession]:
    with transaction(sessions) as session:
        return list(session.exec(select(WebSession)).all())


def test_a_manager_signs_in_with_slack_and_sees_their_teams(visitor, fake_slack, sessions, team):
    answer = sign_in(visitor, fake_slack, MANAGER)

    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert {"Secure", "HttpOnly", "Path=/", "SameSite=Lax"} <= {part.strip() for part in cookie.split(";")}
    assert "Domain" not in cookie and "Max-Age" not in cookie  # a __Host- cookie, gone with the visitor
    home = visitor.get("/")
    assert home.status_code == 200 and "Weekly team pulse" in text_of(home)
    (stored,) = web_sessions(sessions)
    assert (stored.user_id, stored.role, stored.team_id) == (MANAGER, "manager", "")
    assert stored.id_hash != session_cookie(visitor)  # only the id's hash is kept
    assert fake_slack.calls_to("openid.connect.token")[-1]["redirect_uri"] == WEB_URL + "/auth/slack/callback"
    authorize = fake_slack.calls_to("GET /openid/connect/authorize")[-1]
    assert authorize["scope"] == "openid" and authorize["nonce"] and authorize["state"]


def test_the_users_access_token_is_not_kept(visitor, fake_slack, engine, team):
    sign_in(visitor, fake_slack, MANAGER)

    with engine.connect() as connection:
        for table in ("web_session", "web_signin", "audit_entry"):
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()
            assert not any("xoxp" in str(value) for row in rows for value in row)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda openid: openid.forge(), id="a forged signature"),
        pytest.param(lambda openid: openid.tamper(exp=int(time.time()) - 60), id="an expired token"),
        pytest.param(lambda openid: openid.tamper(aud="9999.other-app"), id="another app's token"),
        pytest.param(lambda openid: openid.tamper(nonce="another-sign-in"), id="another sign-in's nonce"),
        pytest.param(lambda openid: openid.tamper(nonce=None), id="no nonce"),
        pytest.param(lambda openid: openid.tamper(iss="https://evil.example"), id="another issuer"),
    ],
)
def test_an_id_token_that_cannot_be_trusted_signs_no_one_in(visitor, fake_slack, sessions, team, spoil):
    spoil(fake_slack.openid)

    answer = sign_in(visitor, fake_slack, MANAGER)

    assert answer.status_code == 403
    assert "could not be verified" in text_of(answer)
    assert session_cookie(visitor) is None and web_sessions(sessions) == []
    assert visitor.get("/").status_code == 302  # still sent to sign in


def test_someone_of_a_workspace_pulsebot_does_not_serve_is_not_signed_in(visitor, fake_slack, sessions, team):
    answer = sign_in(visitor, fake_slack, MANAGER, team="T0GLOBEX")

    assert answer.status_code == 403 and "does not serve that Slack workspace" in text_of(answer)
    assert web_sessions(sessions) == []


def test_a_sign_in_finishes_once_and_only_in_the_browser_that_started_it(web_app, fake_slack, sessions, team):
    victim, attacker = web_app.test_client(), web_app.test_client()
    fake_slack.openid.sign_in_as(MANAGER)
    # The attacker starts a sign-in and sends its way back from Slack to someone else's visitor (login CSRF).
    back = callback_path(follow_slack(attacker.get("/auth/slack/start").headers["Location"]))

    assert victim.get(back).status_code == 400
    assert attacker.get(back).status_code == 400  # the sign-in was used up by the first try
    assert web_sessions(sessions) == []


def test_a_sign_in_left_too_long_cannot_be_finished(visitor, fake_slack, sessions, team):
    fake_slack.openid.sign_in_as(MANAGER)
    back = callback_path(follow_slack(visitor.get("/auth/slack/start").headers["Location"]))

    with freeze_time(PINNED_NOW + timedelta(minutes=11), tick=True):
        assert visitor.get(back).status_code == 400
    with transaction(sessions) as session:
        assert session.exec(select(WebSignIn)).all() == []


def test_the_session_id_is_new_at_sign_in_and_a_planted_one_is_ended(web_app, fake_slack, sessions, team):
    attacker, victim = web_app.test_client(), web_app.test_client()
    sign_in(attacker, fake_slack, ADMIN)
    planted = session_cookie(attacker)
    victim.set_cookie(COOKIE, planted, domain="localhost")

    sign_in(victim, fake_slack, MANAGER)

    assert session_cookie(victim) not in (None, planted)
    assert attacker.get("/").status_code == 302  # the planted session is over, for whoever holds it
    assert [row.user_id for row in web_sessions(sessions)] == [MANAGER]


def test_signing_out_ends_the_session(visitor, fake_slack, sessions, team):
    sign_in(visitor, fake_slack, MANAGER)
    old = session_cookie(visitor)
    page = text_of(visitor.get("/"))
    token = page.split('name="csrf_token" value="')[1].split('"')[0]

    out = visitor.post("/auth/signout", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "same-origin"})

    assert out.status_code == 302 and "/signin?ended=out" in out.headers["Location"]
    assert session_cookie(visitor) is None and web_sessions(sessions) == []
    visitor.set_cookie(COOKIE, old, domain="localhost")  # the old id, kept and tried again
    assert visitor.get("/").status_code == 302


def test_a_session_ends_when_idle_and_when_too_old(visitor, fake_slack, sessions, team):
    sign_in(visitor, fake_slack, MANAGER)

    with freeze_time(PINNED_NOW + timedelta(minutes=29), tick=True):
        assert visitor.get("/").status_code == 200
    with freeze_time(PINNED_NOW + timedelta(minutes=29 + 31), tick=True):
        answer = visitor.get("/")
    assert answer.status_code == 302 and "ended=expired" in answer.headers["Location"]

    sign_in(visitor, fake_slack, MANAGER)
    for minutes in range(25, 12 * 60, 25):  # used every 25 minutes, never idle: still over after 12 hours
        with freeze_time(PINNED_NOW + timedelta(minutes=minutes), tick=True):
            assert visitor.get("/").status_code == 200, minutes
    with freeze_time(PINNED_NOW + timedelta(hours=12, minutes=1), tick=True):
        assert visitor.get("/").status_code == 302
    assert web_sessions(sessions) == []


def test_sessions_left_to_expire_are_removed_at_the_next_sign_in(web_app, fake_slack, sessions, team):
    sign_in(web_app.test_client(), fake_slack, ADMIN)  # and never seen again

    with freeze_time(PINNED_NOW + timedelta(minutes=31), tick=True):
        sign_in(web_app.test_client(), fake_slack, MANAGER)

    assert [row.user_id for row in web_sessions(sessions)] == [MANAGER]


def test_a_session_opened_with_other_rights_is_ended(visitor, fake_slack, sessions, team):
    sign_in(visitor, fake_slack, MANAGER)
    assert visitor.get("/team/team-pulse").status_code == 200

    make_team(sessions, managers=(), now=PINNED_NOW)  # the survey no longer names them

    answer = visitor.get("/team/team-pulse")
    assert answer.status_code == 302 and "ended=rights" in answer.headers["Location"]
    assert web_sessions(sessions) == []
    sign_in(visitor, fake_slack, MANAGER)  # signing in again gives what they may see now
    assert visitor.get("/team/team-pulse").status_code == 404


def test_forget_me_signs_the_person_out_everywhere(visitor, fake_slack, sessions, team):
    from pulsebot.services.privacy.forgetting import forget_person
    from tests.conftest import ANON_KEY

    sign_in(visitor, fake_slack, MANAGER)

    with transaction(sessions) as session:
        forget_person(session, user_id=MANAGER, key=ANON_KEY.encode(), actor="forget-me", now=PINNED_NOW)

    assert web_sessions(sessions) == [] and visitor.get("/").status_code == 302
