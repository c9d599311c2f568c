"""The dashboard in a real browser: Debian's Chromium (/usr/bin/chromium, which .ci/run installs with
apt-get; no browser is downloaded) driven by pytest-playwright, against the app behind waitress.

Every test here is marked `browser`; without Chromium they are skipped, saying why."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebot.slack.server import HttpLimits, HttpServer
from pulsebot.web import create_app

CHROMIUM = Path(os.environ.get("PULSEBOT_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).with_name("axe.min.js")  # axe-core 4.14.1 from the npm registry (MPL-2.0)
# PULSEBOT_SCREENSHOTS=docs writes the pages' screenshots into docs/ (docs/dashboard.md shows them).
SCREENSHOTS = os.environ.get("PULSEBOT_SCREENSHOTS")


def pytest_collection_modifyitems(config, items) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": ["--no-sandbox"]}


@pytest.fixture
def dashboard_url(web_settings, sessions) -> Iterator[str]:
    """The dashboard served by waitress on a free port, at the address its settings give for Slack's
    redirect (the fake Slack sends the browser back there)."""
    holder: dict = {}
    server = HttpServer(
        lambda environ, start: holder["app"](environ, start), host="127.0.0.1", port=0, limits=HttpLimits()
    )
    url = f"http://127.0.0.1:{server.port}"
    holder["app"] = create_app(web_settings.model_copy(update={"web_url": url}), sessions)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield url
    server.stop()
    thread.join()


@pytest.fixture
def screenshot(tmp_path):
    """Save a page's screenshot as docs/dashboard-NAME.png (with PULSEBOT_SCREENSHOTS=docs), else in the
    test's own folder."""
    folder = Path(__file__).parents[3] / "docs" if SCREENSHOTS == "docs" else tmp_path

    def take(page, name: str, *, part=None) -> Path:
        """The whole page, or only `part` of it (a locator)."""
        path = folder / f"dashboard-{name}.png"
        if part is not None:
            part.screenshot(path=str(path))
        else:
            page.screenshot(path=str(path), full_page=True)
        return path

    return take


def axe_violations(page) -> list[dict]:
    """What axe-core finds on the page as it is now (WCAG 2.1 A and AA rules), each as id and targets."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']})).violations.map(v => ({id: v.id, impact: v.impact, "
        "nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return found
