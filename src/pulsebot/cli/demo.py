"""`pulsebot demo`: see a real digest in a minute, with no Slack workspace and no database to set up."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from pulsebot.cli.common import fail, out
from pulsebot.clock import utc_now


def demo(
    folder: Annotated[Path, typer.Option("--out", help="Where to write the digest files.")] = Path(
        "demo-output"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the simulated answers.")] = 7,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the simulated team's database (demo.db) to explore it.")
    ] = False,
    language: Annotated[
        str,
        typer.Option(
            "--language",
            help="The team's language: en, de, fr or es (its pulse in pulse.json; with de, its comments "
            "too).",
        ),
    ] = "en",
) -> None:
    """Simulate a team of 40 over 12 weeks and write its digest: Block Kit JSON, the PNG chart, plain text."""
    from pulsebot.demo import run_demo
    from pulsebot.i18n import LANGUAGES

    if language not in LANGUAGES:
        fail(f"--language {language}: pulsebot speaks {', '.join(LANGUAGES)}")
    try:
        result = run_demo(
            folder, now=utc_now(), seed=seed, keep=keep, language=language, progress=_show_progress
        )
    except OSError as error:
        fail(f"{folder}: cannot write the demo files ({error.strerror})")
    out.print(result.text, markup=False, highlight=False, soft_wrap=True)
    for kind, path in result.files.items():
        out.print(f"{kind:>8}: {path}", highlight=False, soft_wrap=True)
    if keep:
        database = f"DATABASE_URL=sqlite:///{result.files['database']}"
        out.print("\nExplore the simulated team with the real commands:", highlight=False)
        for command in EXPLORE:
            out.print(f"  {database} {_program()} {command}", markup=False, highlight=False, soft_wrap=True)


def _program() -> str:
    """pulsebot as it was started (`.venv/bin/pulsebot` in the README), so the suggestions run as printed."""
    started = sys.argv[0]
    return started if Path(started).name == "pulsebot" else "pulsebot"


def _show_progress(step: str) -> None:
    # On standard error: standard output is the digest alone, to read or to redirect to a file.
    typer.echo(f"{step}…", err=True)


# What `--keep` suggests trying on the kept database (the demo's survey is called support-team).
EXPLORE = (
    "report support-team",
    "segments --by line",
    "export support-team --csv support-team.csv",
    "survey list",
    "audit",
)
