"""The data file's history from git, as semantic changes per commit (issue 12).

The only place that reads git history for the site; the MkDocs hook calls it at the edge.
"""
from __future__ import annotations

from pathlib import Path


def data_history(data_path: Path):
    """The changes to the data file, newest first; None when there is no git history to read."""
    return None
