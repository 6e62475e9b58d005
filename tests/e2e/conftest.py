"""Browser-test fixtures: a real Chromium against the live server, every page checked the same way.

A story calls ``checkpoint("signup-01-form")`` on each page it reaches. That

* saves a full-page screenshot, ``tests/e2e/artifacts/signup-01-form.png``,
* runs axe-core on the page, saves its report next to it (``signup-01-form.axe.json``)
  and fails on any violation whose impact is serious or critical,
* fails if the browser logged an error since the last checkpoint (a CSP violation,
  a missing static file, an uncaught exception).

The browser context keeps the site's Content-Security-Policy on (no ``bypass_csp``):
Playwright's ``page.evaluate()`` runs through the DevTools protocol, which CSP does
not govern, so axe's injection works under ``script-src 'self' 'nonce-…'`` — and a
CSP violation by the site itself still shows up as a console error.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Error, Page

ARTIFACTS = Path(__file__).parent / "artifacts"

# axe impacts are minor, moderate, serious and critical: the last two fail a test.
FAILING_IMPACTS = {"serious", "critical"}

Checkpoint = Callable[[str], None]
AssertAccessible = Callable[[Page, str], None]


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:
    """``page.goto("/accounts/login/")`` goes to the live server."""
    return str(live_server.url)


@pytest.fixture(autouse=True)
def _site_url_is_the_live_server(settings: Any, live_server: Any) -> None:
    # Links in emails built from SITE_URL (footers, "reset my password") lead back
    # to the server under test rather than to the development default.
    settings.SITE_URL = live_server.url


@pytest.fixture(autouse=True)
def _prompt_timeouts(page: Page) -> None:
    # A local live server answers in milliseconds: fail a missing element in 10 s, not 30.
    page.set_default_timeout(10_000)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The directory for screenshots and axe reports (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def serious_violations(report: dict[str, Any]) -> list[str]:
    """axe's serious and critical violations: the rule, then each offending element."""
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        f"{violation.get('helpUrl', '')}\n"
        + "\n".join(
            f"    at {node['target']} {node['html']}\n      {node.get('failureSummary', '')}"
            for node in violation["nodes"]
        )
        for violation in report["violations"]
        if violation.get("impact") in FAILING_IMPACTS
    ]


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def assert_accessible(axe: Axe, artifacts: Path) -> AssertAccessible:
    """``assert_accessible(page, name)``: axe-core finds nothing serious or critical on the page.

    axe's full report is kept as ``<name>.axe.json`` in the artifacts directory.
    """

    def _assert_accessible(page: Page, name: str) -> None:
        report = axe.run(page).response
        (artifacts / f"{name}.axe.json").write_text(json.dumps(report, indent=2))
        problems = serious_violations(report)
        assert not problems, (
            f"axe found {len(problems)} serious or critical accessibility violation(s) on {name} "
            f"({page.url}):\n" + "\n".join(problems)
        )

    return _assert_accessible


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Errors the browser reports while the test runs: console errors and uncaught exceptions.

    CSP violations ("Refused to execute inline script…") and failed loads ("Failed to
    load resource: 404") are console errors in Chromium.
    """
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url") or page.url
            errors.append(f"{message.text} (at {where})")

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught {error.name}: {error.message} (on {page.url})")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return errors


@pytest.fixture
def checkpoint(
    page: Page, artifacts: Path, assert_accessible: AssertAccessible, console_errors: list[str]
) -> Checkpoint:
    """``checkpoint(name)``: screenshot the page, check its accessibility and the console."""

    def _checkpoint(name: str) -> None:
        page.wait_for_load_state("load")
        page.screenshot(path=artifacts / f"{name}.png", full_page=True)
        assert_accessible(page, name)
        seen = list(console_errors)
        console_errors.clear()
        assert not seen, f"the browser logged {len(seen)} error(s) by {name} ({page.url}):\n" + "\n".join(
            f"  {error}" for error in seen
        )

    return _checkpoint
