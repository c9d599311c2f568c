"""A workspace's pace of posting kept in PostgreSQL (`send_pace`), so that every process sending for it
shares one pace: each post reserves the next slot in one statement, and a 429 moves every process's next
slot past its Retry-After. Times are the database's clock (seconds since the epoch), the one clock all
processes read. Each call is one short statement in its own transaction: the row is locked only while it
is updated (a single-row reservation sustains far more slots a second than Slack allows posts).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

NOW = "extract(epoch from clock_timestamp())::float8"


@dataclass(frozen=True)
class Slot:
    at: float  # when this post may go, by the database's clock
    now: float  # the database's clock when it was reserved
    rate: float  # the pace now
    ceiling: float
    clean: int  # posts since the pace last changed


def start_pace(engine: Engine, *, team_id: str, ceiling: float) -> None:
    """The workspace's row, at `ceiling` posts a second (PULSEBOT_SEND_RATE); a changed setting is taken
    up, and a pace lowered by 429s stays lowered."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO send_pace (team_id, ceiling, rate, next_slot, held_until, clean) "
                "VALUES (:team, :ceiling, :ceiling, 0, 0, 0) ON CONFLICT (team_id) DO UPDATE SET "
                "ceiling = excluded.ceiling, rate = least(send_pace.rate, excluded.ceiling)"
            ),
            {"team": team_id, "ceiling": ceiling},
        )


def take_slot(engine: Engine, *, team_id: str) -> Slot:
    """Reserve the next free slot: the later of now and the next slot, the one after it a pace later."""
    with engine.begin() as connection:
        row = connection.execute(
            text(
                f"UPDATE send_pace SET next_slot = greatest(next_slot, {NOW}) + 1.0 / rate, "
                "clean = clean + 1 WHERE team_id = :team "
                f"RETURNING next_slot - 1.0 / rate, {NOW}, rate, ceiling, clean"
            ),
            {"team": team_id},
        ).one()
    return Slot(*row)


def raise_pace(engine: Engine, *, team_id: str, rate: float, step: float) -> None:
    """After enough clean posts, the pace creeps up by `step` towards the ceiling (once, whichever
    process asks first: the row must still hold the pace it read)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE send_pace SET rate = least(ceiling, rate + :step), clean = 0 "
                "WHERE team_id = :team AND rate = :rate AND rate < ceiling"
            ),
            {"team": team_id, "rate": rate, "step": step},
        )


def hold_pace(engine: Engine, *, team_id: str, seconds: float, back_off: float, floor: float) -> None:
    """Nothing is posted for `seconds` by any process; the pace is lowered once for the 429s of one
    moment (those that arrive while the pause they started lasts count once)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                f"UPDATE send_pace SET "
                f"rate = CASE WHEN {NOW} >= held_until "
                "THEN greatest(ceiling * :floor, rate * :back_off) ELSE rate END, "
                f"clean = CASE WHEN {NOW} >= held_until THEN 0 ELSE clean END, "
                f"held_until = greatest(held_until, {NOW} + :seconds), "
                f"next_slot = greatest(next_slot, {NOW} + :seconds) WHERE team_id = :team"
            ),
            {"team": team_id, "seconds": seconds, "back_off": back_off, "floor": floor},
        )


def pace_rate(engine: Engine, *, team_id: str) -> float:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT rate FROM send_pace WHERE team_id = :team"), {"team": team_id}
        ).scalar_one()
