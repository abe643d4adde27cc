"""Insatsguiden: data model, strict loading, validation and rendering.

The package knows nothing about MkDocs; `hooks/` adapts it to the site
generator, `scripts/` to the command line.
"""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / "data" / "insatser.yaml"
SCHEMA_PATH = REPO_ROOT / "schema" / "insatser.schema.json"
