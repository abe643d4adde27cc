"""Insatsguiden: the referral guide's data, checks, meaning and pages, as a pipeline of layers.

model/ (read and check the data) → domain/ (what it means on a date) → site/
(pages and files) → tools/ (command lines, git, the clock); see ARCHITECTURE.md.
The package knows nothing about MkDocs: `hooks/` adapts it to the site generator.
"""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / "data" / "insatser.yaml"
SCHEMA_PATH = REPO_ROOT / "schema" / "insatser.schema.json"
