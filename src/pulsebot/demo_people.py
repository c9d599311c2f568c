"""The offline demo's organisation: its people's departments, sites, tenure, level and reporting line, and
each pulse's cells, so that the demo releases a month of segments like a real workspace does.

People's attributes go into `person`, as `pulsebot people import` writes them. A run's cells are what the
snapshot at a run's opening writes (`run_cell`, `run_member`, `answer.cell`); where a run has none — the
demo answers its pulses without Slack, after they open — they are made here the same way: each
combination of the audience's attributes is a cell, and the whole run's attributes are generalised a step
at a time (tenure bands to "< 1 year" / "1 year +", then level, site, tenure, the line's last step and
department go) until every cell holds at least `K` people of the audience.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from pulsebot.services.pulse.answer_keys import respondent_tokens
from pulsebot.services.segments.dimensions import Labels
from pulsebot.store.models import Answer, Delivery, Person, PulseRun, RunCell, RunMember

K = 5  # the demo's minimum group: every cell holds at least this many of a run's audience
CEO = "U0CEO"
# Each team's department, division, where its people sit, and the line above them, top first.
TEAMS = {
    "support-team": ("Customer Service", "Operations", ("Berlin", "Lisbon"), (CEO, "U0HEADCS", "U0MANAGER")),
    "onboarding": ("Customer Service", "Operations", ("Lisbon",), (CEO, "U0HEADCS", "U0MGRONB")),
    "billing": ("Finance", "Corporate", ("Berlin",), (CEO, "U0CFO", "U0MGRBIL")),
    "legal": ("Legal", "Corporate", ("Berlin",), (CEO, "U0CFO", "U0MGRLEG")),
    "logistics": ("Logistics", "Operations", ("Lisbon",), (CEO, "U0COO", "U0MGRLOG")),
}
REGION = {"Berlin": "Europe", "Lisbon": "Europe"}
# Days since joining, by how long the team's people have been there (a share each).
TENURE_DAYS = ((0.15, 30, 85), (0.25, 100, 360), (0.3, 370, 720), (0.3, 740, 1800))


def add_people(session: Session, teams: dict[str, list[str]], *, now: datetime, seed: int) -> None:
    """Each team's people, with attributes, as an HR import would record them."""
    rng = random.Random(f"{seed}:people")
    for team, members in teams.items():
        department, division, sites, line = TEAMS[team]
        for index, user in enumerate(members):
            _share, low, high = rng.choices(TENURE_DAYS, weights=[t[0] for t in TENURE_DAYS])[0]
            session.add(
                Person(
                    user_id=user,
                    department=department,
                    division=division,
                    site=sites[index * len(sites) // len(members)],
                    region=REGION[sites[0]],
                    start_date=(now - timedelta(days=rng.randint(low, high))).date(),
                    level="Senior" if index % 4 == 0 else "Associate",
                    manager_id=line[-1],
                    source="csv",
                    updated_at=now,
                )
            )


def tenure_band(start: date | None, on: date) -> str | None:
    if start is None:
        return None
    days = (on - start).days
    for limit, band in ((91, "< 3 months"), (365, "3–12 months"), (730, "1–2 years"), (1826, "2–5 years")):
        if days < limit:
            return band
    return "5 years +"


def add_missing_cells(session: Session, *, run_id: int, key: bytes) -> None:
    """Write the cells of a run that has none, and mark its answers with them."""
    if session.exec(select(RunCell).where(RunCell.run_id == run_id).limit(1)).first() is not None:
        return  # the run's own snapshot made them when it opened
    run = session.get(PulseRun, run_id)
    audience = session.exec(select(Delivery.user_id).where(Delivery.run_id == run_id)).all()
    people = {p.user_id: p for p in session.exec(select(Person)).all() if p.user_id in set(audience)}
    places = generalised({user: _place(people.get(user), run.run_date) for user in audience})
    numbers = {place: number for number, place in enumerate(sorted(set(places.values()), key=repr), start=1)}
    for place, number in numbers.items():
        people_in = sum(1 for p in places.values() if p == place)
        session.add(RunCell(run_id=run_id, cell=number, people=people_in, **place.columns()))
    session.add_all(
        RunMember(run_id=run_id, user_id=user, cell=numbers[place]) for user, place in places.items()
    )
    session.flush()
    tokens = respondent_tokens(session, key=key, run_id=run_id, people=audience)
    for user, place in places.items():
        session.exec(
            update(Answer)
            .where(Answer.run_id == run_id, Answer.respondent == tokens[user])
            .values(cell=numbers[place])
        )


def generalised(places: dict[str, Labels], k: int = K) -> dict[str, Labels]:
    """Each person's place, generalised a step at a time over the whole run until every place is shared by
    at least `k` of them (or nothing is left to generalise)."""
    for step in _STEPS:
        places = {user: step(place) for user, place in places.items()}
        if min(Counter(places.values()).values(), default=k) >= k:
            break
    return places


def _place(person: Person | None, on: date) -> Labels:
    if person is None:
        return Labels()
    line = _line_of(person.manager_id)
    return Labels(
        person.department,
        person.division,
        person.site,
        person.region,
        tenure_band(person.start_date, on),
        person.level,
        line,
    )


def _line_of(manager: str | None) -> str | None:
    for _, _, _, line in TEAMS.values():
        if line[-1] == manager:
            return "/".join(line)
    return None


def _coarse_tenure(place: Labels) -> Labels:
    if place.tenure is None:
        return place
    return replace(place, tenure="< 1 year" if place.tenure in ("< 3 months", "3–12 months") else "1 year +")


def _shorter_line(place: Labels) -> Labels:
    return replace(place, line=place.line.rpartition("/")[0] or None if place.line else None)


_STEPS: Sequence = (
    lambda place: place,
    _coarse_tenure,
    lambda place: replace(place, level=None),
    lambda place: replace(place, site=None),
    lambda place: replace(place, tenure=None),
    _shorter_line,
    lambda place: replace(place, department=None),
    lambda place: Labels(),
)
