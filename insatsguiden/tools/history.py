"""The data file's history from git, as semantic changes per commit (issue 12).

The only place that reads git history for the site; the MkDocs hook calls it at the edge
and passes the result to `Site.build` (site/changes.py turns it into the Ändringar page
and the Atom feed).

Four git processes per build, whatever the number of commits: `git rev-parse` for the file's
path in the repository and whether the clone is shallow, `git log` for the newest
commits that touched the file (merges left out: their changes are shown in the commits
they bring in), `git cat-file --batch-check` for the file's blob in each commit and in its
parent, and `git cat-file --batch` for each distinct blob once. Each version is read once
with the project's strict YAML loader (not the schema: an old version follows the schema
of its day) and compared with the semantic diff.

None means "no history to read": no git, not a repository, a data file git does not know,
or a shallow clone with nothing before its oldest commit.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from typing import Any

from ..model.loader import decode, load_text
from ..model.problems import DataError
from ..site.changes import HISTORY_LIMIT, History, HistoryEntry, RecordChange, safe_text
from .semantic_diff import diff

GIT_TIMEOUT = 60  # seconds per git process
# Bytes of versions read per build: strict loading and diffing take 0.5–0.9 s a megabyte on this
# 2-core machine, so at most about four seconds unloaded. The real catalogue (150 KB, 8 commits)
# reads in 0.3 s and would fit 50 commits up to about 150 KB a version; a synthetic one of 1,000
# insatser (4.4 MB a version, 8 s for one change under load) or 5,000 (22 MB, 17 s) gets none,
# and the page says why, rather than slowing every build down.
HISTORY_BYTES = 8_000_000
_COMPUTED_MAX = 1_000
# (commit, path) -> (changes, why unreadable): `mkdocs serve` rebuilds on every save, and a commit never changes.
_computed: dict[tuple[str, str], tuple[tuple, str | None]] = {}
# Variables that would point git at another repository than the data file's own.
_REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                         "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE")


class _NoHistory(Exception):
    pass


def _git(directory: Path, *args: str, stdin: bytes | None = None) -> bytes:
    environment = {key: value for key, value in os.environ.items() if key not in _REPOSITORY_VARIABLES}
    try:
        completed = subprocess.run(["git", "-c", "log.showSignature=false", "-C", str(directory), *args],
                                   input=stdin, capture_output=True, timeout=GIT_TIMEOUT, env=environment)
    except (OSError, subprocess.SubprocessError):  # git missing, not executable, or hanging
        raise _NoHistory from None
    if completed.returncode != 0:
        raise _NoHistory
    return completed.stdout


def _commits(directory: Path, path: str, limit: int) -> list[tuple[str, str, dt.datetime, list[str], str]]:
    """(full hash, short hash, author date, parents, subject) of the newest commits that changed `path`."""
    # NUL-separated fields: a subject may contain any other character, NUL is refused by git.
    output = _git(directory, "log", "--no-merges", "--no-color", f"--max-count={limit}", "-z",
                  "--format=%H%x00%h%x00%aI%x00%P%x00%s", "--", f":(top,literal){path}")
    fields = output.split(b"\0")
    commits = []
    for start in range(0, len(fields) - 4, 5):
        full, short, date, parents, subject = fields[start:start + 5]
        commits.append((full.decode("ascii"), short.decode("ascii"), dt.datetime.fromisoformat(date.decode("ascii")),
                        parents.decode("ascii").split(), subject.decode("utf-8", "replace")))
    return commits


def _blob_ids(directory: Path, specs: list[str]) -> dict[str, tuple[str, int] | None]:
    """'<commit>:<path>' -> (the blob's id, its size in bytes), or None where the file did not exist."""
    output = _git(directory, "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)",
                  stdin="".join(f"{spec}\n" for spec in specs).encode("utf-8"))
    found: dict[str, tuple[str, int] | None] = {}
    for spec, line in zip(specs, output.decode("utf-8", "replace").splitlines()):
        words = line.split()
        found[spec] = (words[0], int(words[2])) if len(words) == 3 and words[1] == "blob" else None
    return found


def _blobs(directory: Path, ids: list[str]) -> dict[str, bytes]:
    """Each blob's content, read in one git process."""
    if not ids:
        return {}
    output = _git(directory, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in ids).encode("ascii"))
    contents, offset = {}, 0
    for blob in ids:
        header_end = output.index(b"\n", offset)
        _, kind, size = output[offset:header_end].decode("ascii").split()
        start = header_end + 1
        contents[blob] = output[start:start + int(size)]
        offset = start + int(size) + 1
    return contents


def _load(raw: bytes, name: str) -> tuple[Any, str | None]:
    """The version's data, or None and why it could not be read."""
    try:
        return load_text(decode(raw, name), name), None
    except DataError as error:
        return None, error.problems[0].text()


def data_history(data_path: Path, limit: int = HISTORY_LIMIT, budget: int = HISTORY_BYTES) -> History | None:
    """The changes to the data file, newest first; None when there is no git history to read.

    At most `limit` commits, newest first, as long as the versions still to be read stay within
    `budget` bytes: a catalogue of thousands of insatser is megabytes per version, and reading one
    takes seconds. An empty, truncated History means not even the newest change fitted.
    """
    resolved = Path(data_path).resolve()  # a symbolic link: the history of the file it points to
    directory, name = resolved.parent, resolved.name
    try:
        prefix, shallow, shallow_file = _git(
            directory, "rev-parse", "--show-prefix", "--is-shallow-repository",
            "--git-path", "shallow").decode("utf-8", "replace").split("\n")[:3]
        path = prefix + name
        commits = _commits(directory, path, limit + 1)
        boundary: set[str] = set()
        if shallow == "true":
            shallow_path = Path(shallow_file) if Path(shallow_file).is_absolute() else directory / shallow_file
            try:
                boundary = set(shallow_path.read_text(encoding="ascii").split())
            except OSError:
                boundary = {full for full, _, _, parents, _ in commits if not parents}
        # The oldest commit of a shallow clone has no known parent: it is a base to compare with, not a change.
        commits = [commit for commit in commits if commit[0] not in boundary]
        truncated = len(commits) > limit
        commits = commits[:limit]
        if not commits:
            return None
        specs = []
        for full, _, _, parents, _ in commits:
            specs.append(f"{full}:{path}")
            if parents:
                specs.append(f"{parents[0]}:{path}")
        blob_of = _blob_ids(directory, specs)
        # Make room before deciding what to read: clearing the cache while entries are built would drop a
        # commit whose versions were not read because it was cached (a KeyError in the middle of a build).
        if len(_computed) + len(commits) > _COMPUTED_MAX:
            _computed.clear()
        # Newest first, as long as the versions they compare fit in the budget. Commits read before (under
        # mkdocs serve) count as if read again, so a rebuild shows the same entries, only sooner.
        chosen, counted, needed = [], {}, []
        for commit in commits:
            full, parents = commit[0], commit[3]
            pair = [blob_of.get(f"{full}:{path}")] + ([blob_of.get(f"{parents[0]}:{path}")] if parents else [])
            extra = {blob: size for blob, size in filter(None, pair) if blob not in counted}
            if sum(counted.values()) + sum(extra.values()) > budget:
                truncated = True
                break
            chosen.append(commit)
            counted.update(extra)
            if (full, path) not in _computed:
                needed += [blob for blob, _ in filter(None, pair)]
        needed = list(dict.fromkeys(needed))
        contents = _blobs(directory, needed)
    except (_NoHistory, ValueError, IndexError, UnicodeDecodeError):
        return None

    loaded: dict[str | None, tuple[Any, str | None]] = {None: ({}, None)}  # no file: nothing in it yet

    def version(spec: str | None, label: str) -> tuple[Any, str | None]:
        found = blob_of.get(spec) if spec else None
        blob = found[0] if found else None
        if blob not in loaded:
            loaded[blob] = _load(contents[blob], label)
        return loaded[blob]

    entries = []
    for full, short, date, parents, subject in chosen:
        if (full, path) not in _computed:  # a commit never changes: its changes are read once per process
            new, new_problem = version(f"{full}:{path}", f"{path}@{short}")
            old, old_problem = version(f"{parents[0]}:{path}" if parents else None, f"{path}@{short}^")
            unreadable = None
            if new_problem:
                unreadable = f"Versionen i {short} kunde inte läsas, så ändringarna kan inte visas: {new_problem}"
            elif old_problem:
                unreadable = f"Versionen före {short} kunde inte läsas, så ändringarna kan inte visas: {old_problem}"
            changes = ()
            if not unreadable:
                try:
                    changes = tuple(
                        RecordChange(change.section, change.record_id, safe_text(change.name), change.kind,
                                     tuple(safe_text(detail) for detail in change.details))
                        for change in diff(old, new))
                except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as error:
                    # An old version may have any shape; a surprise there must not stop the build.
                    unreadable = f"Ändringarna i {short} kunde inte läsas ut ({type(error).__name__})."
            _computed[(full, path)] = (changes, unreadable)
        changes, unreadable = _computed[(full, path)]
        entries.append(HistoryEntry(full, short, date, safe_text(subject), changes, unreadable))
    return History(entries, truncated=truncated, limit=limit)
