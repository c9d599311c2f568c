"""A forgotten manager's Slack id leaves the reporting line: runs' cells and released segments' keys name
them by a random name of their own instead, the same in both, so their part of the line still adds up."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pulsebot.services.privacy.forgetting import forget_person
from pulsebot.store.db import transaction
from pulsebot.store.models import RunCell, SegmentFigure
from tests.conftest import ANON_KEY
from tests.segments.segment_data import AFTER_JUNE, june_organisation, release, stored_figures

pytestmark = pytest.mark.clock


def lines(sessions) -> tuple[set[str], set[str]]:
    with transaction(sessions) as session:
        cells = {line for line in session.exec(select(RunCell.line)).all() if line}
        keys = set(
            session.exec(select(SegmentFigure.group_key).where(SegmentFigure.table_name == "line")).all()
        )
    return cells, keys


def test_forgetting_a_manager_renames_them_in_every_line_and_keeps_the_figures(sessions):
    june_organisation(sessions)
    release(sessions)
    before = stored_figures(sessions)
    assert any("U0VPC" in line for line in lines(sessions)[0] | lines(sessions)[1])  # the attack's target

    with transaction(sessions) as session:
        forget_person(session, user_id="U0VPC", key=ANON_KEY.encode(), actor="cli", now=AFTER_JUNE)

    cells, keys = lines(sessions)
    assert not any("U0VPC" in line for line in cells | keys)
    aliases = {step for line in cells | keys for step in line.split("/") if step.startswith("gone-")}
    assert len(aliases) == 1  # one name for them, in the cells and in the released keys alike
    alias = aliases.pop()
    after = stored_figures(sessions)
    renamed = {
        (table, key.replace("U0VPC", alias), measure): figure
        for (table, key, measure), figure in before.items()
    }
    assert {key: (f.people, f.answers, f.value, f.hidden) for key, f in after.items()} == {
        key: (f.people, f.answers, f.value, f.hidden) for key, f in renamed.items()
    }
