"""Building an organisation's teams, runs and cells for the segment tests.

Teams answer library pulses through the real services (tests/drivers/steps.py). A run's cells are written
here as the snapshot at a run's opening writes them — one cell per combination of its audience's
attributes (`run_cell`), which cell each member is in (`run_member`), and the cell each answer carries
(`answer.cell`, found through the member's answer token) — so the tests choose their cells exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import select

from pulsebot.services.pulse.answer_keys import respondent_tokens
from pulsebot.services.segments.periods import SegmentSettings, release_due_periods
from pulsebot.store.db import SessionFactory, transaction
from pulsebot.store.models import Answer, Question, RunCell, RunMember, SegmentFigure, SegmentRelease
from tests.conftest import ANON_KEY
from tests.drivers.steps import library_run, library_team

# A Tuesday in June 2027 (the month of tests/conftest.py's PINNED_NOW), and a moment once June has ended
# everywhere (periods.ENDED_AFTER) and its runs have closed.
IN_JUNE = datetime(2027, 6, 8, 9, 0, tzinfo=UTC)
JUNE = "2027-06"
AFTER_JUNE = datetime(2027, 7, 2, 6, 0, tzinfo=UTC)
DRIVERS = "[manager, colleagues]"  # no reversed item: each respondent gives each driver one answer a run


@dataclass(frozen=True)
class Member:
    """A person of a run's audience, with the attributes of the cell they fall in (None: not recorded)."""

    user: str
    department: str | None = None
    division: str | None = None
    site: str | None = None
    region: str | None = None
    tenure: str | None = None
    level: str | None = None
    line: str | None = None

    def place(self) -> tuple:
        return tuple(getattr(self, field.name) for field in fields(self) if field.name != "user")


@dataclass(frozen=True)
class Scores:
    """What one person answers: the manager and colleagues items (1–5) and eNPS (0–10)."""

    manager: int
    colleagues: int
    enps: int


def members(count: int, prefix: str, **attributes: str | None) -> list[Member]:
    return [Member(user=f"U0{prefix}{index:03d}", **attributes) for index in range(count)]


def segment_team(sessions: SessionFactory, *, name: str, channel: str, managers: tuple[str, ...] = ()) -> str:
    """A library team asked one item of each of two drivers, and eNPS, every pulse."""
    return library_team(
        sessions,
        name=name,
        now=IN_JUNE.replace(day=1),
        library=DRIVERS,
        per_pulse=2,
        channel=channel,
        managers=managers,
    )


def answered_run(
    sessions: SessionFactory,
    *,
    survey: str,
    audience: Sequence[Member],
    scores: Callable[[Member], Scores | None],
    opened: datetime = IN_JUNE,
    with_cells: bool = True,
) -> int:
    """Open a run of `survey` for `audience`, let each person answer `scores(member)` (None: no answer),
    close and release it, and write its cells."""
    by_user = {member.user: member for member in audience}

    def answer(user: str, question: Question) -> int | None:
        given = scores(by_user[user])
        if given is None:
            return None
        return given.enps if question.driver is None else getattr(given, question.driver)

    run_id = library_run(
        sessions, survey=survey, opened=opened, audience=[m.user for m in audience], answers=answer
    )
    if with_cells:
        record_cells(sessions, run_id=run_id, audience=audience)
    return run_id


def record_cells(sessions: SessionFactory, *, run_id: int, audience: Sequence[Member]) -> dict[tuple, int]:
    """The run's cells: one per distinct combination of its audience's attributes, numbered from 1 in the
    order first met, with each member's answers marked with their cell."""
    cells: dict[tuple, int] = {}
    for member in audience:
        cells.setdefault(member.place(), len(cells) + 1)
    names = [field.name for field in fields(Member) if field.name != "user"]
    with transaction(sessions) as session:
        for place, cell in cells.items():
            people = sum(1 for member in audience if member.place() == place)
            session.add(
                RunCell(run_id=run_id, cell=cell, people=people, **dict(zip(names, place, strict=True)))
            )
        session.add_all(RunMember(run_id=run_id, user_id=m.user, cell=cells[m.place()]) for m in audience)
        tokens = respondent_tokens(
            session, key=ANON_KEY.encode(), run_id=run_id, people=[m.user for m in audience]
        )
        for member in audience:
            session.exec(
                update(Answer)
                .where(Answer.run_id == run_id, Answer.respondent == tokens[member.user])
                .values(cell=cells[member.place()])
            )
    return cells


def release(
    sessions: SessionFactory, *, now: datetime = AFTER_JUNE, settings: SegmentSettings | None = None
) -> list[str]:
    with transaction(sessions) as session:
        return release_due_periods(session, now=now, settings=settings or SegmentSettings(min_group=5))


def stored_figures(sessions: SessionFactory, period: str = JUNE) -> dict[tuple[str, str, str], SegmentFigure]:
    """Every stored figure of a period, by (table, group, measure): what a database reader sees."""
    with transaction(sessions) as session:
        release_id = session.exec(select(SegmentRelease.id).where(SegmentRelease.period == period)).one()
        rows = session.exec(select(SegmentFigure).where(SegmentFigure.release_id == release_id)).all()
    return {(row.table_name, row.group_key, row.measure): row for row in rows}


def total(figure: SegmentFigure) -> float:
    """A shown figure's sum of answers (for participation: how many answered)."""
    return figure.value * figure.answers


# The organisation most segment tests release: June 2027, three teams, each answering one pulse.
#   sales   (11): Sales, division Commercial, Berlin; 5 of 1–2 years, 3 of < 3 months, 3 of 3–12 months;
#                 under U0MSA
#   support (13): 7 Support (under U0MSU), 3 Legal (under U0MLE) and 3 Finance (under U0MFI), all of
#                 division Commercial, Lisbon, 2–5 years
#   eng     (10): Engineering, division Tech, Berlin, 1–2 years, under U0MEN; one of them never answers
# The line: U0CEO above U0VPC (Commercial: U0MSA, U0MSU, U0MLE, U0MFI) and U0VPT (Tech: U0MEN); the
# managers at its foot are their teams' managers (U0MSU and U0MLE both support's), who get the teams'
# digests. Too few to show on their own: Legal and Finance (3 each), Sales of < 3 months and of 3–12
# months (3 each), the line nodes U0MLE and U0MFI (3 each). They come in pairs on purpose: a lone small
# group beside shown ones is the remainder of a subtraction (the support team less Support would be
# Legal), and the rules would rightly hide its shown neighbours too.
COMMERCIAL, TECH = "U0CEO/U0VPC", "U0CEO/U0VPT"


def scored(manager: list[int], colleagues: list[int], enps: list[int]) -> list[Scores]:
    return [Scores(*given) for given in zip(manager, colleagues, enps, strict=True)]


SALES_SCORES = scored(
    [5, 5, 5, 4, 5, 4, 5, 4, 4, 3, 5], [3, 4] * 5 + [3], [9, 9, 10, 8, 9, 7, 9, 9, 10, 5, 6]
)
SUPPORT_SCORES = scored([3, 4, 3, 4, 3, 4, 3], [4, 3, 4, 3, 4, 3, 4], [8, 6, 7, 9, 5, 8, 9])
LEGAL_SCORES = scored([2, 3, 2], [4, 4, 3], [6, 9, 8])
FINANCE_SCORES = scored([4, 2, 3], [5, 3, 4], [9, 5, 7])
ENG_SCORES = scored([1, 2, 1, 2, 1, 2, 1, 2, 2], [3, 4, 3, 4, 3, 4, 3, 4, 3], [3, 5, 6, 7, 8, 4, 6, 9, 10])


@dataclass(frozen=True)
class Organisation:
    sales: list[Member]
    support: list[Member]
    legal: list[Member]
    finance: list[Member]
    eng: list[Member]
    runs: dict[str, int]  # team -> its June run


def june_organisation(sessions: SessionFactory) -> Organisation:
    sales = [
        Member(
            user=f"U0SAL{index:03d}",
            department="Sales",
            division="Commercial",
            site="Berlin",
            region="Europe",
            tenure="1–2 years" if index < 5 else "< 3 months" if index < 8 else "3–12 months",
            line=f"{COMMERCIAL}/U0MSA",
        )
        for index in range(11)
    ]
    lisbon = {"division": "Commercial", "site": "Lisbon", "region": "Europe", "tenure": "2–5 years"}
    support = members(7, "SUP", department="Support", line=f"{COMMERCIAL}/U0MSU", **lisbon)
    legal = members(3, "LEG", department="Legal", line=f"{COMMERCIAL}/U0MLE", **lisbon)
    finance = members(3, "FIN", department="Finance", line=f"{COMMERCIAL}/U0MFI", **lisbon)
    eng = members(
        10,
        "ENG",
        department="Engineering",
        division="Tech",
        site="Berlin",
        region="Europe",
        tenure="1–2 years",
        line=f"{TECH}/U0MEN",
    )
    given = dict(
        zip(
            [m.user for m in sales + support + legal + finance + eng[:9]],
            SALES_SCORES + SUPPORT_SCORES + LEGAL_SCORES + FINANCE_SCORES + ENG_SCORES,
            strict=True,
        )
    )
    runs = {}
    for name, channel, audience, managers in (
        ("sales", "G0SALES", sales, ("U0MSA",)),
        ("support", "G0SUPP", support + legal + finance, ("U0MSU", "U0MLE")),
        ("eng", "G0ENG", eng, ("U0MEN",)),
    ):
        segment_team(sessions, name=name, channel=channel, managers=managers)
        runs[name] = answered_run(
            sessions, survey=name, audience=audience, scores=lambda m: given.get(m.user)
        )
    return Organisation(sales=sales, support=support, legal=legal, finance=finance, eng=eng, runs=runs)
