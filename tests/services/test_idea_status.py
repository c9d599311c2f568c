"""The status workflow's rules, move by move, and finding an anonymous idea's author by token."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from pulsebot.services.errors import Invalid, NotAllowed
from pulsebot.services.idea.idea_status import NEXT, change_status, find_author, parse_status
from pulsebot.services.idea.ideas import post_idea
from pulsebot.services.privacy.roles import Role, role_of
from pulsebot.store.db import transaction
from pulsebot.store.models import Idea, IdeaStatus
from tests.conftest import ANON_KEY, TEAM

KEY = ANON_KEY.encode()
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
S = IdeaStatus
LEGAL = {
    (S.new, S.under_review),
    (S.new, S.planned),
    (S.new, S.done),
    (S.new, S.declined),
    (S.under_review, S.planned),
    (S.under_review, S.done),
    (S.under_review, S.declined),
    (S.planned, S.under_review),
    (S.planned, S.done),
    (S.planned, S.declined),
    (S.done, S.under_review),
    (S.declined, S.under_review),
}


def idea_in(sessions, status: IdeaStatus, *, anonymous: bool = False) -> int:
    with transaction(sessions) as session:
        idea = post_idea(
            session, user_id=TEAM[0], text="Faster refunds", key=KEY, now=NOW, anonymous=anonymous
        )
        session.get(Idea, idea.id).status = status
        return idea.id


def move(sessions, idea_id: int, status: IdeaStatus, *, role: Role = Role.admin, reason: str | None = "why"):
    with transaction(sessions) as session:
        return change_status(
            session, idea_id=idea_id, status=status, user_id="U0BOSS", role=role, now=NOW, reason=reason
        )


def test_the_documented_moves_are_exactly_the_legal_ones():
    assert {(source, target) for source, targets in NEXT.items() for target in targets} == LEGAL


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_an_admin_can_make_every_legal_move(sessions, source, target):
    idea_id = idea_in(sessions, source)

    change = move(sessions, idea_id, target)

    assert (change.previous, change.idea.status, change.idea.reason) == (source, target, "why")
    assert change.reopened == (source in (S.done, S.declined))
    with sessions() as session:
        assert session.get(Idea, idea_id).status is target


@pytest.mark.parametrize(
    ("source", "target"), sorted((s, t) for s in S for t in S if s is not t and (s, t) not in LEGAL)
)
def test_every_other_move_is_refused_and_changes_nothing(sessions, source, target):
    idea_id = idea_in(sessions, source)

    with pytest.raises(Invalid) as refused:
        move(sessions, idea_id, target)

    assert refused.value.message.startswith(
        ("An idea can't go back to New", f"#{idea_id} is {'Done' if source is S.done else 'Declined'}")
    )
    with sessions() as session:
        assert session.get(Idea, idea_id).status is source


def test_only_an_admin_reopens(sessions):
    idea_id = idea_in(sessions, S.done)

    with pytest.raises(NotAllowed, match="Only an admin can reopen it"):
        move(sessions, idea_id, S.under_review, role=Role.manager)

    assert move(sessions, idea_id, S.under_review, role=Role.admin).reopened


def test_members_cannot_move_ideas_and_a_move_to_the_same_status_is_refused(sessions):
    idea_id = idea_in(sessions, S.planned)

    with pytest.raises(NotAllowed, match="Only managers and admins"):
        move(sessions, idea_id, S.done, role=Role.member)
    with pytest.raises(Invalid, match="already Planned"):
        move(sessions, idea_id, S.planned, role=Role.manager)


def test_declining_needs_a_reason_and_a_note_is_optional_otherwise(sessions):
    idea_id = idea_in(sessions, S.new)

    with pytest.raises(Invalid, match="needs a reason"):
        move(sessions, idea_id, S.declined, reason="   ")
    with pytest.raises(Invalid, match="the limit is 500"):
        move(sessions, idea_id, S.declined, reason="x" * 501)
    assert move(sessions, idea_id, S.planned, reason=None).idea.reason is None
    assert move(sessions, idea_id, S.declined, reason=" Too costly ").idea.reason == "Too costly"


def test_a_stale_move_loses_to_the_one_that_landed_first(sessions):
    idea_id = idea_in(sessions, S.planned)
    with sessions() as session:
        seen = session.get(Idea, idea_id)  # this manager's view: "Planned"…
        with transaction(sessions) as other:  # …while another manager ships it
            change_status(other, idea_id=idea_id, status=S.done, user_id="U1", role=Role.manager, now=NOW)

        with pytest.raises(Invalid, match="Someone changed #1 a moment ago"):
            change_status(
                session,
                idea_id=idea_id,
                status=S.declined,
                user_id="U2",
                role=Role.admin,
                now=NOW,
                reason="no",
            )
        assert seen.status is S.planned  # it still believes so, and its move was refused
    with sessions() as session:
        assert session.exec(select(Idea.status)).one() is S.done


def test_an_anonymous_author_is_found_by_token_among_the_people_given(sessions):
    idea_id = idea_in(sessions, S.new, anonymous=True)

    with sessions() as session:
        assert session.get(Idea, idea_id).author_id is None
        assert find_author(session, idea_id=idea_id, key=KEY, people=TEAM[::-1]) == TEAM[0]
        assert find_author(session, idea_id=idea_id, key=KEY, people=TEAM[1:]) is None
        assert find_author(session, idea_id=idea_id, key=b"another-key-0123456789", people=TEAM) is None


def test_roles_and_status_words():
    assert role_of("U1", admins={"U1"}, managers={"U1"}) is Role.admin
    assert role_of("U2", admins={"U1"}, managers=(), manager_group=("U2",)) is Role.manager
    assert role_of("U3", admins={"U1"}, managers={"U2"}) is Role.member
    assert parse_status("Under-Review") is parse_status("review") is parse_status("reopen") is S.under_review
    assert parse_status("shipped") is S.done and parse_status("later") is None
