"""Every comment and idea is stored with its sentiment score (the label follows from the score)."""

from datetime import UTC, datetime

from sqlmodel import select

from pulsebot.services.idea.ideas import post_idea
from pulsebot.services.results.sentiment import NEGATIVE_FROM, POSITIVE_FROM
from pulsebot.store.db import transaction
from pulsebot.store.models import Answer, Idea
from tests.conftest import ANON_KEY
from tests.pulse_data import make_team, people, run_week

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_a_comment_is_stored_with_its_sentiment_and_a_new_comment_replaces_it(sessions):
    make_team(sessions, now=NOW)
    team = people(5)
    run_id = run_week(
        sessions,
        survey="team-pulse",
        opened=NOW,
        audience=team,
        close=False,
        comments={team[0]: "I love this team, wonderful week!"},
    )
    with sessions() as session:
        assert session.exec(select(Answer.sentiment)).one() >= POSITIVE_FROM

    from pulsebot.services.pulse.answers import record_comment

    with transaction(sessions) as session:
        question_id = session.exec(select(Answer.question_id)).one()
        record_comment(
            session,
            run_id=run_id,
            question_id=question_id,
            user_id=team[0],
            comment="Awful, exhausting week.",
            key=ANON_KEY.encode(),
            now=NOW,
        )
    with sessions() as session:
        assert session.exec(select(Answer.sentiment)).one() <= NEGATIVE_FROM


def test_an_idea_is_stored_with_its_sentiment(sessions):
    with transaction(sessions) as session:
        post_idea(
            session,
            user_id="U0A",
            text="Refunds are painfully slow and customers hate it",
            key=ANON_KEY.encode(),
            now=NOW,
        )
    with sessions() as session:
        assert session.exec(select(Idea.sentiment)).one() <= NEGATIVE_FROM
