"""Adversarial checks of the open-data exports (issue 12): hostile-but-valid data, empty catalogues,
colliding ids and determinism, every export read back with a real parser and compared with the data.

Each catalogue is validated first (`validate_text`), so the values really reach the exports."""
import copy
import csv
import datetime as dt
import io
import json
import re

import feedparser
import icalendar
import jsonschema
import pytest
import yaml

from conftest import FIXTURES, ROOT, TODAY
from insatsguiden.model.validate import validate_text
from insatsguiden.site import api, calendars, changes, tables
from insatsguiden.site.changes import History, HistoryEntry, RecordChange, safe_text
from insatsguiden.site.render import Site, render_page, site_pages

MODULES = (api, tables, calendars, changes)
# Valid text that a naive exporter breaks: astral characters, right-to-left text, a combining accent,
# a non-character (valid in data, not in XML), quotes, ']]>', '<' with a blank, a leading '='.
HOSTILE_NAME = '𝕏😀 שלום e\u0301 "q" ]]> < /x \ufffe =1'


def minimal() -> dict:
    return yaml.safe_load((FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8"))


def site_of(data: dict, history=None) -> Site:
    result = validate_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "fientlig.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    return Site.build(result.catalogue, TODAY, None, history)


def exports(site: Site) -> dict[str, bytes]:
    published = {}
    for module in MODULES:
        published.update(module.files(site))
    return published


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";", strict=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def parse_all(published: dict[str, bytes]) -> None:
    """Every file parses with its own reader, without complaint."""
    for path, data in published.items():
        if path.endswith(".json"):
            json.loads(data.decode("utf-8"))
        elif path.endswith(".csv"):
            read_csv(data)
        elif path.endswith(".ics"):
            parsed = icalendar.Calendar.from_ical(data)
            assert all(not component.errors for component in parsed.walk()), path
        elif path.endswith(".xml"):
            feed = feedparser.parse(data)
            assert not feed.bozo, (path, feed.get("bozo_exception"))
        else:  # pragma: no cover - a new kind of export needs a reader here
            raise AssertionError(path)


# --- CSV: what Excel and its neighbours might still read as a formula ---------------------------

FORMULA_LIKE = [
    "=cmd|' /C calc'!A0",            # DDE
    "@SUM(1;2)",
    "\u00a0=1+1",                    # no-break space first
    "\u3000=1+1",                    # ideographic space first
    "\u2003-1",                      # em space first
    "\u2028=1+1",                    # line separator first
    "\u200b=1+1",                    # zero-width space first
    "\u2060@SUM(A1)",                # word joiner first
    "\n=1+1",
    "\r\n@SUM(A1)",
    "\uff1d1+1",                     # full-width '='
    "\uff0bSUM(1)",                  # full-width '+'
    "\uff0d1",                       # full-width '-'
    "\uff20SUM(1)",                  # full-width '@'
]
# Not formulas: a value in quotes starts with '"' once the field is unquoted, and '%0A' is text.
NOT_FORMULAS = ['"=1+1"', "%0A=1", "1 = 1", "a\n=1"]


def test_formula_like_values_get_an_apostrophe_and_nothing_else_does():
    data = yaml.safe_load((ROOT / "data" / "insatser.yaml").read_text(encoding="utf-8"))
    values = FORMULA_LIKE + NOT_FORMULAS
    assert len(data["insatser"]) >= len(values)
    for insats, value in zip(data["insatser"], values):
        insats["syfte"] = value
    rows = {row["Id"]: row for row in read_csv(tables.files(site_of(data))["csv/insatser.csv"])}
    for insats, value in zip(data["insatser"], values):
        expected = "'" + value if value in FORMULA_LIKE else value
        assert rows[insats["id"]]["Syfte"] == expected, value


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_neutralise_covers_every_formula_like_start(value):
    assert tables.neutralise(value) == "'" + value


# --- hostile text in every format ------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile():
    data = minimal()
    first = data["insatser"][0]
    first["namn"] = HOSTILE_NAME
    first["syfte"] = HOSTILE_NAME + "\nrad 2\u2028rad 3\u2029slut"
    data["overenskommelser"][0]["titel"] = HOSTILE_NAME + " avtal"
    data["organisationer"][0]["namn"] = HOSTILE_NAME + " förbund"
    site = site_of(data)
    return data, site, exports(site)


def test_every_hostile_export_parses(hostile):
    parse_all(hostile[2])


def test_hostile_names_round_trip_in_json_csv_and_ics(hostile):
    data, _, published = hostile
    first = data["insatser"][0]
    record = json.loads(published[f"api/v1/insatser/{first['id']}.json"])["insats"]
    assert (record["namn"], record["syfte"]) == (first["namn"], first["syfte"])
    rows = {row["Id"]: row for row in read_csv(published["csv/insatser.csv"])}
    assert (rows[first["id"]]["Namn"], rows[first["id"]]["Syfte"]) == (first["namn"], first["syfte"])
    calendar = icalendar.Calendar.from_ical(published["kalender/alla.ics"])
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert any(summary.endswith(": " + first["namn"]) for summary in summaries), summaries
    assert any(summary.endswith(": " + data["overenskommelser"][0]["titel"]) for summary in summaries)
    assert str(calendar["X-WR-CALNAME"]) == "Insatsguiden: granskning"


@pytest.mark.parametrize("padding", range(8))
def test_ics_lines_fold_between_characters_never_inside_one(padding):
    """75-octet folding with four-byte characters at every offset: each line stays UTF-8, the name comes back."""
    data = minimal()
    data["insatser"][0]["namn"] = "a" * padding + "𝕏😀שלום" * 8
    published = calendars.files(site_of(data))
    for data_bytes in published.values():
        for line in data_bytes.split(b"\r\n"):
            assert len(line) <= 75
            line.decode("utf-8")
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(published["kalender/alla.ics"]).walk("VEVENT")]
    assert any(summary.endswith(": " + data["insatser"][0]["namn"]) for summary in summaries), summaries


def test_hostile_history_round_trips_in_the_feed_and_the_page():
    name = safe_text(HOSTILE_NAME)
    subject = safe_text('Rätta ]]> </script> 𝕏 \u2029 \x01 & "x"')
    change = RecordChange("insatser", "boendestod", name, "andrad", (safe_text("namn: 'a' → '𝕏 ]]>'"),))
    author_date = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30)))
    entry = HistoryEntry("a" * 40, "aaaaaaa", author_date, subject, (change,))
    site = site_of(minimal(), History([entry]))
    feed = feedparser.parse(changes.files(site)["andringar/feed.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    (item,) = feed.entries
    assert item.title == f"Ändrad insats: {name}"
    assert item.summary.split("\n") == [subject, f"Ändrad insats: {name} – namn: 'a' → '𝕏 ]]>'"]
    assert "\\ufffe" in name and "\\x01" in subject   # what XML cannot hold is shown as an escape
    assert item.updated == "2026-01-02T03:04:00-05:30"
    page = next(p for p in site_pages(site.catalogue) if p.template == "andringar.html")
    html = render_page(page, site).html
    assert "</script> 𝕏" not in html and "&lt;/script&gt; 𝕏" in html


# --- empty, minimal and colliding catalogues -------------------------------------------------

def test_a_catalogue_without_insatser_gives_valid_empty_exports():
    data = minimal()
    data["insatser"] = []
    data["ej_tackta_behov"] = [u for u in data.get("ej_tackta_behov", [])]
    site = site_of(data)
    published = exports(site)
    parse_all(published)
    assert json.loads(published["api/v1/insatser.json"])["insatser"] == []
    assert read_csv(published["csv/insatser.csv"]) == [] and read_csv(published["csv/kontakter.csv"]) is not None
    assert json.loads(published["api/v1/index.json"])["antal"]["insatser"] == 0
    for path in (p for p in published if p.startswith("api/v1/kommuner/")):
        assert json.loads(published[path])["insatser"] == []


def test_a_data_file_without_vagvisare_is_refused_so_the_null_branch_is_unreachable():
    data = minimal()
    del data["vagvisare"]
    result = validate_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "x.yaml", TODAY)
    assert not result.ok and "vagvisare" in result.problems[0].text()


@pytest.mark.parametrize("value, words", [("a\x00b", "U+0000"), ("a\x07b", "U+0007"), ("a\x9bb", "U+009B"),
                                          ("a\u202eb", "U+202E"), ("a\ufeffb", "U+FEFF")])
def test_control_characters_are_refused_by_validation(value, words):
    data = minimal()
    data["insatser"][0]["syfte"] = value
    result = validate_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "x.yaml", TODAY)
    assert not result.ok and any(words in p.text() for p in result.problems), [p.text() for p in result.problems]


def test_a_lone_surrogate_is_refused_by_validation():
    text = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    data = minimal()
    name = data["insatser"][0]["namn"]
    result = validate_text(text.replace(name, '"a\\ud800b"', 1), "x.yaml", TODAY)
    assert not result.ok


def test_ids_shared_across_sections_make_distinct_files_and_uids():
    """An agreement with an insats's id, an organisation with a kommun's id: no file or UID is shared."""
    text = yaml.safe_dump(minimal(), allow_unicode=True, sort_keys=False)
    data = yaml.safe_load(text.replace("avtalet", "teamet").replace("forbundet", "ludvika"))
    published = exports(site_of(data))
    parse_all(published)
    assert {"api/v1/insatser/teamet.json", "api/v1/overenskommelser/teamet.json",
            "api/v1/kommuner/ludvika.json", "api/v1/organisationer/ludvika.json", "kalender/ludvika.ics"} <= set(published)
    for path in (p for p in published if p.endswith(".ics")):
        uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(published[path]).walk("VEVENT")]
        assert len(uids) == len(set(uids)), (path, uids)


@pytest.mark.parametrize("reserved", ["index", "schema", "andringar", "kalender", "csv", "api", "hsds"])
def test_ids_that_are_file_or_folder_names_are_refused_or_harmless(reserved):
    text = yaml.safe_dump(minimal(), allow_unicode=True, sort_keys=False).replace("forbundet", reserved)
    result = validate_text(text, "x.yaml", TODAY)
    if result.ok:  # then its files sit in folders of their own and clash with nothing
        published = exports(Site.build(result.catalogue, TODAY))
        parse_all(published)
        assert f"api/v1/organisationer/{reserved}.json" in published


def test_an_organisation_called_alla_is_refused_so_the_combined_calendar_stays():
    """`alla` is a reserved id (katalog/alla/, kalender/alla.ics): no organisation can take it."""
    text = yaml.safe_dump(minimal(), allow_unicode=True, sort_keys=False).replace("forbundet", "alla")
    result = validate_text(text, "fientlig.yaml", TODAY)
    assert not result.ok
    assert any("id 'alla' kan inte användas" in p.message and p.line > 0 for p in result.problems)


# --- determinism and what must never be published --------------------------------------------

@pytest.fixture(scope="module")
def default_exports(default_catalogue):
    return [exports(Site.build(default_catalogue, TODAY)) for _ in range(2)]


def test_two_builds_of_the_same_data_are_byte_identical(default_exports):
    first, second = default_exports
    assert first.keys() == second.keys()
    assert [path for path in first if first[path] != second[path]] == []


def test_no_export_names_an_absolute_path(default_exports):
    for path, data in default_exports[0].items():
        text = data.decode("utf-8")
        assert str(ROOT) not in text and not re.search(r"(?<![\w.])/(?:home|tmp|work|root|usr)/", text), path


def validate_api(published: dict[str, bytes]) -> int:
    """Every API document against its published schema (with format checks); returns how many."""
    schemas = {name: json.loads(published[f"api/v1/schema/{name}.schema.json"]) for name in api.schema_names()}
    checked = 0
    for path, data in published.items():
        if not path.startswith("api/v1/") or path.startswith("api/v1/schema/"):
            continue
        relative = path[len("api/v1/"):]
        name = relative[:-len(".json")] if "/" not in relative else relative.split("/")[0] + "-post"
        validator = jsonschema.Draft202012Validator(schemas[name], format_checker=jsonschema.FormatChecker())
        errors = [f"{path}: {e.json_path}: {e.message[:200]}" for e in validator.iter_errors(json.loads(data))]
        assert errors == [], errors[:5]
        checked += 1
    return checked


def test_every_json_export_validates_against_its_schema(default_exports):
    assert validate_api(default_exports[0]) > 90


def test_hostile_empty_and_shared_id_catalogues_validate_against_the_schemas(hostile):
    assert validate_api(hostile[2])
    empty = minimal()
    empty["insatser"] = []
    assert validate_api(exports(site_of(empty)))
    text = yaml.safe_dump(minimal(), allow_unicode=True, sort_keys=False)
    assert validate_api(exports(site_of(yaml.safe_load(text.replace("avtalet", "teamet").replace("forbundet", "ludvika")))))


# --- the history at the edge -----------------------------------------------------------------

@pytest.fixture
def small_repo(tmp_path):
    """Three versions of the data; the newest commit carries the OLDEST author date (a rebase, a wrong clock)."""
    from test_changes import V1, V2, V3, _commit, _git

    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    _git(root, "init", "-q")
    _commit(root, {"data/insatser.yaml": V1}, "Första", "2026-01-10T09:00:00+01:00")
    _commit(root, {"data/insatser.yaml": V2}, "Andra", "2026-03-11T10:30:00+01:00")
    _commit(root, {"data/insatser.yaml": V3}, "Tredje", "2025-12-24T08:00:00+01:00")
    return root / "data" / "insatser.yaml"


def test_a_full_change_cache_is_emptied_before_reading_not_in_the_middle(small_repo, monkeypatch):
    """Under `mkdocs serve` the cache of computed commits may be full when a new commit arrives: the build
    must still read every version it lists (before the fix: KeyError from a cached commit's unread blob)."""
    from insatsguiden.tools import history as history_module

    monkeypatch.setattr(history_module, "_computed", {})
    first = history_module.data_history(small_repo)
    newest = first[0].commit
    del history_module._computed[(newest, "data/insatser.yaml")]
    monkeypatch.setattr(history_module, "_COMPUTED_MAX", len(history_module._computed))
    again = history_module.data_history(small_repo)
    assert [(e.commit, e.changes, e.unreadable) for e in again] == [(e.commit, e.changes, e.unreadable) for e in first]
    assert len(history_module._computed) <= history_module._COMPUTED_MAX + len(first)


def test_the_feed_is_updated_at_its_latest_entry_whatever_the_commit_order(small_repo):
    from insatsguiden.tools.history import data_history

    history = data_history(small_repo)
    assert [e.subject for e in history] == ["Tredje", "Andra", "Första"]
    result = validate_text(small_repo.read_text(encoding="utf-8"), "insatser.yaml", TODAY)
    site = Site.build(result.catalogue, TODAY, None, history)
    feed = feedparser.parse(changes.files(site)["andringar/feed.xml"])
    assert not feed.bozo
    assert feed.feed.updated == "2026-03-11T10:30:00+01:00"
    assert max(entry.updated_parsed for entry in feed.entries) == feed.feed.updated_parsed


def test_a_right_to_left_name_is_isolated_on_the_page():
    """'שלום 2!' followed by '(boendestod)': without isolation the bidi algorithm moves '2!' and the brackets."""
    change = RecordChange("insatser", "boendestod", "שלום 2!", "andrad", ())
    entry = HistoryEntry("b" * 40, "bbbbbbb", dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc), "Ämne", (change,))
    site = site_of(minimal(), History([entry]))
    page = next(p for p in site_pages(site.catalogue) if p.template == "andringar.html")
    html = render_page(page, site).html
    assert re.search(r"<bdi><a href=\"[^\"]*insatser/boendestod/\">שלום 2!</a></bdi>", html), html[:3000]


def test_a_history_of_layout_changes_only_dates_the_feed_by_its_commits_not_the_build():
    author_date = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
    layout_only = HistoryEntry("c" * 40, "ccccccc", author_date, "Kommentar", ())
    feeds = [feedparser.parse(changes.files(Site.build(site_of(minimal()).catalogue, today, None,
                                                       History([layout_only])))["andringar/feed.xml"])
             for today in (TODAY, TODAY + dt.timedelta(days=1))]
    assert [feed.feed.updated for feed in feeds] == ["2025-06-01T12:00:00+00:00"] * 2
    assert [len(feed.entries) for feed in feeds] == [0, 0] and not any(feed.bozo for feed in feeds)
