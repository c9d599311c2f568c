"""Attack: an admin subtracts the teams' held counts from the organisation's to learn how many of a small
team the weekly limit held.

A team's digest says "Held by the weekly limit" only for a count of at least the minimum group. The
organisation's digest says it for all its shown teams together, but only when the total less the teams'
shown counts — what the hidden small counts add up to — is none, or at least the minimum group: with one
team's two held people as the only remainder, the organisation says nothing.
"""

from datetime import timedelta

import pytest

from pulsebot.services.digest.digest_text import render_text
from pulsebot.services.digest.digests import build_digests
from pulsebot.services.pulse import answers as answering
from pulsebot.services.pulse.asking import AskingRules
from pulsebot.services.pulse.pulses import open_pulse_run
from pulsebot.store.db import transaction
from tests.attack_steps import apply_yaml
from tests.conftest import ANON_KEY, PINNED_NOW
from tests.pulse_data import close_and_release, people

pytestmark = pytest.mark.clock

NOW = PINNED_NOW  # Wednesday 16 June 2027
MONDAY, WEDNESDAY = NOW - timedelta(days=9), NOW - timedelta(days=7)  # the week digested
ONE_A_WEEK = AskingRules(per_week=1)
SURVEY = """\
name: {name}
title: {name} pulse
channel: G0{code}
delivery: dm
timezone: UTC
open_days: 3
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
"""


def a_week(sessions, held: dict[str, int]) -> None:
    """Each team: six people answer its pulse on Wednesday, and `held[team]` more are held, since the
    guild's pulse reached them on Monday; the run closes on Saturday, before their next week."""
    names = ["guild", *held]
    for code, name in enumerate(names):
        apply_yaml(sessions, SURVEY.format(name=name, code=f"TEAM{code}"), now=NOW - timedelta(days=60))
    held_people = {name: people(count, f"{name[:2].upper()}H") for name, count in held.items()}
    with transaction(sessions) as session:
        everyone_held = [person for group in held_people.values() for person in group]
        open_pulse_run(session, survey_name="guild", audience=everyone_held, now=MONDAY, min_group=5)
    for name in held:
        asked = people(6, f"{name[:2].upper()}A")
        with transaction(sessions) as session:
            run = open_pulse_run(
                session,
                survey_name=name,
                audience=asked + held_people[name],
                now=WEDNESDAY,
                min_group=5,
                rules=ONE_A_WEEK,
            )
            assert run.audience == 6
            for person in asked:
                answering.record_answer(
                    session,
                    run_id=run.run_id,
                    question_id=run.questions[0].id,
                    user_id=person,
                    value=3,
                    key=ANON_KEY.encode(),
                    now=WEDNESDAY + timedelta(hours=1),
                )
            close_and_release(session, run.run_id)


def digests(sessions):
    with transaction(sessions) as session:
        return build_digests(session, now=NOW, min_group=5, weeks=1, include_org=True, enps_links=False)


@pytest.mark.parametrize(
    ("held", "team_counts", "org_count"),
    [
        # 7 - 5 would be beta's two: the organisation says nothing.
        ({"alpha": 5, "beta": 2}, {"alpha": 5, "beta": None}, None),
        # 10 - 5 is beta's and gamma's five together, which no one can split.
        ({"alpha": 5, "beta": 2, "gamma": 3}, {"alpha": 5, "beta": None, "gamma": None}, 10),
        ({"beta": 2, "gamma": 3}, {"beta": None, "gamma": None}, 5),
        ({"beta": 2, "gamma": 2}, {"beta": None, "gamma": None}, None),  # four: below the minimum
        ({"alpha": 5, "delta": 6}, {"alpha": 5, "delta": 6}, 11),  # nothing hidden: the shown counts' sum
    ],
)
def test_the_organisations_held_count_never_reveals_a_teams_small_one(sessions, held, team_counts, org_count):
    a_week(sessions, held)

    teams, org = digests(sessions)

    assert {name: teams[name].figures.held for name in held} == team_counts
    assert org.figures.shown and org.figures.held == org_count
    text = render_text(org)
    if org_count is None:
        assert "Held by the weekly limit" not in text
    else:
        assert "Held by the weekly limit" in text and f"{org_count} people's pulses" in text
    shown = sum(count or 0 for count in team_counts.values())
    remainder = (org.figures.held or shown) - shown
    assert remainder == 0 or remainder >= 5  # what subtraction leaves is never a small team's count
