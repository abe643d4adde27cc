import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from insatsguiden.tools.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory  # noqa: F401 (used by tests)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TODAY = dt.date(2026, 11, 23)
PYTHON = sys.executable
REPOSITORY = "exempel/insatsguiden"  # the GitHub repository the built test site links to


def run_script(*args: str, cwd: Path = ROOT, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def default_catalogue():
    from insatsguiden import DEFAULT_DATA
    from insatsguiden.model.validate import validate_file

    result = validate_file(DEFAULT_DATA, TODAY)
    assert result.ok, "\n".join(p.text() for p in result.problems)
    return result.catalogue


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real site, built once per test session with the default data."""
    site = tmp_path_factory.mktemp("site")
    completed = subprocess.run(
        [PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "INSATSGUIDEN_TODAY": TODAY.isoformat(), "NO_MKDOCS_2_WARNING": "1",
             "GITHUB_REPOSITORY": REPOSITORY},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return site


def build_site(data: Path, site: Path, today: str = TODAY.isoformat(), **env: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of data into site, as a user runs it (env: further variables); it must succeed."""
    completed = subprocess.run(
        [PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT, capture_output=True,
        text=True, timeout=600,
        env={**os.environ, "INSATSGUIDEN_DATA": str(data), "INSATSGUIDEN_TODAY": today, "NO_MKDOCS_2_WARNING": "1",
             **env})
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed



@pytest.fixture(scope="session")
def site_url(built_site):
    url, server = serve_directory(built_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium saknas: kör bash scripts/test.sh, som installerar Debians chromium.")
    with sync_playwright() as driver:
        instance = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def watched_tab(browser):
    """A new tab in a Swedish context; page errors are collected in tab.problems. Returns (context, tab)."""
    context = browser.new_context(locale="sv-SE")
    tab = context.new_page()
    tab.problems = []
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    return context, tab
