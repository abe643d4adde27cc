"""scripts/new_insats.py: the new entry goes in, every other byte of the file stays."""
import os
import stat
import subprocess

import pytest

from conftest import FIXTURES, PYTHON, ROOT, TODAY
from insatsguiden.model.loader import decode, load_text
from insatsguiden.model.validate import validate_file

SCRIPT = str(ROOT / "scripts" / "new_insats.py")

OPTIONS = {
    "--namn": "Arbetsträning Ludvika",
    "--id": "arbetstraning-ludvika",
    "--typ": "ordinarie",
    "--syfte": "Träna arbete: några timmar i veckan.",
    "--malgrupp": "Vuxna som står långt från arbetsmarknaden.",
    "--kommuner": "ludvika",
    "--behov": "bostad",
    "--remittenter": "socialtjansten,2",  # by value and by number in the list (2 = arbetsformedlingen)
    "--egen-ansokan": "nej",
    "--intag": "vantelista",
    "--drivs-av": "kommunen",
    "--kalla": "rapport",
    "--avsnitt": "3",
    "--granskad-av": "Samordnare, Ett samordningsförbund",
}
EXPECTED_ENTRY = {
    "id": "arbetstraning-ludvika",
    "namn": "Arbetsträning Ludvika",
    "typ": "ordinarie",
    "syfte": "Träna arbete: några timmar i veckan.",
    "malgrupp": {"beskrivning": "Vuxna som står långt från arbetsmarknaden.", "kommuner": ["ludvika"], "behov": ["bostad"]},
    "remiss": {"remittenter": ["socialtjansten", "arbetsformedlingen"], "egen_ansokan": False},
    "intag": {"status": "vantelista"},
    "drivs_av": ["kommunen"],
    "senast_granskad": {"datum": TODAY.isoformat(), "av": "Samordnare, Ett samordningsförbund"},
    "kallor": [{"kalla": "rapport", "avsnitt": "3"}],
}

# fixture -> (text after which the entry must go, whether a blank line comes first, indent of "- ")
LAYOUTS = {
    "valid/minimal.yaml": ('        avsnitt: "4.2"\n', False, 2),
    "scaffold/kommentarer.yaml": ("          # - kalla: utvardering   (avsnitt saknas ännu)\n", True, 4),
    "scaffold/utan_indrag.yaml": ('    avsnitt: "3"', False, 0),  # the end of a file without a final line break
}


def run(path, *args, stdin=None):
    return subprocess.run([PYTHON, SCRIPT, str(path), "--today", TODAY.isoformat(), *args], input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=path.parent)


def option_args(**overrides):
    values = {**OPTIONS, **overrides}
    args = []
    for option, value in values.items():
        if value is not None:
            args += [option, value]
    return args


def variant(tmp_path, fixture: str, crlf: bool = False, bom: bool = False):
    raw = (FIXTURES / fixture).read_bytes()
    assert b"\r\n" not in raw
    if crlf:
        raw = raw.replace(b"\n", b"\r\n")
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    path = tmp_path / "insatser.yaml"
    path.write_bytes(raw)
    return path, raw


def assert_inserted(old: bytes, new: bytes, anchor: str, crlf: bool, blank_first: bool, indent: int):
    """new == old[:p] + entry + old[p:], p right after `anchor`; the entry is the only thing added."""
    newline = b"\r\n" if crlf else b"\n"
    anchor_bytes = anchor.encode("utf-8").replace(b"\n", newline)
    assert old.count(anchor_bytes) == 1
    p = old.index(anchor_bytes) + len(anchor_bytes)
    added = len(new) - len(old)
    assert added > 0
    assert new[:p] == old[:p], "bytes before the entry changed"
    assert new[p + added:] == old[p:], "bytes after the entry changed"
    entry = new[p:p + added]
    if crlf:
        assert entry.count(b"\n") == entry.count(b"\r\n") and b"\r\n\r\n\r\n" not in entry
    else:
        assert b"\r" not in entry
    lines = entry.decode("utf-8").replace("\r\n", "\n").split("\n")
    if not old.endswith(b"\n"):
        assert lines[0] == "" and not entry.endswith(b"\n")  # a line break before, none after
        lines = lines[1:]
    else:
        assert lines[-1] == ""
        lines = lines[:-1]
    if blank_first:
        assert lines[0] == ""
        lines = lines[1:]
    assert lines[0] == " " * indent + "- id: arbetstraning-ludvika"
    assert all(line.startswith(" " * (indent + 2)) for line in lines[1:])
    assert all(line.rstrip() == line and line.strip() for line in lines)
    assert '    datum: "2026-11-23"' in "\n".join(lines)  # dates are quoted
    return lines


@pytest.mark.parametrize("fixture", sorted(LAYOUTS))
@pytest.mark.parametrize("crlf,bom", [(False, False), (True, False), (True, True)], ids=["lf", "crlf", "bom-crlf"])
def test_entry_is_inserted_and_nothing_else_changes(tmp_path, fixture, crlf, bom):
    path, old = variant(tmp_path, fixture, crlf=crlf, bom=bom)
    completed = run(path, "--utan-fragor", *option_args())
    assert completed.returncode == 0, completed.stdout + completed.stderr
    new = path.read_bytes()
    anchor, blank_first, indent = LAYOUTS[fixture]
    if bom:
        assert new.startswith(b"\xef\xbb\xbf")
    assert_inserted(old, new, anchor, crlf, blank_first, indent)
    # The data is the old data plus exactly the expected entry, and the file is valid.
    old_data = load_text(decode(old, "old"), "old")
    new_data = load_text(decode(new, "new"), "new")
    assert list(new_data["insatser"]) == list(old_data["insatser"]) + [EXPECTED_ENTRY]
    assert {k: v for k, v in new_data.items() if k != "insatser"} == {k: v for k, v in old_data.items() if k != "insatser"}
    assert validate_file(path, TODAY).ok
    assert "Lade till insatsen 'arbetstraning-ludvika'" in completed.stdout


def test_reported_lines_are_the_entry(tmp_path):
    path, _ = variant(tmp_path, "scaffold/kommentarer.yaml")
    completed = run(path, "--utan-fragor", *option_args())
    first, last = (int(n) for n in completed.stdout.split("på rad ")[1].split(" ")[0].split("–"))
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[first - 1] == "    - id: arbetstraning-ludvika"
    assert lines[last - 1].strip() == 'avsnitt: "3"' and lines[last].strip() == ""


def test_insatser_not_last_and_comments_around_it(tmp_path):
    """The entry goes before the column-0 comment that introduces the next section, after the item's own comment."""
    path, _ = variant(tmp_path, "scaffold/kommentarer.yaml")
    assert run(path, "--utan-fragor", *option_args()).returncode == 0
    text = path.read_text(encoding="utf-8")
    assert text.index("(avsnitt saknas ännu)") < text.index("- id: arbetstraning-ludvika") < text.index("# --- Behov som ingen insats täcker")
    assert text.index("- id: arbetstraning-ludvika") < text.index("ej_tackta_behov:") < text.index("vagvisare:") < text.index("installningar:")


def test_file_mode_is_kept_and_no_temporary_file_is_left(tmp_path):
    path, _ = variant(tmp_path, "valid/minimal.yaml")
    os.chmod(path, 0o640)
    assert run(path, "--utan-fragor", *option_args()).returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["insatser.yaml"]


TRICKY = {
    "--namn": "yes",                      # a boolean to YAML 1.1 editors
    "--syfte": "#1: stöd - först",        # comment sign and a colon
    "--malgrupp": "[alla] {vuxna}",       # flow indicators
    "--granskad-av": "2021-09-30",        # a date to YAML
    "--avsnitt": "007",                   # a number with a leading zero
}


def test_values_that_need_quotes_read_back_as_written(tmp_path):
    path, _ = variant(tmp_path, "valid/minimal.yaml")
    completed = run(path, "--utan-fragor", *option_args(**TRICKY))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    entry = load_text(path.read_text(encoding="utf-8"), "x")["insatser"][-1]
    assert entry["namn"] == "yes" and entry["syfte"] == "#1: stöd - först"
    assert entry["malgrupp"]["beskrivning"] == "[alla] {vuxna}"
    assert entry["senast_granskad"]["av"] == "2021-09-30" and entry["kallor"][0]["avsnitt"] == "007"
    assert 'namn: "yes"' in path.read_text(encoding="utf-8")


def test_without_drivs_av_and_remittenter(tmp_path):
    path, _ = variant(tmp_path, "valid/minimal.yaml")
    completed = run(path, "--utan-fragor", *option_args(**{"--drivs-av": None, "--remittenter": None, "--id": None}))
    assert completed.returncode == 0, completed.stderr
    entry = load_text(path.read_text(encoding="utf-8"), "x")["insatser"][-1]
    assert entry["id"] == "arbetstraning-ludvika"  # made from the name
    assert "drivs_av" not in entry and entry["remiss"]["remittenter"] == []


def test_dry_run_prints_the_entry_and_writes_nothing(tmp_path):
    path, old = variant(tmp_path, "valid/minimal.yaml")
    completed = run(path, "--utan-fragor", "--dry-run", *option_args())
    assert completed.returncode == 0
    assert "  - id: arbetstraning-ludvika" in completed.stdout and "Provkörning" in completed.stdout
    assert path.read_bytes() == old


# --- interactive ---------------------------------------------------------------------------

ANSWERS = [
    "Arbetsträning Ludvika",       # namn
    "",                            # id: Enter takes the proposal made from the name
    "1",                           # typ: number 1 in the list = ordinarie
    "Träna arbete: några timmar i veckan.",
    "Vuxna som står långt från arbetsmarknaden.",
    "ludvik",                      # kommuner: unknown, asked again
    "ludvika",
    "bostad",
    "socialtjansten, arbetsformedlingen",
    "kanske",                      # egen ansökan: not ja/nej, asked again
    "nej",
    "vantelista",
    "kommunen",
    "",                            # källa: Enter takes the only one
    "3",
    "Samordnare, Ett samordningsförbund",
]


def test_interactive_answers_from_stdin(tmp_path):
    path, old = variant(tmp_path, "scaffold/kommentarer.yaml", crlf=True)
    # kommentarer.yaml has two sources, so the source must be given; replace the Enter.
    answers = [("rapport" if index == 13 else answer) for index, answer in enumerate(ANSWERS)]
    completed = run(path, stdin="\n".join(answers) + "\n")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "[arbetstraning-ludvika]" in completed.stdout          # the proposed id
    assert "Menade du 'ludvika'?" in completed.stdout              # unknown kommun, asked again
    assert "svara ja eller nej, inte 'kanske'" in completed.stdout
    assert " 1) ordinarie – Ordinarie verksamhet" in completed.stdout  # choices with Swedish labels
    assert_inserted(old, path.read_bytes(), LAYOUTS["scaffold/kommentarer.yaml"][0], True, True, 4)
    entry = load_text(decode(path.read_bytes(), "x"), "x")["insatser"][-1]
    assert entry == EXPECTED_ENTRY


def test_interactive_default_source_and_options_mixed(tmp_path):
    """Options that are given are not asked; the only source is proposed and taken with Enter."""
    path, _ = variant(tmp_path, "valid/minimal.yaml")
    given = option_args(**{"--kalla": None, "--granskad-av": None})
    completed = run(path, *given, stdin="\nSamordnare, Ett samordningsförbund\n")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "[rapport]" in completed.stdout and "Insatsens namn" not in completed.stdout
    assert load_text(path.read_text(encoding="utf-8"), "x")["insatser"][-1] == EXPECTED_ENTRY


def test_end_of_input_is_a_usage_error_and_writes_nothing(tmp_path):
    path, old = variant(tmp_path, "valid/minimal.yaml")
    completed = run(path, stdin="Arbetsträning Ludvika\n")
    assert completed.returncode == 2
    assert "inmatningen tog slut" in completed.stderr and "Inget har ändrats" in completed.stderr
    assert path.read_bytes() == old


# --- errors: Swedish, exit 1 or 2, and the file untouched ----------------------------------------

@pytest.mark.parametrize("overrides,exit_code,words", [
    ({"--id": "boendestod"}, 1, ["--id: id 'boendestod' används redan av insatsen Boendestöd"]),
    ({"--kommuner": "ludvik,stockholm"}, 1, ["--kommuner: okänd kommun", "'ludvik' Menade du 'ludvika'?", "'stockholm'"]),
    ({"--behov": "bostd"}, 1, ["--behov: okänd behov", "Menade du 'bostad'?"]),
    ({"--drivs-av": "kommun"}, 1, ["--drivs-av: okänd organisation", "Menade du 'kommunen'?"]),
    ({"--kalla": "rapporten"}, 1, ["--kalla: okänd källa", "Menade du 'rapport'?"]),
    ({"--typ": "ordinare"}, 1, ["--typ: 'ordinare' är inte en insatstyp. Menade du 'ordinarie'?"]),
    ({"--id": "Ny Insats"}, 1, ["--id: 'Ny Insats' är inget giltigt id"]),
    ({"--egen-ansokan": "kanske"}, 1, ["--egen-ansokan: svara ja eller nej"]),
    # Several problems are reported together.
    ({"--id": "teamet", "--behov": "arbet"}, 1, ["används redan", "okänd behov"]),
    # Valid one by one, invalid together: the full validation refuses and prints FILE:LINE:COL.
    ({"--typ": "foreslagen", "--intag": "oppen"}, 1, ["insatser.yaml:", "en föreslagen insats kan inte ta emot deltagare"]),
    ({"--granskad-av": None}, 2, ["dessa uppgifter saknas: --granskad-av"]),
])
def test_errors_leave_the_file_untouched(tmp_path, overrides, exit_code, words):
    path, old = variant(tmp_path, "valid/minimal.yaml")
    before = path.stat().st_mtime_ns
    completed = run(path, "--utan-fragor", *option_args(**overrides))
    output = completed.stdout + completed.stderr
    assert completed.returncode == exit_code, output
    for word in words:
        assert word in output
    assert "inget har ändrats" in output.lower() or exit_code == 2
    assert path.read_bytes() == old and path.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["insatser.yaml"]


def test_invalid_file_is_refused(tmp_path):
    path = tmp_path / "insatser.yaml"
    path.write_bytes((FIXTURES / "invalid" / "bad_enum.yaml").read_bytes())
    old = path.read_bytes()
    completed = run(path, "--utan-fragor", *option_args())
    assert completed.returncode == 1
    assert "har redan fel" in completed.stderr and "Menade du 'oppen'?" in completed.stdout
    assert path.read_bytes() == old


def test_missing_file_and_bad_today(tmp_path):
    completed = run(tmp_path / "finns-inte.yaml", "--utan-fragor", *option_args())
    assert completed.returncode == 2 and "Filen finns inte" in completed.stderr
    path, old = variant(tmp_path, "valid/minimal.yaml")
    completed = subprocess.run([PYTHON, SCRIPT, str(path), "--today", "2026-13-01", *option_args()],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "ogiltigt datum" in completed.stderr
    assert path.read_bytes() == old


def test_flow_style_list_is_refused(tmp_path):
    text = (FIXTURES / "scaffold" / "utan_indrag.yaml").read_text(encoding="utf-8")
    head = text.split("\ninsatser:\n")[0]
    path = tmp_path / "insatser.yaml"
    path.write_text(head + "\ninsatser: []\n", encoding="utf-8")
    old = path.read_bytes()
    completed = run(path, "--utan-fragor", *option_args())
    assert completed.returncode == 1 and "för hand" in completed.stderr
    assert path.read_bytes() == old
