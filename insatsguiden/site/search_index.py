"""The Pagefind search index of a built site (Swedish stemming from lang="sv")."""
from __future__ import annotations

import subprocess
import sys

# Only the article text is indexed; the guide's form and data, scripts and the
# small print in the summary box are not.
EXCLUDED = "form, script, template, .ig-sammanfattning .ig-meta, .headerlink"


def pagefind_command(site_dir: str) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--root-selector", "article",
            "--exclude-selectors", EXCLUDED, "--force-language", "sv", "--quiet"]


def build_index(site_dir: str) -> str | None:
    """Index the site; None when it worked, else Pagefind's own message."""
    completed = subprocess.run(pagefind_command(site_dir), capture_output=True, text=True)
    return None if completed.returncode == 0 else (completed.stderr or completed.stdout)[-2000:]
