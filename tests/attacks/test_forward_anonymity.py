"""Attack: after the reply window, recompute every answer token with the database AND the key.

PULSEBOT_REPLY_WINDOW_DAYS after a run closes, its answer-key material is destroyed: from then on the
operator holding both the database and PULSEBOT_ANON_KEY tries every person of the workspace against
every run, with every way a token was ever made, and ties no answer to anyone. The secret's bytes are
gone from the files too, and a manager's reply button on one of its comments explains why it no
longer works."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.privacy.anonymity import answer_token, token
from pulsebot.services.pulse.answer_keys import respondent_token
from pulsebot.store.models import Answer, PulseRun, RunSecret
from tests.conftest import ANON_KEY
from tests.reply_steps import AUTHORS, digest_with_comments, refused_click
from tests.stored_bytes import where_found

KEY = ANON_KEY.encode()
BOSS = "U0BOSS"

pytestmark = pytest.mark.usefixtures("jobs_runtime")


def test_after_the_window_not_even_the_key_ties_an_answer_to_anyone(
    sessions, engine, client, fake_slack, settings, slack
):
    refs = digest_with_comments(sessions, client, fake_slack, settings, manager=BOSS)
    with sessions() as session:
        run = session.exec(select(PulseRun)).one()
        secret = session.get(RunSecret, run.id).secret
        # Within the window pulsebot finds a person's answer again (to relay a reply, say).
        author_token = respondent_token(session, key=KEY, run_id=run.id, user_id=AUTHORS[0])
        assert author_token in {answer.respondent for answer in session.exec(select(Answer))}

    with freeze_time(run.closed_at + timedelta(days=settings.reply_window_days, minutes=1)):
        scheduling.rotate_answer_keys()

    with sessions() as session:
        assert session.get(RunSecret, run.id).secret is None
        stored = {answer.respondent for answer in session.exec(select(Answer))}
        # The answers, comments and figures are all still there...
        assert len(stored) == len(AUTHORS)
    # ...but no one the workspace has ever had, under any token pulsebot ever made, owns one.
    everyone = [*fake_slack.users, *AUTHORS]
    guesses = {token(KEY, "answer", person, run.id) for person in everyone}  # the key alone
    with sessions() as session:
        secrets_left = session.exec(select(RunSecret.secret).where(RunSecret.secret.is_not(None))).all()
        assert respondent_token(session, key=KEY, run_id=run.id, user_id=AUTHORS[0]) is None
    guesses |= {  # the key with any key material still stored
        answer_token(KEY, left, run_id=run.id, user_id=person) for left in secrets_left for person in everyone
    }
    assert not guesses & stored
    # The destroyed secret's bytes are nowhere in the files (no free page, no dead tuple, no index, no
    # TOAST, no log).
    assert where_found(engine, secret, ("run_secret",)) == []

    refusal = refused_click(
        slack, fake_slack, action_id="reply_comment", value=next(iter(refs.values())), user=BOSS
    )
    assert refusal.startswith("Anonymous replies to this comment ended on ")


def test_runs_from_before_per_run_keys_are_keyed_and_their_old_tokens_match_no_one(
    sessions, engine, client, fake_slack, settings
):
    digest_with_comments(sessions, client, fake_slack, settings, manager=BOSS)
    with sessions() as session:
        run = session.exec(select(PulseRun)).one()
        secret = session.get(RunSecret, run.id).secret
    # As a database from before this version holds it: no key material, answers under the old tokens.
    with sessions() as session:
        for answer in session.exec(select(Answer)).all():
            person = next(
                p for p in AUTHORS if answer_token(KEY, secret, run_id=run.id, user_id=p) == answer.respondent
            )
            answer_row = {**answer.model_dump(), "respondent": token(KEY, "answer", person, run.id)}
            session.delete(answer)
            session.flush()
            session.add(Answer(**answer_row))
        session.delete(session.get(RunSecret, run.id))
        session.commit()

    with freeze_time(run.closed_at + timedelta(days=1)):
        scheduling.rotate_answer_keys()  # within the window: keyed anew, still found for its people

    with sessions() as session:
        stored = {answer.respondent for answer in session.exec(select(Answer))}
        assert not {token(KEY, "answer", person, run.id) for person in AUTHORS} & stored
        assert respondent_token(session, key=KEY, run_id=run.id, user_id=AUTHORS[0]) in stored


def test_a_legacy_run_already_past_its_window_belongs_to_no_one_at_once(
    sessions, client, fake_slack, settings
):
    digest_with_comments(sessions, client, fake_slack, settings, manager=BOSS)
    with sessions() as session:
        run = session.exec(select(PulseRun)).one()
        session.delete(session.get(RunSecret, run.id))
        session.commit()

    with freeze_time(run.closed_at + timedelta(days=settings.reply_window_days + 1)):
        scheduling.rotate_answer_keys()

    with sessions() as session:
        assert session.get(RunSecret, run.id).secret is None
        assert len(session.exec(select(Answer)).all()) == len(AUTHORS) + 2  # scores and comments stay
