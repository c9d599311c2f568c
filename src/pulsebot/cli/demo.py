"""`pulsebot demo`: see a real digest in a minute, with no Slack workspace and no database to set up."""

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
) -> None:
    """Simulate a team of 40 over 12 weeks and write its digest: Block Kit JSON, the PNG chart, plain text."""
    from pulsebot.demo import run_demo

    try:
        result = run_demo(folder, now=utc_now(), seed=seed)
    except OSError as error:
        fail(f"{folder}: cannot write the demo files ({error.strerror})")
    out.print(result.text, markup=False, highlight=False, soft_wrap=True)
    for kind, path in result.files.items():
        out.print(f"{kind:>6}: {path}", highlight=False)
