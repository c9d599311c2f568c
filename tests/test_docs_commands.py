"""Every command the README and docs/ give works as written from a fresh clone with the README's virtual
environment: no tool outside `.venv/bin/`, no script or module that is not there, no `pulsebot`
subcommand or option that does not exist, and each command of a shell block either run by a named test
or on the short list of those that need a real Slack workspace (or are the install steps CI itself runs).

Installing into a fresh virtual environment takes minutes, so that is left to CI (.ci/run runs the
README's install and test command as written); this file checks, in a second or two, what makes a
command fail as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pulsebot.cli import cli

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(sh|bash|shell)\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
# An inline code span is a command to copy when it starts like one (a `pulsebot …` span in a table or a
# sentence names a command and its options, and is checked as such below).
COMMAND_START = re.compile(r"^(python3? |pip |mkdocs |env |\.venv/bin/|[A-Z_]+=\S+ )")

KEPT_DEMO = "DATABASE_URL=sqlite:///demo-output/demo.db .venv/bin/pulsebot"
EXPLORES_THE_KEPT_DEMO = (
    "tests/cli/test_demo.py::test_demo_keeps_its_database_on_request_and_the_report_agrees_with_its_digest"
)
LOCAL_TRIAL = "tests/test_local.py::test_the_local_trial_drives_the_pulse_its_modals_and_the_digest_s_buttons"
# The commands of the shell blocks that a test runs, as written (or with its ports and files moved to a
# temporary folder), and which test.
RUN_BY_A_TEST = {
    ".venv/bin/pulsebot demo": "tests/cli/test_demo.py::test_demo_writes_block_kit_a_png_chart_and_text",
    ".venv/bin/pulsebot demo --keep": EXPLORES_THE_KEPT_DEMO,
    f"{KEPT_DEMO} report support-team --weeks 6": EXPLORES_THE_KEPT_DEMO,
    f"{KEPT_DEMO} export support-team --csv support-team.csv": EXPLORES_THE_KEPT_DEMO,
    f"{KEPT_DEMO} segments --by line": EXPLORES_THE_KEPT_DEMO,
    ".venv/bin/python -m tests.fake_slack": (
        "tests/test_local.py::test_the_fake_slack_runs_on_its_own_with_a_channel_and_people"
    ),
    "env $(cat local.env) .venv/bin/pulsebot survey apply local-survey.yml": LOCAL_TRIAL,
    ".venv/bin/python -m tests.local pulse": LOCAL_TRIAL,
    ".venv/bin/python -m tests.local answer 1 4": LOCAL_TRIAL,
    '.venv/bin/python -m tests.local comment 1 "Too many meetings"': LOCAL_TRIAL,
    ".venv/bin/python -m tests.local last-week": LOCAL_TRIAL,
    ".venv/bin/python -m tests.local digest": LOCAL_TRIAL,
    ".venv/bin/python -m tests.local share --comments": LOCAL_TRIAL,
    '.venv/bin/python -m tests.local plan "Meeting-free Fridays" --about meetings': LOCAL_TRIAL,
    # The message catalogs (docs/languages.md): a test fails when the template, a catalog or its compiled
    # .mo is not what these commands make of the code.
    (
        ".venv/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project pulsebot "
        "-o src/pulsebot/locale/pulsebot.pot src/pulsebot"
    ): "tests/test_catalogs.py::test_the_template_holds_every_message_the_code_marks",
    (
        ".venv/bin/pybabel update -i src/pulsebot/locale/pulsebot.pot -d src/pulsebot/locale -D pulsebot "
        "--width 110 --ignore-pot-creation-date"
    ): "tests/test_catalogs.py::test_every_message_is_translated_and_compiled",
    ".venv/bin/pybabel compile -d src/pulsebot/locale -D pulsebot --statistics": (
        "tests/test_catalogs.py::test_every_message_is_translated_and_compiled"
    ),
    ".venv/bin/pytest": "(CI: .ci/run runs the README's test command as written)",
    ".venv/bin/ruff check .": "(CI: .ci/run)",
    ".venv/bin/ruff format --check .": "(CI: .ci/run)",
    ".venv/bin/mkdocs build --strict": "(CI: .ci/run)",
    "bash .ci/dates": "(CI: .ci/run runs the date check after the tests)",
    'bash .ci/dates "2027-03-01 00:30:00"': "(CI: .ci/run runs that moment among the others)",
}
# Install steps: CI runs them from scratch (.ci/run), and `pip install .` as `-e '.[test]'`.
INSTALL = {
    "python3 -m venv .venv",
    ".venv/bin/pip install .",
    ".venv/bin/pip install -e '.[test]'",
    ".venv/bin/pip install -e '.[dev]'",
    ".venv/bin/pip install -e '.[docs]'",
    "apt-get install -y faketime",  # a Debian package, for the date check
}
# They need a real Slack workspace, a server that keeps running, or change the repository.
NEEDS_A_WORKSPACE = {
    ".venv/bin/pulsebot run",  # Slack's own tokens
    "env $(cat local.env) .venv/bin/pulsebot run",  # serves until stopped
    '.venv/bin/python -m tests.local idea "Make refunds one click"',  # needs the two above running
    ".venv/bin/python -m tests.local vote 1",
    ".venv/bin/mkdocs serve",  # serves until stopped
    '.venv/bin/alembic revision --autogenerate -m "what changed"',  # writes a migration
    ".venv/bin/pybabel init -i src/pulsebot/locale/pulsebot.pot -d src/pulsebot/locale -D pulsebot -l it",
}


def shell_commands() -> list[tuple[str, str]]:
    """(page, command) for each command of each shell block, comments dropped, split at `&&`; lines
    that only set variables (a list of settings) are not commands."""
    found = []
    for page in PAGES:
        for _, block in FENCE.findall(page.read_text()):
            for line in block.splitlines():
                line = re.split(r"\s+#", line)[0].strip()
                if not line or re.fullmatch(r"[A-Z_]+=\S*", line):
                    continue
                found += [(page.name, part.strip()) for part in line.split("&&")]
    return found


def inline_commands() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        prose = FENCE.sub("", page.read_text())
        for span in INLINE.findall(prose):
            if COMMAND_START.match(span):
                found += [(page.name, part.strip()) for part in span.split("&&")]
    return found


def program_and_arguments(command: str) -> list[str]:
    """The words after the variables set in front (`A=b cmd`, `env $(cat local.env) cmd`)."""
    words = shlex.split(command.replace("$(cat local.env)", "LOCAL_ENV=1"))
    if words and words[0] == "env":
        words = words[1:]
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        words = words[1:]
    return words


def test_the_pages_give_shell_commands_to_check():
    assert len(shell_commands()) >= 15 and len(inline_commands()) >= 5


@pytest.mark.parametrize(("page", "command"), shell_commands() + inline_commands())
def test_no_command_needs_a_tool_outside_the_virtual_environment(page, command):
    """A fresh clone has no `pulsebot`, `pip` or `mkdocs` on PATH, and `python` may lack the
    dependencies: only `python3 -m venv` runs outside `.venv/bin/`."""
    words = program_and_arguments(command)
    assert words, (page, command)
    outside = words[:3] == ["python3", "-m", "venv"] or words == ["python3", "--version"]
    outside |= words[:2] == ["bash", ".ci/dates"] or words[:3] == ["apt-get", "install", "-y"]  # CI's own
    assert words[0].startswith(".venv/bin/") or outside, (page, command)


@pytest.mark.parametrize(("page", "command"), shell_commands() + inline_commands())
def test_every_script_module_and_tool_a_command_names_exists(page, command):
    words = program_and_arguments(command)
    tool = words[0].removeprefix(".venv/bin/")
    if tool in ("python", "python3") and len(words) > 1:
        if words[1] == "--version" or re.search(r"(^|/)[A-Z]+\.py$", words[1]):  # NAME.py: any of them
            return
        if words[1] == "-m":
            module = words[2]
            if module != "venv":
                assert (ROOT / f"{module.replace('.', '/')}.py").is_file(), (page, command)
        elif words[1] != "-c":
            assert (ROOT / words[1]).is_file(), (page, command)
        return
    if tool == "bash":  # one of CI's own scripts
        assert (ROOT / words[1]).is_file(), (page, command)
        return
    if tool == "apt-get":  # a Debian package CI installs too
        assert words[-1] in (ROOT / ".ci" / "run").read_text(), (page, command)
        return
    provided = {"pulsebot", "pip", "pytest", "ruff", "alembic", "mkdocs", "pybabel"}
    assert tool in provided, (page, command)
    if tool not in ("pulsebot", "pip"):  # a dependency of pulsebot's, or of an extra
        distribution = {"pybabel": "Babel"}.get(tool, tool)
        assert re.search(rf'"{distribution}[>=<~ \[]', (ROOT / "pyproject.toml").read_text()), (page, command)


def pulsebot_uses() -> list[tuple[str, list[str]]]:
    """(page, words after `pulsebot`) for every `pulsebot …` the pages give, in shell blocks and inline."""
    uses = []
    for page, command in shell_commands() + inline_commands():
        words = program_and_arguments(command)
        if words and words[0].endswith("pulsebot"):
            uses.append((page, words[1:]))
    for page in PAGES:
        for span in INLINE.findall(FENCE.sub("", page.read_text())):
            if span.startswith("pulsebot "):
                words = shlex.split(span)[1:]
                # `pulsebot survey|pulse|digest` names several commands at once
                uses += [(page.name, [name, *words[1:]]) for name in words[0].split("|")]
    return uses


def test_every_pulsebot_subcommand_and_option_in_the_pages_exists():
    root = get_command(cli)
    runner = CliRunner()
    for page, words in pulsebot_uses():
        command, path = root, []
        for word in words:
            subcommands = getattr(command, "commands", {})
            if word in subcommands:
                command, path = subcommands[word], [*path, word]
                continue
            if subcommands and not word.startswith("-"):
                raise AssertionError(f"{page}: pulsebot {' '.join(words)}: no subcommand {word!r}")
        options = {option for param in command.params for option in param.opts + param.secondary_opts}
        for word in words:
            option = word.strip("[]").split("=")[0]
            if option.startswith("--"):
                assert option in options | {"--help", "--version"}, (page, words, option)
        shown = runner.invoke(cli, [*path, "--help"], env={"COLUMNS": "200"})
        assert shown.exit_code == 0, (page, words, shown.output)


def test_every_shell_block_command_is_run_by_a_test_or_listed_as_needing_a_workspace():
    for page, command in shell_commands():
        assert command in RUN_BY_A_TEST or command in INSTALL or command in NEEDS_A_WORKSPACE, (page, command)
    for test in RUN_BY_A_TEST.values():
        if test.startswith("(CI"):
            continue
        path, name = test.split("::")
        assert f"def {name}(" in (ROOT / path).read_text(), test
