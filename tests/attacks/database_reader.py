"""What someone holding the database files (but not PULSEBOT_ANON_KEY) can read out of them."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

WAL_HEADER, FRAME_HEADER = 32, 24

Tables = dict[str, set[tuple]]


def sqlite_states(database: bytes, wal: bytes) -> list[Tables]:
    """Replay a copy of the database file and its write-ahead log commit by commit: every table's rows
    as the file first holds them, then after each commit still in the log."""
    states = [_tables(database)]
    if len(wal) < WAL_HEADER:
        return states
    page_size = int.from_bytes(wal[8:12], "big")
    salts = wal[16:24]
    pages = {n + 1: database[n * page_size : (n + 1) * page_size] for n in range(len(database) // page_size)}
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(wal):
        header = wal[offset : offset + FRAME_HEADER]
        if header[8:16] != salts:  # frames left over from before the log last restarted
            break
        page_number, pages_after_commit = (
            int.from_bytes(header[0:4], "big"),
            int.from_bytes(header[4:8], "big"),
        )
        pages[page_number] = wal[offset + FRAME_HEADER : offset + FRAME_HEADER + page_size]
        offset += FRAME_HEADER + page_size
        if pages_after_commit:
            image = b"".join(pages.get(n, bytes(page_size)) for n in range(1, pages_after_commit + 1))
            states.append(_tables(image))
    return states


def _tables(image: bytes) -> Tables:
    if not image:
        return {}
    # Bytes 18-19 say "write-ahead log"; as a plain file the image opens without looking for one.
    image = image[:18] + b"\x01\x01" + image[20:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "image.db"
        path.write_bytes(image)
        connection = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            names = [
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {name: set(connection.execute(f'SELECT * FROM "{name}"')) for name in names}
        finally:
            connection.close()


def changed_tables(before: Tables, after: Tables) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def postgres_rows(engine: Engine) -> dict[str, list[dict]]:
    """Every row of every table with its system columns: the transaction that wrote it (`xmin`, as a
    number) and where it lies in the table's pages (`ctid`)."""
    found = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(
                text(f'SELECT xmin::text::bigint AS xmin_, ctid::text AS ctid_, * FROM "{table.name}"')
            )
            found[table.name] = [dict(row._mapping) for row in rows]
    return found


def page_order(ctid: str) -> tuple[int, int]:
    page, item = ctid.strip("()").split(",")
    return int(page), int(item)
