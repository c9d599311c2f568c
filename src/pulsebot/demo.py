"""The offline demo: a support team of 40 answering a weekly pulse for 12 weeks, without Slack.

Its organisation's people have departments, sites, tenure and a reporting line (demo_people.py), so last
month's segments are released as a real workspace's are, and printed after the digest.

Its pulse asks its own questions and three rotating items of the question library each week. The data
goes through the real services (survey YAML, pulse runs, anonymous answers, comment sentiment, ideas and
votes) into a throwaway SQLite database migrated with Alembic; the digest is then computed by the real
aggregation and rendered by the real Block Kit builder and chart. A few smaller teams answer the library
too, so that the organisation's driver heatmap has several rows (one of them too small to show).
"""

from __future__ import annotations

import csv
import json
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlmodel import select

from pulsebot.charts import digest_chart
from pulsebot.demo_loop import channel_posts, close_the_loop
from pulsebot.demo_people import add_missing_cells, add_people
from pulsebot.heatmap_chart import heatmap_png
from pulsebot.i18n import DEFAULT, translator
from pulsebot.segment_chart import segment_heatmap_png
from pulsebot.services.digest.digest_text import render_text
from pulsebot.services.digest.digests import Digest, team_digest
from pulsebot.services.errors import NotFound
from pulsebot.services.idea import ideas
from pulsebot.services.pulse import answers, pulses
from pulsebot.services.results.heatmap import heatmap_rows, organisation_heatmap
from pulsebot.services.results.release import release_closed_runs
from pulsebot.services.segments import segment_text
from pulsebot.services.segments.periods import SegmentSettings, release_due_periods
from pulsebot.services.segments.segment_views import find_release, leader_roll_ups, segment_table
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.blocks.digest import digest_message
from pulsebot.slack.blocks.pulses import pulse_message
from pulsebot.store import migrate
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import PulseRun, Question, QuestionKind, RunStatus, Survey
from pulsebot.store.weeks import week_start

DEMO_KEY = b"pulsebot-demo-key-not-a-secret"
MANAGER = "U0MANAGER"
SURVEY = """\
name: support-team
title: Customer Support pulse
channel: G0SUPPORT
timezone: Europe/Berlin
schedule: "0 10 * * tue"
open_days: 3
managers: [U0MANAGER]
library: engagement
questions_per_pulse: 3
enps: off                # the team's own eNPS question below is asked every week
questions:
  - key: workload
    kind: scale
    prompt: My workload this week was manageable.
  - key: support
    kind: scale
    prompt: I got the help I needed from colleagues this week.
  - key: enps
    kind: enps
  - key: better
    kind: text
    prompt: What one thing would make next week better?
"""

# How the team feels, week by week (on the 1–5 scale): steady, a dip in weeks 5–6 that recovers, a
# holiday week (3) when too few answer to show anything, and a fall in the latest week.
MOOD = [3.9, 3.8, 3.9, 3.8, 3.2, 3.0, 3.5, 3.8, 3.85, 3.85, 3.85, 3.2]
HOLIDAY_WEEK = 2
HOLIDAY_ANSWERS = 4
# How each driver sits against the team's mood; customer enablement slides in the last four weeks (the
# refund tool), which the digest's drivers pick out as the one to look at.
DRIVER_LEANING = {"colleagues": 0.4, "purpose": 0.2, "manager": 0.2, "workload": -0.3, "customer": -0.2}
CUSTOMER_SLIDE_WEEKS, CUSTOMER_SLIDE = 4, -1.4
# Each titled as the support team's survey is ("Customer Support pulse"): the organisation's digest and its
# heatmap name every team by its survey's title, so these read alike there.
OTHER_TEAMS = (
    ("billing", "Billing pulse", 12, 0.3),
    ("logistics", "Logistics pulse", 10, -0.2),
    ("onboarding", "Onboarding pulse", 9, 0.0),
    ("legal", "Legal pulse", 4, 0.1),
)
OTHER_TEAM_SURVEY = """\
name: {name}
title: {title}
channel: G0{code}
timezone: Europe/Berlin
library: engagement
questions_per_pulse: 4
enps: monthly
"""

POSITIVE = [
    "Great team spirit this week, everyone jumped in to help.",
    "The new macros for refund tickets save me a lot of time.",
    "Loved the team lunch, more of that please!",
    "Knowledge base articles were really helpful for the tricky billing cases.",
    "Good week, the ticket backlog is finally under control.",
    "Pairing with a colleague on escalations was really useful.",
    "Clear priorities from the team lead this week, thank you.",
]
NEGATIVE = [
    "The ticket backlog keeps growing and we are always behind.",
    "Too many weekend shifts lately, I am exhausted.",
    "Weekend shifts again. The ticket backlog is stressful.",
    "The new phone system drops calls, customers are angry.",
    "Too many meetings, no time left for tickets.",
    "I feel overloaded: the ticket backlog doubled after the release.",
    "Escalations to engineering take forever and customers complain.",
    "The refund process is confusing and slow.",
]
NEUTRAL = [
    "More training on the billing system would help.",
    "Could we rotate the weekend shifts more fairly?",
    "A shared calendar for shifts would be useful.",
    "Need clearer guidance on refund limits.",
]
# The same comments, as a German-speaking team writes them (`pulsebot demo --language de`): the digest then
# says the sentiment leaves them out, since the model reads English only.
GERMAN_COMMENTS = {
    "positive": [
        "Toller Teamgeist diese Woche, alle haben mit angepackt.",
        "Die neuen Textbausteine für Erstattungen sparen mir viel Zeit.",
        "Das Teamessen war super, gerne öfter!",
        "Die Artikel in der Wissensdatenbank waren bei den kniffligen Abrechnungsfällen sehr hilfreich.",
        "Gute Woche, der Ticketstau ist endlich im Griff.",
        "Eskalationen zu zweit zu bearbeiten war wirklich hilfreich.",
        "Klare Prioritäten von der Teamleitung diese Woche, danke.",
    ],
    "negative": [
        "Der Ticketstau wird immer größer und wir sind ständig hinterher.",
        "Zu viele Wochenendschichten in letzter Zeit, ich bin erschöpft.",
        "Schon wieder Wochenendschichten. Der Ticketstau ist belastend.",
        "Das neue Telefonsystem bricht Anrufe ab, die Kunden sind verärgert.",
        "Zu viele Meetings, keine Zeit mehr für Tickets.",
        "Ich bin überlastet: Der Ticketstau hat sich nach dem Release verdoppelt.",
        "Eskalationen an die Entwicklung dauern ewig und die Kunden beschweren sich.",
        "Der Erstattungsprozess ist verwirrend und langsam.",
    ],
    "neutral": [
        "Mehr Schulung zum Abrechnungssystem wäre hilfreich.",
        "Könnten wir die Wochenendschichten gerechter verteilen?",
        "Ein gemeinsamer Kalender für die Schichten wäre nützlich.",
        "Wir brauchen klarere Vorgaben zu den Erstattungsgrenzen.",
    ],
}
# The team's own questions, as a German-speaking survey asks them (the library's items are translated).
GERMAN_PROMPTS = {
    "My workload this week was manageable.": "Meine Arbeitsmenge war diese Woche gut zu bewältigen.",
    "I got the help I needed from colleagues this week.": "Ich habe diese Woche die Hilfe von "
    "Kolleginnen und Kollegen bekommen, die ich brauchte.",
    "What one thing would make next week better?": "Was würde die nächste Woche besser machen?",
    "kind: enps\n": "kind: enps\n    prompt: Wie wahrscheinlich ist es, dass du einem Freund empfiehlst, "
    "hier zu arbeiten?\n",
}

IDEAS = [
    ("Let customers track their refund status online", 14, 30),
    ("Send a proactive SMS when a delivery is late", 9, 25),
    ("Add a self-service page for changing the delivery address", 6, 20),
    ("Offer a callback instead of waiting on hold", 11, 4),
    ("Show the expected reply time in the chat widget", 2, 40),
]


@dataclass(frozen=True)
class DemoResult:
    digest: Digest
    files: dict[str, Path]
    text: str


def run_demo(
    out: Path,
    *,
    now: datetime,
    people: int = 40,
    weeks: int = 12,
    seed: int = 7,
    keep: bool = False,
    language: str = DEFAULT,
    progress: Callable[[str], None] = lambda _step: None,
) -> DemoResult:
    """Simulate, aggregate and write digest.json (Block Kit), trend.png, digest.txt, what the team's
    channel reads (team-channel.txt) and the latest pulse as each of the team got it (pulse.json, in
    `language`: its survey's, German, French or Spanish; comments in German too with `de`) into `out`; with
    `keep`, the simulated team's database stays there too, as `demo.db`. `progress` hears each step
    as it begins (the whole takes tens of seconds)."""
    out.mkdir(parents=True, exist_ok=True)
    database = out / "demo.db"
    for leftover in out.glob("demo.db*"):
        leftover.unlink()
    engine = make_engine(f"sqlite:///{database}")
    try:
        progress("creating the simulated team's database")
        migrate.upgrade(engine)
        sessions = session_factory(engine)
        simulate(
            sessions, now=now, people=people, weeks=weeks, seed=seed, language=language, progress=progress
        )
        week = _digest_week(now)
        progress("closing the loop: sharing results, planning an action, asking whether it helps")
        close_the_loop(
            sessions, survey="support-team", manager=MANAGER, team=_team(people), week=week, key=DEMO_KEY
        )
        posts = channel_posts(
            sessions, survey="support-team", manager=MANAGER, week=week, now=now, weeks=weeks
        )
        progress("writing the digest, its chart and the heatmap")
        with transaction(sessions) as session:
            digest = team_digest(
                session,
                survey_name="support-team",
                now=now,
                min_group=5,
                weeks=weeks,
                rng=random.Random(seed),
            )
            # The heatmap's window ends with the digest's week, like the digest's drivers.
            grid = organisation_heatmap(session, min_group=5, through=digest.week + timedelta(days=6))
            # Last month's segments, released when its last pulse closed, and the manager's line in them.
            digest = replace(
                digest, line_roll_up=leader_roll_ups(session, users=[MANAGER], now=now).get(MANAGER)
            )
            try:
                segments = segment_table(
                    session, release=find_release(session, period=None), table="department"
                )
            except NotFound:  # too few weeks simulated to span a month that has ended
                segments = None
            latest = session.exec(
                select(PulseRun.id)
                .join(Survey, Survey.id == PulseRun.survey_id)
                .where(Survey.name == "support-team")
                .order_by(PulseRun.run_date.desc())
            ).first()
            pulse = pulse_message(pulses.run_view(session, run_id=latest), translator(language))
    finally:
        engine.dispose()
    if not keep:
        for leftover in out.glob("demo.db*"):
            leftover.unlink()
    text, blocks = digest_message(digest)
    files = {
        "blocks": out / "digest.json",
        "chart": out / "trend.png",
        "text": out / "digest.txt",
        "heatmap": out / "heatmap.png",
        "cells": out / "heatmap.csv",
        "channel": out / "team-channel.txt",
        "pulse": out / "pulse.json",
        "segments": out / "segments.txt",
        "segment heatmap": out / "segments.png",
        "segment figures": out / "segments.csv",
    }
    if keep:
        files["database"] = database
    files["blocks"].write_text(
        json.dumps({"text": text, "blocks": blocks}, indent=2, ensure_ascii=False) + "\n"
    )
    files["chart"].write_bytes(digest_chart(digest) or b"")
    files["heatmap"].write_bytes(heatmap_png(grid, min_group=5))
    header, rows = heatmap_rows(grid)
    with files["cells"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    files["channel"].write_text(posts)
    files["pulse"].write_text(
        json.dumps({"text": pulse[0], "blocks": pulse[1]}, indent=2, ensure_ascii=False) + "\n"
    )
    rendering = render_text(digest)
    files["text"].write_text(rendering)
    if segments is None:
        for kind in ("segments", "segment heatmap", "segment figures"):
            del files[kind]
        return DemoResult(digest=digest, files=files, text=rendering)
    table = "\n".join(segment_text.table_lines(segments)) + "\n"
    files["segments"].write_text(table)
    files["segment heatmap"].write_bytes(segment_heatmap_png(segments))
    with files["segment figures"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=segment_text.CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(segment_text.csv_rows(segments))
    return DemoResult(digest=digest, files=files, text=f"{rendering}\n{table}")


def _team(people: int) -> list[str]:
    return [f"U0P{index:03d}" for index in range(people)]


def _digest_week(now: datetime):
    """The Monday of the digest's week: the team's last complete week, in Berlin."""
    return week_start(now.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).date()) - timedelta(weeks=1)


def simulate(
    sessions,
    *,
    now: datetime,
    people: int,
    weeks: int,
    seed: int,
    language: str = DEFAULT,
    progress: Callable[[str], None] = lambda _step: None,
) -> None:
    rng = random.Random(seed)
    team = _team(people)
    leaning = {person: rng.gauss(0, 0.25) for person in team}  # some people rate a bit higher than others
    survey = SURVEY if language == DEFAULT else f"{SURVEY}language: {language}\n"
    if language == "de":
        for english, german in GERMAN_PROMPTS.items():
            survey = survey.replace(english, german)
    with transaction(sessions) as session:
        for spec in parse_surveys(survey, source="demo"):
            apply_survey(session, spec=spec, now=now - timedelta(weeks=weeks + 1))
        members = {"support-team": team} | {name: _members(name, size) for name, _, size, _ in OTHER_TEAMS}
        add_people(session, members, now=now, seed=seed)
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    this_monday = week_start(now.astimezone(berlin).date())
    moods = (MOOD * (weeks // len(MOOD) + 1))[-weeks:]
    for index, mood in enumerate(moods):
        progress(f"simulating week {index + 1} of {weeks}: {people} people asked")
        tuesday = this_monday - timedelta(weeks=weeks - index) + timedelta(days=1)
        opened = datetime.combine(tuesday, time(10), tzinfo=berlin)
        answering = rng.sample(team, HOLIDAY_ANSWERS if index == HOLIDAY_WEEK else rng.randint(27, 36))
        slide = CUSTOMER_SLIDE if index >= weeks - CUSTOMER_SLIDE_WEEKS else 0.0
        with transaction(sessions) as session:
            run = pulses.open_pulse_run(
                session, survey_name="support-team", audience=team, now=opened, min_group=5
            )
            for person in answering:
                _answer(
                    session,
                    rng,
                    run,
                    person,
                    mood + leaning[person],
                    now=opened + timedelta(hours=2),
                    slide=slide,
                    german=language == "de",
                )
            add_missing_cells(session, run_id=run.run_id, key=DEMO_KEY)
            closed = session.get(PulseRun, run.run_id)
            closed.status, closed.closed_at = RunStatus.closed, run.closes_at
    progress("simulating ideas and votes, and four smaller teams for the heatmap")
    _ideas(sessions, rng, team, now=now)
    _other_teams(sessions, rng, now=now, this_monday=this_monday)
    with transaction(sessions) as session:  # as the scheduler does right after closing them
        release_closed_runs(session, min_group=5, now=now)
        release_due_periods(session, now=now, settings=SegmentSettings(min_group=5))


def _other_teams(sessions, rng: random.Random, *, now: datetime, this_monday) -> None:
    """Smaller teams answering the library for the last six weeks, for the organisation's heatmap."""
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    for code, (name, title, size, lean) in enumerate(OTHER_TEAMS):
        with transaction(sessions) as session:
            for spec in parse_surveys(
                OTHER_TEAM_SURVEY.format(name=name, title=title, code=f"TEAM{code}"), source="demo"
            ):
                apply_survey(session, spec=spec, now=now - timedelta(weeks=9))
        team = _members(name, size)
        for week in range(6, 0, -1):
            opened = datetime.combine(this_monday - timedelta(weeks=week, days=-1), time(10), tzinfo=berlin)
            with transaction(sessions) as session:
                run = pulses.open_pulse_run(session, survey_name=name, audience=team, now=opened, min_group=5)
                for person in rng.sample(team, max(size - 2, min(size, 4))):
                    _answer(session, rng, run, person, 3.7 + lean, now=opened + timedelta(hours=2))
                add_missing_cells(session, run_id=run.run_id, key=DEMO_KEY)
                closed = session.get(PulseRun, run.run_id)
                closed.status, closed.closed_at = RunStatus.closed, run.closes_at


def _members(name: str, size: int) -> list[str]:
    return [f"U0{name[:3].upper()}{index:02d}" for index in range(size)]


def _answer(
    session,
    rng: random.Random,
    run: pulses.RunView,
    person: str,
    mood: float,
    *,
    now,
    slide: float = 0.0,
    german: bool = False,
) -> None:
    items = {q.id: q for q in session.exec(select(Question).where(Question.from_library)).all()}
    for question in run.questions:
        item = items.get(question.id)
        if question.kind is QuestionKind.scale and item is not None and item.driver is not None:
            leaning = DRIVER_LEANING.get(item.driver, 0.0) + (slide if item.driver == "customer" else 0.0)
            value = min(5, max(1, round(rng.gauss(mood + leaning, 0.55))))
            value = 6 - value if item.reversed else value  # agreeing with a reversed item is the low score
        elif question.kind is QuestionKind.scale:
            value = min(5, max(1, round(rng.gauss(mood, 0.55))))
        elif question.kind is QuestionKind.enps:
            value = min(10, max(0, round(rng.gauss(2.5 * mood - 1.0, 1.5))))
        elif question.kind is QuestionKind.text:
            if rng.random() < 0.45:
                pool = _comment_pool(rng, mood, german=german)
                answers.record_comment(
                    session,
                    run_id=run.run_id,
                    question_id=question.id,
                    user_id=person,
                    comment=rng.choice(pool),
                    key=DEMO_KEY,
                    now=now,
                )
            continue
        else:
            continue
        answers.record_answer(
            session,
            run_id=run.run_id,
            question_id=question.id,
            user_id=person,
            value=value,
            key=DEMO_KEY,
            now=now,
        )


def _comment_pool(rng: random.Random, mood: float, *, german: bool = False) -> list[str]:
    roll = rng.random()
    negative_chance = min(0.85, max(0.1, (4.2 - mood) / 1.4))
    if roll < negative_chance:
        return GERMAN_COMMENTS["negative"] if german else NEGATIVE
    if roll < negative_chance + 0.2:
        return GERMAN_COMMENTS["neutral"] if german else NEUTRAL
    return GERMAN_COMMENTS["positive"] if german else POSITIVE


def _ideas(sessions, rng: random.Random, team: list[str], *, now: datetime) -> None:
    for text, votes, age_days in IDEAS:
        author, *voters = rng.sample(team, votes + 1)
        posted = now - timedelta(days=age_days)
        with transaction(sessions) as session:
            idea = ideas.post_idea(
                session, user_id=author, text=text, key=DEMO_KEY, now=posted, category="product"
            )
            for voter in voters:
                ideas.toggle_vote(session, idea_id=idea.id, user_id=voter, key=DEMO_KEY)
