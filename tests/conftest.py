import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TODAY = dt.date(2026, 11, 23)
PYTHON = sys.executable


def run_script(*args: str, cwd: Path = ROOT, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def default_catalogue():
    from insatsguiden import DEFAULT_DATA
    from insatsguiden.validate import validate_file

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
        env={**os.environ, "INSATSGUIDEN_TODAY": TODAY.isoformat(), "NO_MKDOCS_2_WARNING": "1"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return site
