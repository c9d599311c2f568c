"""How every `pulsebot` command behaves at the shell, whatever it does: a usage mistake is one
`pulsebot:` line and exit status 2 (a failure is one line and 1, see common.fail), and `--help` reads as
sentences: a flag shows no `<bool>`, an argument no `<str>`, a required argument is written as its name
in the usage line (SURVEY), an optional one in brackets ([SURVEY]), and a command's summary in a group's
list is its first paragraph joined into one line rather than broken where the docstring wraps.

Typer has no setting for the help's details, so the three display methods are replaced here, once, for
this process; tests/cli/test_conventions.py pins what they print.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

try:  # typer carries its own copy of click since 0.2x; before, it used click itself
    from typer._click.exceptions import ClickException, UsageError
except ImportError:  # pragma: no cover - older typer
    from click.exceptions import ClickException, UsageError

_option_type = TyperOption.display_type_rich


def _type_unless_flag(option: TyperOption, ctx: typer.Context) -> str | None:
    return None if option.is_flag else _option_type(option, ctx)


def _argument_usage(argument: TyperArgument) -> str:
    name = argument.display_name_raw + ("..." if argument.nargs != 1 else "")
    return name if argument.required else f"[{name}]"


TyperOption.display_type_rich = _type_unless_flag
TyperArgument.display_type_rich = lambda _argument, ctx: None  # its name says what it takes
TyperArgument._usage_display_name = _argument_usage


def _summaries_in_one_line(group: TyperGroup) -> None:
    for command in group.commands.values():
        if command.short_help is None and command.help:
            first_paragraph = command.help.split("\n\n")[0]
            command.short_help = " ".join(first_paragraph.split())
        if isinstance(command, TyperGroup):
            _summaries_in_one_line(command)


class PulsebotGroup(TyperGroup):
    """The top-level `pulsebot` group: its `main` reports click's usage errors (an unknown command or
    option, a missing argument, a value that is not a number) as one line."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, **extra: Any) -> Any:
        standalone = extra.pop("standalone_mode", True)
        _summaries_in_one_line(self)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except UsageError as error:
            code = _one_line(error)
        except ClickException as error:
            typer.echo(f"pulsebot: {error.format_message()}", err=True)
            code = error.exit_code
        except typer.Abort:
            typer.echo("pulsebot: stopped; nothing was changed", err=True)
            code = 1
        if not standalone:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _one_line(error: UsageError) -> int:
    message = " ".join(error.format_message().split()).rstrip(".")
    message = message[:1].lower() + message[1:]
    where = ""
    if error.ctx is not None:  # the command as typed, whatever the program was called (python -m pulsebot)
        command = " ".join(["pulsebot", *error.ctx.command_path.split()[1:]])
        where = f"; see `{command} --help`"
    typer.echo(f"pulsebot: {message}{where}", err=True)
    return error.exit_code
