"""What `pulsebot run` logs, and how: at INFO, what an operator needs once (the start-up summary, each
job's outcome) rather than what libraries say every few seconds; as text lines, or with
PULSEBOT_LOG_FORMAT=json as one JSON object a line for a log shipper.

Quietened to WARNING, so their warnings and errors still show:
- APScheduler, which logs two INFO lines for every run of every job (about 20 a minute when idle);
- Alembic, which logs two INFO lines each time the schema's revision is read (every GET /readyz), and
  one per migration at start-up: the start-up summary names the revision instead.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = ("apscheduler", "alembic")
FORMATS = ("text", "json")


class LogFormatError(ValueError):
    pass


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def chosen_format() -> str:
    """PULSEBOT_LOG_FORMAT: text (the default) or json."""
    chosen = os.environ.get("PULSEBOT_LOG_FORMAT", "text").strip().lower() or "text"
    if chosen not in FORMATS:
        raise LogFormatError(f"PULSEBOT_LOG_FORMAT: “{chosen}” is not a log format; use text or json")
    return chosen


@contextmanager
def quieter(name: str, level: int) -> Iterator[None]:
    """Logger `name` passes on only records of `level` and above while the block runs, then it has its
    own level again: a level set and left would keep it quiet for whatever the process does next."""
    logger = logging.getLogger(name)
    kept = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(kept)


@contextmanager
def configured(chosen: str) -> Iterator[None]:
    """Log to standard error at INFO, as `chosen` (chosen_format), while the block runs; then put logging
    back as it was.

    Logging belongs to the whole process, which outlives `pulsebot run` when something else called it (a
    test, a program embedding pulsebot): a handler left behind would write to a standard error that may be
    gone by then, and APScheduler and Alembic would stay quiet for everyone after. A process that already
    logs somewhere keeps its own handlers and level (as with logging.basicConfig)."""
    root = logging.getLogger()
    quiet = {name: logging.getLogger(name) for name in QUIET}
    levels = {name: logger.level for name, logger in quiet.items()}
    root_level, handler = root.level, None
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter() if chosen == "json" else logging.Formatter(TEXT_FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    for logger in quiet.values():
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, logger in quiet.items():
            logger.setLevel(levels[name])
        if handler is not None:
            root.removeHandler(handler)
            handler.close()
            root.setLevel(root_level)
