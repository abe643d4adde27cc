"""scripts/diff_data.py: what changed, per record, in Swedish, from two files or from git."""
import os
import shutil
import subprocess

import pytest

from conftest import FIXTURES, PYTHON, ROOT, TODAY
from insatsguiden.tools.semantic_diff import diff, line, md

SCRIPT = str(ROOT / "scripts" / "diff_data.py")
MINIMAL = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")


def edited(*replacements: tuple[str, str], text: str = MINIMAL) -> str:
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def run(*args, cwd=ROOT):
    return subprocess.run([PYTHON, SCRIPT, "--today", TODAY.isoformat(), *map(str, args)], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def compare(tmp_path, new_text: str, old_text: str = MINIMAL, fmt: str = "text"):
    (tmp_path / "old.yaml").write_text(old_text, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new_text, encoding="utf-8")
    return run("--old", tmp_path / "old.yaml", "--format", fmt, tmp_path / "new.yaml")


INTAKE_STOP = (
    ("    intag:\n      status: oppen\n",
     '    intag:\n      status: stangd\n      sedan: "2026-11-01"\n      bekraftad: "2026-11-20"\n'),
    ('        verifierad: "2026-01-15"', '        verifierad: "2026-11-20"'),
)


def test_changed_fields_of_one_record_on_one_line(tmp_path):
    completed = compare(tmp_path, edited(*INTAKE_STOP))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "Boendestöd: kontakt verifierad 2026-01-15 → 2026-11-20; "
        "intagsstatus Öppen för nya deltagare → Stängd för nya deltagare; "
        "intagsstatus sedan (tomt) → 2026-11-01; intagsstatus bekräftad (tomt) → 2026-11-20"]


def test_added_and_removed_records(tmp_path):
    extra_organisation = ("  - id: kommunen\n", "  - id: nedlagd-enhet\n    namn: Nedlagd enhet\n    typ: kommun\n"
                          "    kallor:\n      - kalla: rapport\n        avsnitt: \"2\"\n  - id: kommunen\n")
    new_insats = ("ej_tackta_behov:\n", "  - id: ny-insats\n    namn: Ny insats\n    typ: projekt\n    syfte: Pröva något nytt.\n"
                  "    malgrupp:\n      beskrivning: Unga vuxna.\n    remiss:\n      remittenter: []\n      egen_ansokan: true\n"
                  "    intag:\n      status: oppen\n    senast_granskad:\n      datum: \"2026-11-20\"\n      av: Samordnare\n"
                  "    kallor:\n      - kalla: rapport\n        avsnitt: \"5\"\nej_tackta_behov:\n")
    completed = compare(tmp_path, edited(new_insats), old_text=edited(extra_organisation))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["Ny insats: Ny insats (ny-insats)",
                                             "Borttagen organisation: Nedlagd enhet (nedlagd-enhet)"]


def test_vocabulary_labels_reference_names_and_lists(tmp_path):
    new = edited(
        ("    drivs_av: [kommunen]", "    drivs_av: [forbundet]"),
        ("      forsorjning: [forsorjningsstod, sjukpenning]", "      forsorjning: [sjukpenning, aktivitetsersattning]"),
        ("      kontakta_innan: true\n", ""),
        ("    status: foljs_inte", "    status: gallande"),
        ('    senast_reviderad: "2018-04"', '    senast_reviderad: "2026-02"'),
    )
    lines = compare(tmp_path, new).stdout.splitlines()
    assert lines == [
        "Teamet: försörjning: lagt till Aktivitetsersättning; tagit bort Försörjningsstöd; "
        "kontakta före remiss ja → (tomt); drivs av Ludvika kommun → Ett samordningsförbund",
        "Överenskommelse En överenskommelse: senast reviderad 2018-04 → 2026-02; "
        "status Gäller formellt men följs inte → Gällande",
    ]


def test_list_items_are_matched_by_key_not_position(tmp_path):
    """A contact added in front of another is one new contact, not two changed ones."""
    new = edited(("    kontakter:\n      - roll: Biståndshandläggare\n",
                  "    kontakter:\n      - roll: Kundtjänst\n        telefontid: Mån–fre 9–11\n"
                  "      - roll: Biståndshandläggare\n"),
                 ('        verifierad: "2026-01-15"', '        verifierad: "2026-02-01"'))
    assert compare(tmp_path, new).stdout.splitlines() == [
        "Boendestöd: ny kontakt: Kundtjänst (telefontid ”Mån–fre 9–11”); "
        "kontakt (Biståndshandläggare) verifierad 2026-01-15 → 2026-02-01"]


def test_long_text_shows_the_part_that_changed(tmp_path):
    start = "Teamet går igenom situationen tillsammans med personen och alla som redan är inblandade, "
    old = edited(("        beskrivning: Teamet går igenom situationen.", f"        beskrivning: {start}varje vecka."))
    new = edited(("        beskrivning: Teamet går igenom situationen.", f"        beskrivning: {start}varannan vecka."))
    output = compare(tmp_path, new, old_text=old).stdout
    assert output.startswith("Teamet: steg (Kartläggning) beskrivning ”…")
    assert "varje vecka.” → ”…" in output and output.rstrip().endswith("varannan vecka.”")
    assert len(output) < 200


def test_only_order_comments_and_quotes_changed(tmp_path):
    teamet_first = MINIMAL.replace("  - id: boendestod", "  - id: PLACEHOLDER", 1)
    records = teamet_first.split("insatser:\n", 1)[1].split("ej_tackta_behov:\n", 1)[0]
    first, second = records.split("  - id: teamet\n")
    reordered = MINIMAL.replace(records, "  - id: teamet\n" + second + first.replace("PLACEHOLDER", "boendestod"))
    reordered = reordered.replace("    syfte: Stöd i hemmet.", "    # En kommentar\n    syfte: 'Stöd i hemmet.'")
    assert reordered != MINIMAL
    completed = compare(tmp_path, reordered)
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"Inga ändringar i innehållet jämfört med {tmp_path / 'old.yaml'}."


def test_sections_without_records(tmp_path):
    new = edited(("      fraga: Var arbetar du?", "      fraga: Var arbetar du någonstans?"),
                 ("version: 1\n", "version: 1\ninstallningar:\n  intag_max_manader: 3\n"))
    assert compare(tmp_path, new).stdout.splitlines() == [
        "Vägvisaren: fråga (remittent) frågetext ”Var arbetar du?” → ”Var arbetar du någonstans?”",
        "Inställningar: intagsstatus aktuell (månader) (tomt) → 3",
    ]


def test_markdown_for_the_job_summary(tmp_path):
    new = edited(*INTAKE_STOP, ("    namn: Teamet", "    namn: Teamet *Ny* [2026] | A_B & C"))
    completed = compare(tmp_path, new, fmt="markdown")
    assert completed.returncode == 0
    text = completed.stdout
    assert text.startswith(f"## Ändringar i `{tmp_path / 'new.yaml'}`\n")
    assert "Jämfört med `" in text and ": 0 nya, 2 ändrade, 0 borttagna." in text
    assert "\n### Insatser\n\n- **Boendestöd** (`boendestod`)\n  - kontakt verifierad 2026-01-15 → 2026-11-20\n" in text
    # Names from the data cannot become emphasis, links, HTML or table cells.
    assert r"- **Teamet \*Ny\* \[2026\] \| A\_B \& C** (`teamet`)" in text
    assert r"  - namn Teamet → ”Teamet \*Ny\* \[2026\] \| A\_B \& C”" in text


def test_invalid_new_file_exit_1_with_problems(tmp_path):
    completed = compare(tmp_path, edited(("      status: oppen", "      status: öppen")))
    assert completed.returncode == 1
    assert f"{tmp_path / 'new.yaml'}:" in completed.stdout and "Menade du 'oppen'?" in completed.stdout
    completed = compare(tmp_path, edited(("      status: oppen", "      status: öppen")), fmt="markdown")
    assert completed.returncode == 1 and "Datafilen är ogiltig" in completed.stdout


def test_unreadable_old_version_counts_everything_as_new(tmp_path):
    completed = compare(tmp_path, MINIMAL, old_text="insatser: [\n")
    assert completed.returncode == 0
    assert "kunde inte läsas" in completed.stdout and "Ny insats: Boendestöd (boendestod)" in completed.stdout


@pytest.mark.parametrize("args,words", [
    ([], "ange antingen --base REF eller --old FIL"),
    (["--base", "HEAD", "--old", "x.yaml"], "ange antingen --base REF eller --old FIL"),
    (["--old", "finns-inte.yaml"], "--old: finns-inte.yaml:1:1: Filen finns inte"),
    (["--format", "html", "--old", "x.yaml"], "--format"),
])
def test_usage_errors_exit_2(args, words):
    completed = run(*args)
    assert completed.returncode == 2
    assert words in completed.stderr


def test_the_example_in_the_issue_reads_as_promised():
    """'EVI Ludvika: intagsstatus öppen → stängd; kontakt verifierad 2021-09-30 → 2026-11-20' (with schema labels)."""
    old = {"insatser": [{"id": "evi-ludvika", "namn": "EVI Ludvika", "kontakter": [{"roll": "EVI-koordinator", "verifierad": "2021-09-30"}],
                         "intag": {"status": "oppen"}}]}
    new = {"insatser": [{"id": "evi-ludvika", "namn": "EVI Ludvika", "intag": {"status": "stangd"},
                         "kontakter": [{"roll": "EVI-koordinator", "verifierad": "2026-11-20"}]}]}
    assert [line(change) for change in diff(old, new)] == [
        "EVI Ludvika: intagsstatus Öppen för nya deltagare → Stängd för nya deltagare; kontakt verifierad 2021-09-30 → 2026-11-20"]


def test_markdown_escape():
    assert md("a*b_c [d](e) <f> `g` | h & i") == r"a\*b\_c \[d\](e) \<f\> \`g\` \| h \& i"


# --- git --------------------------------------------------------------------------------------

def git(repo, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    completed = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, timeout=60)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.fail("git saknas; testet av --base kräver git.")
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    git(repo, "init", "--quiet", "--initial-branch=main")
    (repo / "data" / "insatser.yaml").write_text(MINIMAL, encoding="utf-8")
    git(repo, "add", "data/insatser.yaml")
    git(repo, "commit", "--quiet", "-m", "Första versionen")
    return repo


def test_base_reads_the_old_version_from_git(repo, tmp_path):
    git(repo, "switch", "--quiet", "-c", "intagsstopp")
    (repo / "data" / "insatser.yaml").write_text(edited(*INTAKE_STOP), encoding="utf-8")
    git(repo, "commit", "--quiet", "-am", "Intagsstopp")
    # Run from elsewhere: the file's own repository is used, not the working directory's.
    completed = run("--base", "main", repo / "data" / "insatser.yaml", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Boendestöd: kontakt verifierad 2026-01-15 → 2026-11-20; intagsstatus Öppen")
    # Uncommitted changes in the work tree are compared too; HEAD is a ref like any other.
    (repo / "data" / "insatser.yaml").write_text(edited(("    namn: Teamet", "    namn: Team Ludvika"), *INTAKE_STOP),
                                                 encoding="utf-8")
    assert run("--base", "HEAD", repo / "data" / "insatser.yaml").stdout == "Team Ludvika: namn Teamet → ”Team Ludvika”\n"


def test_base_markdown_names_the_ref(repo):
    (repo / "data" / "insatser.yaml").write_text(edited(*INTAKE_STOP), encoding="utf-8")
    completed = run("--base", "main", "--format", "markdown", "data/insatser.yaml", cwd=repo)
    assert completed.returncode == 0
    assert completed.stdout.startswith("## Ändringar i `data/insatser.yaml`\n\nJämfört med `main`: 0 nya, 1 ändrad, 0 borttagna.")


def test_base_without_the_file_counts_everything_as_new(repo):
    (repo / "data" / "annan.yaml").write_text(MINIMAL, encoding="utf-8")
    completed = run("--base", "main", repo / "data" / "annan.yaml")
    assert completed.returncode == 0
    assert "fanns inte i den tidigare versionen" in completed.stdout
    assert "Ny insats: Boendestöd (boendestod)" in completed.stdout and "Ny organisation: Ludvika kommun (kommunen)" in completed.stdout


@pytest.mark.parametrize("ref", ["origin/main", "--output=/tmp/x"])
def test_base_unknown_ref_is_a_usage_error(repo, ref):
    completed = run(f"--base={ref}", repo / "data" / "insatser.yaml")
    assert completed.returncode == 2
    assert "hittar inte" in completed.stderr and "git fetch" in completed.stderr


def test_base_outside_git_is_a_usage_error(tmp_path):
    (tmp_path / "insatser.yaml").write_text(MINIMAL, encoding="utf-8")
    completed = run("--base", "main", tmp_path / "insatser.yaml", cwd=tmp_path)
    assert completed.returncode == 2 and "inte en git-katalog" in completed.stderr


def test_a_decision_is_named_by_its_question():
    """A decision (beslut, issue 13) has no namn or titel: the summary names it by its question (fraga)."""
    old = {"beslut": [{"id": "uma", "fraga": "Ska UMA bli ordinarie?", "status": "vantar"}]}
    new = {"beslut": [{"id": "uma", "fraga": "Ska UMA bli ordinarie?", "status": "fattat", "utfall": "Ja."}]}
    changes = diff(old, new)
    assert [c.name for c in changes] == ["Ska UMA bli ordinarie?"]
    assert line(changes[0]) == "Beslut Ska UMA bli ordinarie?: status Väntar på beslut → Fattat; utfall (tomt) → Ja."
