"""The package's folders are its pipeline: each layer imports only the layers before it.

model (read and check the data) → domain (what it means on a date) → site
(pages and files) → tools (command lines, git, the clock). The MkDocs hook
imports only site and model. Read from the source with `ast`, so a lazy import
inside a function counts as much as one at the top.
"""
import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "insatsguiden"
ORDER = ["model", "domain", "site", "tools"]


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the insatsguiden modules a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative_to = path.relative_to(ROOT).with_suffix("").parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(relative_to[:-node.level]) if path.name != "__init__.py" else list(relative_to[:len(relative_to) - node.level + 1])
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = [f"{module}.{alias.name}" for alias in node.names]
            found.update([module, *names])
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "insatsguiden" or name.startswith("insatsguiden.")}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ORDER else None


def package_files():
    return sorted(path for path in PACKAGE.rglob("*.py") if path.parent != PACKAGE)


@pytest.mark.parametrize("path", package_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_layer_imports_only_the_layers_before_it(path):
    own = path.relative_to(PACKAGE).parts[0]
    allowed = set(ORDER[: ORDER.index(own) + 1])
    wrong = {module for module in imported_modules(path) if layer_of(module) and layer_of(module) not in allowed}
    assert not wrong, f"{path.relative_to(ROOT)} ({own}) importerar {sorted(wrong)}"


def test_every_module_lives_in_a_layer():
    loose = [path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"]
    assert loose == []
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir() and not path.name.startswith("__")} == set(ORDER)


@pytest.mark.parametrize("path", sorted((ROOT / "hooks").glob("*.py")), ids=lambda p: p.name)
def test_the_hook_uses_only_site_and_model(path):
    # ...and, at the edge, the data file's git history for the change feed.
    edge = ("insatsguiden", "insatsguiden.DEFAULT_DATA", "insatsguiden.tools.history", "insatsguiden.tools.history.data_history")
    wrong = {module for module in imported_modules(path)
             if layer_of(module) not in ("site", "model") and module not in edge}
    assert not wrong, sorted(wrong)


def test_only_tools_read_the_clock_or_call_git():
    for path in package_files():
        if path.relative_to(PACKAGE).parts[0] == "tools":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("date.today(", "datetime.now(", "time.time(", '"git"', "'git'"):
            assert needle not in text, f"{path.relative_to(ROOT)}: {needle}"


def test_nothing_imports_from_tests():
    for path in list(PACKAGE.rglob("*.py")) + list((ROOT / "hooks").glob("*.py")) + list((ROOT / "scripts").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(name.split(".")[0] in ("tests", "conftest") for name in names), path
