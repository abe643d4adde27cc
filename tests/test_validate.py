"""Validation end to end: every failing example file says where and what, in Swedish."""
import time

import pytest

from conftest import FIXTURES, TODAY, run_script
from insatsguiden.model.validate import validate_file, validate_text

# fixture -> (line, words the message must contain)
INVALID = {
    "age_order": (80, "högsta ålder (18) är lägre"),
    "anchor_alias": (51, "Ankare (&s)"),
    "atagande_not_party": (47, "står inte bland parterna"),
    "bad_email": (62, "ingen giltig e-postadress"),
    "bad_enum": (64, "Menade du 'oppen'?"),
    "bad_reference": (97, "hänvisar till insats 'boendestd' som inte finns"),
    "bidi_override": (51, "riktningstecken (U+202E)"),
    "billion_laughs": (1, "Ankare (&a)"),
    "control_character": (51, "styrtecken (U+0007)"),
    "custom_tag": (51, "Taggen"),
    "data_link_in_text": (51, "(data:)"),
    "dates_out_of_order": (98, "startdatum efter slutdatum"),
    "deep_nesting": (51, "för djupt nästlat"),
    "duplicate_id": (71, "id 'boendestod' används redan"),
    "duplicate_key": (52, "'syfte' förekommer två gånger i samma avsnitt (rad 51 och rad 52)"),
    "empty_file": (1, "Filen är tom"),
    "event_handler_in_name": (49, "HTML-kod"),
    "future_verification": (62, "ligger i framtiden"),
    "http_url": (28, "börjar med https://"),
    "implausible_year": (36, "inte rimligt"),
    "impossible_date": (62, "2026-02-30 finns inte i kalendern"),
    "javascript_link_in_text": (51, "(javascript:)"),
    "javascript_url": (28, "ingen giltig webbadress"),
    "merge_key": (71, "Sammanslagningsnyckeln"),
    "missing_required": (48, "fältet 'syfte' saknas"),
    "not_utf8": (11, "inte giltig UTF-8"),
    "personnummer": (51, "liknar ett personnummer"),
    "phone_as_number": (61, "Sätt citattecken runt värdet"),
    "private_email": (63, "privat e-postadress"),
    "prova_forst_self": (97, "sig själv"),
    "script_in_text": (51, "HTML-kod"),
    "syntax_error": (61, "YAML-syntaxfel"),
    "tab_indent": (51, "Tabbtecken"),
    "top_level_list": (1, "Ska vara ett avsnitt med fält"),
    "two_documents": (140, "ett YAML-dokument"),
    "unknown_key": (51, "okänt fält 'syfe'. Menade du 'syfte'?"),
    "window_missing_month": (39, "kräver fältet fonster_till_manad"),
    "wrong_version": (2, "värdet ska vara 1"),
    "yes_as_boolean": (58, "inte 'yes'"),
    # HTML-looking text without a closing '>' (issue 9, group 1)
    "unclosed_meta_refresh": (10, "HTML-kod"),
    "unclosed_img_in_name": (49, "HTML-kod"),
    "unclosed_style_in_need": (15, "HTML-kod"),
    "unclosed_tag_in_title": (5, "HTML-kod"),
    "unclosed_comment_in_unmet_need": (108, "HTML-kod"),
    "namespaced_tag_in_name": (49, "HTML-kod"),  # looks like an autolink with scheme "svg"
    # escapes inside double quotes are checked after decoding (group 2)
    "escaped_nul": (51, "styrtecken (U+0000)"),
    "escaped_escape_forges_line": (49, "styrtecken (U+001B)"),
    "escaped_bidi": (51, "riktningstecken (U+202E)"),
    "escaped_form_feed": (60, "styrtecken (U+000C)"),
    "escaped_key": (51, "styrtecken (U+001B)"),
    # patterns are anchored at the very end; one line in single-line fields (group 3)
    "trailing_newline_date": (62, "har fel form"),
    "trailing_newline_id": (48, "har fel form"),
    "line_break_in_name": (49, "ska vara en enda rad"),
    "line_separator_in_phone": (61, "ska vara en enda rad"),
    # ids the site already uses; values that show nothing (group 4)
    "reserved_id_index": (71, "'index' används redan av webbplatsen"),
    "reserved_id_anchor": (14, "'kontakt' används redan av webbplatsen"),
    "reserved_question_id": (119, "'resultat' används redan av webbplatsen"),
    "invisible_name": (49, "osynliga tecken"),
    "blank_name": (72, "osynliga tecken"),
    # positions count line breaks as YAML does (group 7)
    "cr_only_line_endings": (51, "styrtecken (U+0007)"),
    # follow-up figures, decisions and owners (issue 13, "Bad input")
    "share_over_100": (139, "andelen 160 % är större än 100 %"),
    "period_ends_before_start": (125, "perioden slutar (2021-01) innan den börjar (2021-06)"),
    "decision_due_before_raised": (188, "före frågan väcktes (2021-09)"),
    "bad_github_account": (59, "värdet 'anna--samordnare' har fel form"),
    "indicator_without_values": (122, "ett diagram utan värden kan inte ritas"),
}


def test_every_invalid_fixture_is_listed():
    on_disk = {path.stem for path in (FIXTURES / "invalid").glob("*.yaml")}
    assert on_disk == set(INVALID)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_fixture(name):
    line, words = INVALID[name]
    path = FIXTURES / "invalid" / f"{name}.yaml"
    started = time.perf_counter()
    result = validate_file(path, TODAY, display_name=f"{name}.yaml")
    elapsed = time.perf_counter() - started
    assert not result.ok and result.catalogue is None
    matching = [p for p in result.problems if words in p.message]
    assert matching, [p.text() for p in result.problems]
    assert matching[0].line == line, matching[0].text()
    assert all(p.file == f"{name}.yaml" and p.line >= 1 and p.col >= 1 for p in result.problems)
    assert elapsed < 5  # hang guard only; speed is measured by scripts/benchmark.py


@pytest.mark.parametrize("path", sorted((FIXTURES / "valid").glob("*.yaml")), ids=lambda p: p.stem)
def test_valid_fixture(path):
    result = validate_file(path, TODAY)
    assert result.ok, [p.text() for p in result.problems]


def test_plain_scalars_keep_their_text():
    catalogue = validate_file(FIXTURES / "valid" / "plain_scalars.yaml", TODAY).catalogue
    contact = catalogue.insatser["boendestod"]["kontakter"][0]
    assert contact["telefon"] == "0701234567" and contact["verifierad"] == "2026-01-15"
    assert catalogue.insatser["teamet"]["namn"] == "on"


def test_all_problems_in_one_run():
    result = validate_file(FIXTURES / "invalid" / "unknown_key.yaml", TODAY)
    messages = " | ".join(p.message for p in result.problems)
    assert "saknas" in messages and "okänt fält" in messages


def test_cli_exit_codes_and_formats(tmp_path):
    ok = run_script("scripts/validate.py", str(FIXTURES / "valid" / "minimal.yaml"), "--today", "2026-11-23")
    assert ok.returncode == 0 and "OK" in ok.stdout
    bad = run_script("scripts/validate.py", str(FIXTURES / "invalid" / "bad_enum.yaml"), "--today", "2026-11-23")
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[0].endswith("bad_enum.yaml:64:15: Insats 'boendestod', fält intag.status: "
                                               "ogiltigt värde 'öppen'. Menade du 'oppen'? Tillåtna värden: oppen (Öppen "
                                               "för nya deltagare); vantelista (Väntelista); stangd (Stängd för nya "
                                               "deltagare); pausad (Pausad); avslutad (Avslutad).")
    github = run_script("scripts/validate.py", "--format", "github", str(FIXTURES / "invalid" / "bad_enum.yaml"))
    assert github.returncode == 1 and github.stdout.startswith("::error file=")
    assert ",line=64,col=15,title=Insatsguiden::" in github.stdout
    assert run_script("scripts/validate.py", "--format", "xml").returncode == 2
    assert run_script("scripts/validate.py", "--today", "igår").returncode == 2
    missing = run_script("scripts/validate.py", str(tmp_path / "finns-inte.yaml"))
    assert missing.returncode == 2 and "Filen finns inte" in missing.stdout


@pytest.mark.parametrize("name", ["deep_nesting", "billion_laughs", "not_utf8", "syntax_error", "custom_tag"])
def test_cli_never_shows_a_traceback(name):
    completed = run_script("scripts/validate.py", str(FIXTURES / "invalid" / f"{name}.yaml"))
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr


def test_default_data_is_valid():
    completed = run_script("scripts/validate.py", "--today", "2026-11-23")
    assert completed.returncode == 0, completed.stdout


def _text_value_lines():
    """Every line of the minimal example that holds a free-text value (not an id, enum, number, date or flag)."""
    import re

    text = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    skip = {"id", "version", "typ", "status", "regel", "matchar", "kalla", "ansvarig", "del_av", "kommun",
            "samordningsforbund", "egen_ansokan", "kontakta_innan", "kraver_aktivitetsformaga"}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"^(\s*(?:- )?)([a-z_]+): (?!\[)(.+)$", line)
        if match and match.group(2) not in skip and not re.fullmatch(r'"?[0-9-]+"?', match.group(3)):
            yield number, match.group(2)


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "[x](javascript:alert(1))", "<img src=x onerror=alert(1)>"])
def test_payload_in_every_text_field_is_rejected_at_its_line(payload):
    source = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8").splitlines()
    fields = list(_text_value_lines())
    assert len(fields) >= 20
    for number, key in fields:
        lines = list(source)
        prefix = lines[number - 1].split(f"{key}: ", 1)[0]
        lines[number - 1] = f'{prefix}{key}: "{payload}"'
        result = validate_text("\n".join(lines) + "\n", "f.yaml", TODAY)
        assert not result.ok and any(p.line == number for p in result.problems), (key, number)


def test_the_synthetic_catalogue_of_the_benchmarks_is_valid():
    # The benchmarks measure valid catalogues; a rule that refuses their data would make them measure nothing.
    from insatsguiden.tools.synthetic import catalogue_yaml

    text = catalogue_yaml(60)
    result = validate_text(text.decode("utf-8") if isinstance(text, bytes) else text, "synthetic.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems[:5]]
