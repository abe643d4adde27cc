"""Build the site from two revisions of the repository with the same data and list what differs.

For refactorings that must not change the site: each revision is exported with
`git archive` into a temporary folder and built there (with that revision's
own package, hooks and templates), with the same data file, build date and
repository name; then the two trees are compared file by file. The search
index (Pagefind) is left out: it is derived from the pages compared here.

    python scripts/compare_sites.py BASE [OTHER] [--data FILE] [--today YYYY-MM-DD]

OTHER defaults to the working tree as it is (untracked files included). Exit 0 when the trees are the same,
1 when they differ, 2 on usage errors.
"""
from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .. import DEFAULT_DATA, REPO_ROOT
from ..model.dates import today_from_text
from ..model.problems import visible


def export(revision: str | None, target: Path) -> Path:
    """The repository at `revision` (None: the working tree, untracked files included) as plain files in `target`."""
    if revision is None:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                                capture_output=True, check=True).stdout.decode("utf-8").split("\0")
        for name in filter(None, listed):
            source = REPO_ROOT / name
            if source.is_file() and not source.is_symlink():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
        return target
    archive = target.with_suffix(".tar")
    completed = subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), revision], cwd=REPO_ROOT,
                               capture_output=True, text=True)
    if completed.returncode != 0:
        raise ValueError(f"git archive {revision} misslyckades: {completed.stderr.strip()}")
    target.mkdir(parents=True)
    with tarfile.open(archive) as bundle:
        bundle.extractall(target, filter="data")
    return target


def build(checkout: Path, data: Path, site: Path, today: str) -> None:
    # The same data file at the same place in both checkouts, so that even the paths they publish agree.
    (checkout / "data").mkdir(exist_ok=True)
    shutil.copy2(data, checkout / "data" / "insatser.yaml")
    environment = {**os.environ, "INSATSGUIDEN_TODAY": today,
                   "INSATSGUIDEN_PAGEFIND": "0", "NO_MKDOCS_2_WARNING": "1", "GITHUB_REPOSITORY": "exempel/insatsguiden",
                   # the checkout's own package, ahead of any installed one
                   "PYTHONPATH": str(checkout) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    completed = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                               cwd=checkout, env=environment, capture_output=True, text=True)
    if completed.returncode != 0:
        raise ValueError(f"bygget i {checkout} misslyckades:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file() and "pagefind" not in path.parts}


def compare(old: dict[str, bytes], new: dict[str, bytes], context: int = 1) -> list[str]:
    lines: list[str] = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            lines.append(f"borttagen: {name}")
        elif name not in old:
            lines.append(f"ny: {name}")
        elif old[name] != new[name]:
            lines.append(f"ändrad: {name}")
            try:
                before, after = old[name].decode("utf-8"), new[name].decode("utf-8")
            except UnicodeDecodeError:
                continue
            diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=context)
            lines += [f"    {visible(line)[:200]}" for line in list(diff)[2:40]]
    return lines


def main(argv: list[str]) -> int:
    from .cli import SwedishParser

    parser = SwedishParser(prog="compare_sites.py", description="Jämför sajten byggd från två versioner.")
    parser.add_argument("base", help="git-version att jämföra med, t.ex. main eller en commit")
    parser.add_argument("other", nargs="?", default=None, help="den andra versionen (standard: arbetskatalogen)")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="datafilen båda byggs med")
    parser.add_argument("--today", default="2026-11-23", help="byggdatum ÅÅÅÅ-MM-DD för båda")
    args = parser.parse_args(argv)
    try:
        today_from_text(args.today)
    except ValueError as error:
        parser.error(str(error))
    data = Path(args.data).resolve()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        try:
            checkouts = [export(revision, root / f"version-{number}") for number, revision in
                         enumerate((args.base, args.other))]
            for number, checkout in enumerate(checkouts):
                build(checkout, data, root / f"site-{number}", args.today)
        except ValueError as error:
            print(f"{parser.prog}: {visible(str(error))}", file=sys.stderr)
            return 2
        old, new = files_of(root / "site-0"), files_of(root / "site-1")
    differences = compare(old, new)
    shown_other = args.other or "arbetskatalogen"
    if not differences:
        print(f"Ingen skillnad: {len(new)} filer byggda från {args.base} och {shown_other} är identiska.")
        return 0
    print("\n".join(differences))
    changed = sum(not line.startswith("    ") for line in differences)
    print(f"{changed} av {len(set(old) | set(new))} filer skiljer sig mellan {args.base} och {shown_other}.")
    return 1
