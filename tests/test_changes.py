"""The change feed: the data file's git history (tools/history.py), the Ändringar page and
andringar/feed.xml (site/changes.py).

Histories are real git repositories made in tmp_path with fixed author and committer dates;
every expectation comes from what the test itself committed, not from running the code.
"""
import datetime as dt
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import feedparser
import pytest

from conftest import FIXTURES, ROOT, TODAY, build_site, serve_directory
from insatsguiden.model.validate import validate_file
from insatsguiden.site import changes
from insatsguiden.site.render import Site, render_page, site_pages
from insatsguiden.tools import history as history_module
from insatsguiden.tools.history import data_history

MINIMAL = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
AUTHOR, EMAIL = "Anna Testsson", "anna.testsson@example.org"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# Text that breaks XML, HTML and JSON, yet is valid data (no '<' before a letter, no control characters).
HOSTILE_NAME = 'Teamet "TT" & \'co\' ]]> <3 < 25 år'
HOSTILE_AIM = "Stöd i hemmet \"nu\" ]]> & <3\u2028andra raden"
# A commit subject can hold anything but NUL.
HOSTILE_SUBJECT = ('Byt namn: "TT" </script><script>alert(1)</script> ]]> &amp; <b>fet</b>'
                   "\u2028rad\x01kontroll\x1b[31m\u202eomvänt slut")
# What the page and the feed show for it: XML cannot hold \x01 or \x1b, and a bidi override
# could turn the text around, so they are shown as escapes; everything else stays as it was.
HOSTILE_SUBJECT_SHOWN = ('Byt namn: "TT" </script><script>alert(1)</script> ]]> &amp; <b>fet</b>'
                         "\u2028rad\\x01kontroll\\x1b[31m\\u202eomvänt slut")


def _git(repo: Path, *args: str, env: dict | None = None) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=" + AUTHOR, "-c", "user.email=" + EMAIL, "-c", "commit.gpgsign=false",
         "-c", "init.defaultBranch=main", *args],
        cwd=repo, capture_output=True, text=True, check=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, **(env or {})})
    return completed.stdout


def _commit(repo: Path, files: dict[str, str], subject: str, author_date: str) -> str:
    for name, text in files.items():
        (repo / name).write_text(text, encoding="utf-8")
    _git(repo, "add", *files)
    message = repo.parent / f"{repo.name}-message.txt"
    message.write_text(subject, encoding="utf-8")
    # The committer date lies a day later: the page must show the author date.
    committed = (dt.datetime.fromisoformat(author_date) + dt.timedelta(days=1)).isoformat()
    _git(repo, "commit", "-q", "--cleanup=verbatim", "-F", str(message),
         env={"GIT_AUTHOR_DATE": author_date, "GIT_COMMITTER_DATE": committed})
    return _git(repo, "rev-parse", "HEAD").strip()


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _without_teamet(text: str) -> str:
    start, end = text.index("  - id: teamet\n"), text.index("ej_tackta_behov:\n")
    return text[:start] + text[end:]


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (\\u escapes for what YAML would read as a line break)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\u2028", "\\u2028") + '"'


V1 = MINIMAL
V2 = _replace(_replace(V1, "    namn: Teamet\n", f"    namn: {_quoted(HOSTILE_NAME)}\n"),
              "    syfte: Stöd i hemmet.\n", f"    syfte: {_quoted(HOSTILE_AIM)}\n")
V3 = _without_teamet(V2)
V4 = V3 + "# En kommentar ändrar inget innehåll.\n"
DATES = ["2026-01-10T09:00:00+01:00", "2026-02-11T10:30:00+01:00", "2026-03-12T11:00:00+00:00",
         "2026-04-01T08:00:00+02:00", "2026-05-05T15:45:00+02:00"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> dict:
    """Five commits: three versions of the data, one commit elsewhere, one that only adds a comment."""
    root = tmp_path_factory.mktemp("historik") / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "data").mkdir()
    commits = [
        _commit(root, {"data/insatser.yaml": V1}, "Första versionen av datafilen", DATES[0]),
        _commit(root, {"data/insatser.yaml": V2}, HOSTILE_SUBJECT, DATES[1]),
        _commit(root, {"data/insatser.yaml": V3}, "Ta bort Teamet", DATES[2]),
        _commit(root, {"README.md": "Läs mig\n"}, "Bara README", DATES[3]),
        _commit(root, {"data/insatser.yaml": V4}, "Kommentar i datafilen", DATES[4]),
    ]
    return {"root": root, "data": root / "data" / "insatser.yaml", "commits": commits}


@pytest.fixture(scope="module")
def history(repo):
    return data_history(repo["data"])


def _site(data: Path, history, repository: str | None = "exempel/insatsguiden") -> Site:
    result = validate_file(data, TODAY)
    assert result.ok, [p.text() for p in result.problems]
    return Site.build(result.catalogue, TODAY, repository, history)


def _page(site: Site) -> str:
    page = next(p for p in site_pages(site.catalogue) if p.template == "andringar.html")
    return render_page(page, site).html


def _feed(site: Site) -> feedparser.FeedParserDict:
    raw = changes.files(site)[changes.FEED_PATH]
    ElementTree.fromstring(raw)  # well-formed XML, or this raises
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


# --- reading the history ------------------------------------------------------------------

def test_one_entry_per_commit_that_changed_the_file_newest_first(repo, history):
    first, second, third, _readme, comment = repo["commits"]
    assert [entry.commit for entry in history] == [comment, third, second, first]
    assert all(entry.commit.startswith(entry.short) and len(entry.short) >= 7 for entry in history)
    assert [entry.date for entry in history] == [dt.datetime.fromisoformat(DATES[i]) for i in (4, 2, 1, 0)]
    assert [entry.subject for entry in history] == [
        "Kommentar i datafilen", "Ta bort Teamet", HOSTILE_SUBJECT_SHOWN, "Första versionen av datafilen"]
    assert history.truncated is False


def test_each_entry_names_its_records_and_fields(history):
    comment, removed, renamed, created = history
    assert comment.changes == () and comment.unreadable is None  # a comment is no change of content
    assert [(c.section, c.record_id, c.kind) for c in removed.changes] == [("insatser", "teamet", "borttagen")]
    assert removed.changes[0].name == HOSTILE_NAME
    by_id = {c.record_id: c for c in renamed.changes}
    assert set(by_id) == {"teamet", "boendestod"} and {c.kind for c in renamed.changes} == {"andrad"}
    assert by_id["teamet"].details == (f"namn Teamet → ”{HOSTILE_NAME}”",)
    assert len(by_id["boendestod"].details) == 1 and by_id["boendestod"].details[0].startswith("syfte ")
    assert HOSTILE_AIM in by_id["boendestod"].details[0]
    assert {(c.section, c.record_id) for c in created.changes} >= {
        ("insatser", "boendestod"), ("insatser", "teamet"), ("organisationer", "kommunen"), ("behov", "bostad"),
        ("kallor", "rapport"), ("kommuner", "ludvika"), ("overenskommelser", "avtalet"),
        ("ej_tackta_behov", "fontanhus")}
    assert {c.kind for c in created.changes if c.record_id} == {"ny"}


def test_the_newest_n_commits_and_whether_there_were_more(repo):
    two = data_history(repo["data"], limit=2)
    assert [entry.commit for entry in two] == [repo["commits"][4], repo["commits"][2]] and two.truncated
    assert data_history(repo["data"], limit=4).truncated is False


def test_older_versions_are_read_only_within_the_byte_budget(repo, history, monkeypatch):
    monkeypatch.setattr(history_module, "_computed", {})  # nothing read before counts
    nothing = data_history(repo["data"], budget=1)
    assert nothing == [] and nothing.truncated
    assert "Datafilen är så stor att ändringarna inte läses" in _page(_site(repo["data"], nothing))
    # The comment commit reads V4 and V3, the removal V2 as well; the rename would need V1 too.
    monkeypatch.setattr(history_module, "_computed", {})
    two = data_history(repo["data"], budget=sum(len(v.encode("utf-8")) for v in (V4, V3, V2)))
    assert [e.commit for e in two] == [repo["commits"][4], repo["commits"][2]] and two.truncated
    assert two[1].changes == history[1].changes
    # Read again with those commits remembered (mkdocs serve): the same entries, not more.
    assert [e.commit for e in data_history(repo["data"], budget=sum(len(v.encode()) for v in (V4, V3, V2)))] == [
        e.commit for e in two]


def test_a_change_of_many_records_lists_the_first_hundred(repo, history):
    entry = history[-1]  # the first version: every record is new
    source = next(change for change in entry.changes if change.section == "kallor")
    many = changes.HistoryEntry(entry.commit, entry.short, entry.date, entry.subject,
                                tuple(source for _ in range(changes.CHANGES_SHOWN + 7)))
    site = _site(repo["data"], changes.History([many]))
    page = _page(site)
    assert page.count("<li>Ny källa: ") == changes.CHANGES_SHOWN and "… och 7 poster till" in page
    summary = _feed(site).entries[0].summary.split("\n")
    assert len(summary) == 1 + changes.CHANGES_SHOWN + 1 and summary[-1].startswith("… och 7 poster till")


def test_a_version_that_cannot_be_read_is_named_and_the_rest_still_shown(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    good = _commit(root, {"insatser.yaml": MINIMAL}, "Bra", DATES[0])
    broken = _commit(root, {"insatser.yaml": MINIMAL + "insatser: [\n"}, "Trasig", DATES[1])
    fixed = _commit(root, {"insatser.yaml": _replace(MINIMAL, "namn: Boendestöd", "namn: Boendestöd i hemmet")},
                    "Lagad", DATES[2])
    entries = data_history(root / "insatser.yaml")
    assert [e.commit for e in entries] == [fixed, broken, good]
    assert entries[0].unreadable.startswith(f"Versionen före {entries[0].short} kunde inte läsas")
    assert entries[1].unreadable.startswith(f"Versionen i {entries[1].short} kunde inte läsas")
    assert entries[0].changes == entries[1].changes == () and entries[2].unreadable is None
    site = _site(root / "insatser.yaml", entries)
    page = _page(site)
    assert page.count("kunde inte läsas") == 4  # heading and sentence of each
    feed = _feed(site)
    assert [e.title for e in feed.entries[:2]] == [f"Datafilen kunde inte läsas ({entries[0].short})",
                                                    f"Datafilen kunde inte läsas ({entries[1].short})"]


def test_no_history_without_a_repository_without_git_or_in_a_shallow_clone(repo, tmp_path, monkeypatch):
    copy = tmp_path / "tarboll" / "data"
    copy.mkdir(parents=True)
    shutil.copy(repo["data"], copy / "insatser.yaml")
    assert data_history(copy / "insatser.yaml") is None
    # A file git does not know, inside a repository.
    shutil.copy(repo["data"], repo["root"] / "ny.yaml")
    try:
        assert data_history(repo["root"] / "ny.yaml") is None
    finally:
        (repo["root"] / "ny.yaml").unlink()
    one = tmp_path / "grund"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo['root']}", str(one))
    assert data_history(one / "data" / "insatser.yaml") is None
    # Four commits deep: the oldest of them is the base the next is compared with, not a change itself.
    four = tmp_path / "fyra"
    _git(tmp_path, "clone", "-q", "--depth", "4", f"file://{repo['root']}", str(four))
    assert [e.commit for e in data_history(four / "data" / "insatser.yaml")] == [repo["commits"][4],
                                                                                repo["commits"][2]]
    monkeypatch.setenv("PATH", str(tmp_path / "ingen-git"))
    assert data_history(repo["data"]) is None


def test_a_link_to_the_data_file_reads_the_files_own_history(repo, history, tmp_path):
    link = tmp_path / "lank.yaml"
    link.symlink_to(repo["data"])
    assert [e.commit for e in data_history(link)] == [e.commit for e in history]


def test_a_surprise_in_the_diff_is_named_not_raised(repo, monkeypatch):
    def broken(old, new):
        raise TypeError("oväntad form")

    monkeypatch.setattr(history_module, "_computed", {})
    monkeypatch.setattr(history_module, "diff", broken)
    entries = data_history(repo["data"])
    assert len(entries) == 4
    assert all(e.changes == () and e.unreadable == f"Ändringarna i {e.short} kunde inte läsas ut (TypeError)."
               for e in entries)


def test_reading_this_repositorys_history_is_fast():
    data = ROOT / "data" / "insatser.yaml"
    listed = subprocess.run(["git", "log", "--no-merges", "--format=%H", "--", "data/insatser.yaml"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode != 0 or not listed.stdout.strip():
        pytest.skip("the repository's history is not available here")
    started = time.perf_counter()
    entries = data_history(data)
    elapsed = time.perf_counter() - started
    expected = listed.stdout.split()[:changes.HISTORY_LIMIT]
    assert entries is not None and [e.commit for e in entries] == expected
    assert elapsed < 5, f"{elapsed:.2f} s"


# --- the feed -------------------------------------------------------------------------------

def test_the_feed_reads_back_to_the_same_text(repo, history):
    site = _site(repo["data"], history)
    feed = _feed(site)
    shown = [e for e in history if e.changes or e.unreadable]
    assert feed.feed.id == "tag:insatsguiden,2026:andringar" and feed.feed.language == "sv"
    assert [e.id for e in feed.entries] == [f"tag:insatsguiden,2026:andring/{e.commit}" for e in shown]
    assert [dt.datetime(*e.updated_parsed[:6], tzinfo=dt.timezone.utc) for e in feed.entries] == [
        dt.datetime.fromisoformat(DATES[i]).astimezone(dt.timezone.utc) for i in (2, 1, 0)]
    assert feed.feed.updated == DATES[2]  # the newest change, not the build date
    removed, renamed, created = feed.entries
    assert removed.title == f"Borttagen insats: {HOSTILE_NAME}"
    assert renamed.title == f"Ändringar i Boendestöd och {HOSTILE_NAME}"  # in the data file's order
    assert created.title.startswith("Ändringar i ") and created.title.endswith(" till")
    assert renamed.summary.split("\n") == [
        HOSTILE_SUBJECT_SHOWN,
        f"Ändrad insats: Boendestöd – {shown[1].changes[0].details[0]}",
        f"Ändrad insats: {HOSTILE_NAME} – namn Teamet → ”{HOSTILE_NAME}”"]
    assert HOSTILE_AIM in renamed.summary
    assert [link.href for link in renamed.links] == [f"./#andring-{shown[1].short}"]


def test_relative_links_resolve_against_the_feeds_address(repo, history):
    # mkdocs.yml sets no site_url: a reader resolves the links against where it fetched the feed.
    raw = changes.files(_site(repo["data"], history))[changes.FEED_PATH]
    feed = feedparser.parse(raw, response_headers={"content-location": "https://exempel.se/guide/andringar/feed.xml",
                                                  "content-type": "application/atom+xml; charset=utf-8"})
    assert not feed.bozo
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": "https://exempel.se/guide/andringar/feed.xml",
                     "alternate": "https://exempel.se/guide/andringar/"}
    assert feed.entries[1].link == f"https://exempel.se/guide/andringar/#andring-{history[2].short}"
    assert 'href="https://exempel.se/guide/insatser/boendestod/"' in feed.entries[1].content[0].value


def test_the_feeds_content_links_records_that_still_exist(repo, history):
    feed = _feed(_site(repo["data"], history))
    removed, renamed, _ = feed.entries
    content = renamed.content[0].value
    assert '<a href="../insatser/boendestod/">Boendestöd</a>' in content
    assert '<a href="../insatser/teamet/"' not in content  # removed since: no page to link to
    assert f'<a href="https://github.com/exempel/insatsguiden/commit/{history[2].commit}">' in content
    assert "../insatser/teamet/" not in removed.content[0].value


def test_the_feed_is_the_same_every_build_and_publishes_no_author(repo, history):
    first = changes.files(_site(repo["data"], history))[changes.FEED_PATH]
    again = changes.files(_site(repo["data"], data_history(repo["data"])))[changes.FEED_PATH]
    assert first == again
    text = first.decode("utf-8")
    assert EMAIL not in text and AUTHOR not in text and "example.org" not in text


def test_without_history_the_feed_is_valid_and_empty(repo):
    feed = _feed(_site(repo["data"], None))
    assert feed.entries == [] and "finns inte" in feed.feed.subtitle
    assert feed.feed.updated == f"{TODAY.isoformat()}T00:00:00+00:00"


# --- the page ---------------------------------------------------------------------------------

def test_the_page_lists_changes_with_links_and_escaped_text(repo, history):
    page = _page(_site(repo["data"], history))
    removed, renamed, created = (e for e in history if e.changes)
    for entry in (removed, renamed, created):
        assert f'<h2 id="andring-{entry.short}">{entry.date:%Y-%m-%d}: ' in page
        assert f'href="https://github.com/exempel/insatsguiden/commit/{entry.commit}"' in page
    assert f"andring-{history[0].short}" not in page  # the comment-only commit
    assert "<script>alert(1)" not in page and "<b>fet" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page and "\\x01kontroll\\x1b" in page
    assert "\x01" not in page and "\x1b" not in page and "\u202e" not in page
    assert '<a href="../insatser/boendestod/">Boendestöd</a>' in page
    assert "../insatser/teamet/" not in page and "Borttagen insats: Teamet &#34;TT&#34;" in page
    assert '<a href="../behov/#saknas-fontanhus">' in page and '<a href="../kallor/#rapport">' in page
    assert '<a href="../vagvisare/ludvika/">' in page
    assert '<a href="feed.xml" type="application/atom+xml">' in page
    assert f"Sidan byggdes {TODAY.isoformat()}" in page
    assert EMAIL not in page and AUTHOR not in page
    assert "Sidan visar de" not in page


def test_the_page_says_when_older_changes_were_left_out(repo):
    page = _page(_site(repo["data"], data_history(repo["data"], limit=2)))
    assert "Sidan visar de 2 senaste ändringarna av datafilen" in page


def test_the_page_says_when_the_history_is_unavailable(repo):
    page = _page(_site(repo["data"], None))
    assert "Ändringshistoriken finns inte i den här versionen av webbplatsen" in page
    assert "<h2" not in page and f"Sidan byggdes {TODAY.isoformat()}" in page


# --- whole builds -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_from_repo(repo, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("bygge") / "site"
    build_site(repo["data"], site)
    return site


def test_a_build_from_a_repository_publishes_the_feed_and_the_page(repo, built_from_repo):
    feed = feedparser.parse((built_from_repo / "andringar" / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 3
    page = (built_from_repo / "andringar" / "index.html").read_text(encoding="utf-8")
    assert f'id="andring-{repo["commits"][1][:7]}' in page and "Ändringshistoriken finns inte" not in page


def test_the_built_page_passes_axe(built_from_repo, browser):
    url, server = serve_directory(built_from_repo)
    context = browser.new_context(bypass_csp=True, locale="sv-SE")  # the inline axe script needs it
    try:
        tab = context.new_page()
        assert tab.goto(url + "andringar/", wait_until="load").status == 200
        tab.add_script_tag(path=str(AXE))
        results = tab.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    finally:
        context.close()
        server.shutdown()
    assert "color-contrast" in {rule["id"] for rule in results["passes"]}
    assert results["violations"] == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in results["violations"]]


def test_a_build_without_git_history_does_not_fail(repo, tmp_path):
    data = tmp_path / "tarboll" / "insatser.yaml"
    data.parent.mkdir()
    shutil.copy(repo["data"], data)
    build_site(data, tmp_path / "site")
    feed = feedparser.parse((tmp_path / "site" / "andringar" / "feed.xml").read_bytes())
    assert not feed.bozo and feed.entries == []
    page = (tmp_path / "site" / "andringar" / "index.html").read_text(encoding="utf-8")
    assert "Ändringshistoriken finns inte i den här versionen av webbplatsen" in page
