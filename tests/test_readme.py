"""The README stays a short front page: commands that work, and links that lead somewhere."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def test_the_readme_is_short():
    assert len(README.splitlines()) <= 150


def test_the_readme_s_test_command_is_the_one_ci_runs():
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"

    assert f"```sh\n{command}\n```" in README
    assert f"\n{command}\n" in (ROOT / ".ci" / "run").read_text()


def test_the_readme_says_which_python_it_needs():
    assert "Python 3.11 or later" in README
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()


def test_the_readme_s_links_lead_to_files_and_headings_that_exist():
    for target in re.findall(r"\]\(([^)#]+\.(?:md|yml|png))(?:#([^)]+))?\)", README):
        path, anchor = target
        assert (ROOT / path).is_file(), path
        if anchor:
            headings = re.findall(r"^#+ (.+)$", (ROOT / path).read_text(), flags=re.M)
            assert anchor in {_slug(heading) for heading in headings}, (path, anchor)
    for anchor in re.findall(r"\]\(#([^)]+)\)", README):
        assert anchor in {_slug(h) for h in re.findall(r"^#+ (.+)$", README, flags=re.M)}, anchor


def _slug(heading: str) -> str:
    """The anchor GitHub and MkDocs give a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).strip().replace(" ", "-")
