"""CSV for Excel (site/tables.py): read back with the csv module, compared cell by cell with the data."""
import csv
import io
import re

import pytest
import yaml

from conftest import FIXTURES, TODAY
from insatsguiden.domain.freshness import KIND_LABELS, STATE_LABELS, message
from insatsguiden.model.schema import labels
from insatsguiden.model.validate import validate_text
from insatsguiden.site import tables
from insatsguiden.site.render import Site

# What a spreadsheet runs as a formula (OWASP), written out here rather than imported.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Also their full-width forms, and after any whitespace or invisible format character (see test_open_data_adversarial).
WIDE_TRIGGERS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")


def _after_unseen(text: str) -> str:
    return re.sub(r"^[\s\u00ad\u061c\u200b-\u200f\u2060-\u2064]+", "", text)
FILES = ("csv/insatser.csv", "csv/kontakter.csv", "csv/granskning.csv")

# Valid data that looks like formulas, or that breaks a naive CSV or XML writer.
FORMULA_NAME = '=HYPERLINK("https://x.se";"klick")'
PHONE = "+46 240 86000"
MULTILINE = 'Rad 1\nRad 2; "citat", \\ ]]> \u2028 slut\r\nrad 3'
QUOTED_NAME = 'Citat "x", a;b \\ ]]> slut'
AGREEMENT_TITLE = 'Avtal, "x"; y \\ ]]> =1'


def hostile_text() -> str:
    """minimal.yaml with formula-like and quote-laden values in the fields the exports show.

    The agreement is revised in February 2026 with a window November–February (across the new
    year) and one intake is confirmed, so the calendars also get events that are not overdue."""
    data = yaml.safe_load((FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8"))
    boendestod, teamet = data["insatser"]
    boendestod.update(namn=FORMULA_NAME, kortnamn="+SUM(1;2)", syfte=MULTILINE)
    boendestod["senast_granskad"]["av"] = "-2+3"
    boendestod["intag"]["bekraftad"] = "2026-10-01"
    boendestod["kontakter"] = [
        {"roll": "=cmd|' /C calc'!A0", "namn": "@Person", "telefon": PHONE, "telefontid": "-9 till 11",
         "verifierad": "2026-01-15"},
        {"roll": " =1+1", "telefontid": "\tTab"},
    ]
    teamet.update(namn=QUOTED_NAME, kortnamn="\t=1", syfte="=1+1\n\nMer")
    data["organisationer"][0].update(namn='@Förbund; "x"', vaxel=PHONE, webb="https://ok.se")
    agreement = data["overenskommelser"][0]
    agreement.update(titel=AGREEMENT_TITLE, senast_reviderad="2026-02")
    agreement["revision"].update(fonster_fran_manad=11, fonster_till_manad=2)
    data["kommuner"][0]["namn"] = "-Ludvika"
    data["behov"][0]["namn"] = "+Bostad"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def hostile_site() -> Site:
    result = validate_text(hostile_text(), "fientlig.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]  # the values really reach the exports
    return Site.build(result.catalogue, TODAY)


def read(data: bytes) -> list[dict[str, str]]:
    """A published CSV as Excel's neighbours read it: UTF-8 with BOM, ';', RFC 4180 quoting."""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";", strict=True))
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    return [dict(zip(header, row)) for row in body]


def shown(value) -> str:
    """The cell expected for a data value: text, with an apostrophe before a formula start."""
    text = "" if value is None else str(value)
    if text.startswith(TRIGGERS) or _after_unseen(text).startswith(TRIGGERS + WIDE_TRIGGERS):
        return "'" + text
    return text


@pytest.fixture(scope="module")
def hostile():
    site = hostile_site()
    return site, tables.files(site)


@pytest.fixture(scope="module")
def default(default_catalogue):
    site = Site.build(default_catalogue, TODAY)
    return site, tables.files(site)


@pytest.mark.parametrize("value, cell", [
    (PHONE, "'" + PHONE), ("-5", "'-5"), ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), (" =1", "' =1"), ("\n+1", "'\n+1"), ("a=b", "a=b"), ("", ""), ("2026-01-15", "2026-01-15"),
    ("'=1", "'=1"), ("Boendestöd", "Boendestöd"),
])
def test_formula_starts_get_an_apostrophe_and_nothing_else_changes(value, cell):
    assert tables.neutralise(value) == cell


def test_files_are_utf8_with_bom_semicolons_and_crlf(default):
    _, files = default
    assert sorted(files) == sorted(FILES)
    for path in FILES:
        data = files[path]
        assert data.startswith(b"\xef\xbb\xbf"), path
        text = data.decode("utf-8-sig")
        first = text.split("\r\n", 1)[0]
        assert not first.lower().startswith("sep="), path  # it would hide the BOM from Excel
        assert ";" in first and "," not in first, first
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), path  # no line break inside a field here


def test_every_insats_is_one_row_with_the_data_of_its_page(default):
    site, files = default
    catalogue = site.catalogue
    rows = read(files["csv/insatser.csv"])
    assert [row["Id"] for row in rows] == list(catalogue.insatser)
    for row in rows:
        insats = catalogue.insatser[row["Id"]]
        assert row["Namn"] == insats["namn"]
        assert row["Typ"] == labels("insatstyp")[insats["typ"]]
        assert row["Kommuner"] == ", ".join(catalogue.kommuner[k]["namn"] for k in insats["malgrupp"].get("kommuner", [])) \
            or row["Kommuner"] == "Inte avgränsat till kommun"
        assert row["Behov"] == ", ".join(catalogue.behov[b]["namn"] for b in insats["malgrupp"]["behov"])
        assert row["Drivs av"] == ", ".join(catalogue.organisationer[o]["namn"] for o in insats.get("drivs_av", []))
        assert row["Senast granskad"] == insats["senast_granskad"]["datum"]
        assert row["Sidans adress"] == f"insatser/{insats['id']}/"
    # On 2026-11-23 every intake in the default data is unconfirmed, and the CSV says so as the pages do.
    intakes = {row["Intag"] for row in rows if row["Id"] in site.unconfirmed_intake}
    assert intakes and all(text.startswith("Obekräftat (senast kända status: ") for text in intakes)


def test_hostile_insatser_read_back_equal_to_the_data(hostile):
    site, files = hostile
    catalogue = site.catalogue
    rows = read(files["csv/insatser.csv"])
    assert len(rows) == len(catalogue.insatser)
    yes_no = {True: "Ja", False: "Nej", None: ""}
    for row in rows:
        insats = catalogue.insatser[row["Id"]]
        review = site.findings_for("insatser", insats["id"], "granskning")[0]
        expected = {
            "Id": insats["id"], "Namn": insats["namn"], "Kortnamn": insats.get("kortnamn", ""),
            "Typ": labels("insatstyp")[insats["typ"]],
            "Kommuner": ", ".join(catalogue.kommuner[k]["namn"] for k in insats["malgrupp"]["kommuner"]),
            "Behov": ", ".join(catalogue.behov[b]["namn"] for b in insats["malgrupp"]["behov"]),
            "Intag sedan": insats["intag"].get("sedan", ""), "Intag bekräftat": insats["intag"].get("bekraftad", ""),
            "Drivs av": ", ".join(catalogue.organisationer[o]["namn"] for o in insats.get("drivs_av", [])),
            "Finansieras av": ", ".join(catalogue.organisationer[o]["namn"] for o in insats.get("finansieras_av", [])),
            "Överenskommelser": ", ".join(catalogue.overenskommelser[a]["titel"] for a in insats.get("overenskommelser", [])),
            "Får remittera": ", ".join(labels("remittent")[r] for r in insats["remiss"]["remittenter"]),
            "Egen ansökan": yes_no[insats["remiss"]["egen_ansokan"]],
            "Kontakta före remiss": yes_no[insats["remiss"].get("kontakta_innan")],
            "Syfte": insats["syfte"], "Senast granskad": insats["senast_granskad"]["datum"],
            "Granskad av": insats["senast_granskad"]["av"], "Ska granskas senast": review.due.isoformat(),
            "Granskningsläge": STATE_LABELS[review.state], "Sidans adress": f"insatser/{insats['id']}/",
        }
        assert {key: row[key] for key in expected} == {key: shown(value) for key, value in expected.items()}
    first = rows[0]
    # The hostile values did reach the file, and came back whole.
    assert first["Namn"] == "'" + FORMULA_NAME and first["Syfte"] == MULTILINE
    assert first["Kommuner"] == "'-Ludvika" and first["Behov"] == "'+Bostad"
    assert rows[1]["Namn"] == QUOTED_NAME and rows[1]["Överenskommelser"] == AGREEMENT_TITLE
    # Confirmed in October: the status itself; never confirmed: unconfirmed.
    assert first["Intag"] == labels("intagsstatus")["oppen"]
    assert rows[1]["Intag"] == f"Obekräftat (senast kända status: {labels('intagsstatus')['stangd']})"


def test_hostile_contacts_read_back_with_their_verification(hostile):
    site, files = hostile
    catalogue = site.catalogue
    rows = read(files["csv/kontakter.csv"])
    expected = []
    for insats in catalogue.insatser.values():
        for contact in insats.get("kontakter", []):
            expected.append(["Insats", insats["id"], insats["namn"], contact["roll"], contact.get("namn"),
                             contact.get("telefon"), contact.get("telefontid"), contact.get("epost"), contact.get("webb"),
                             "Ja" if contact.get("verifierad") else "Nej", contact.get("verifierad"),
                             f"insatser/{insats['id']}/"])
    for organisation in catalogue.organisationer.values():
        if organisation.get("vaxel") or organisation.get("webb"):
            expected.append(["Organisation", organisation["id"], organisation["namn"], "Växel och webbplats", "",
                             organisation.get("vaxel"), "", "", organisation.get("webb"), "Ja", "",
                             f"organisationer/{organisation['id']}/"])
    columns = ("Gäller", "Id", "Namn", "Roll", "Kontaktperson", "Telefon", "Telefontid", "E-post", "Webbsida",
               "Verifierad", "Verifierad datum", "Sidans adress")
    assert [[row[c] for c in columns] for row in rows] == [[shown(v) for v in values] for values in expected]
    assert len(rows) == 4  # two contacts, and the two organisations with a switchboard
    assert rows[0]["Telefon"] == "'" + PHONE and rows[2]["Telefon"] == "'" + PHONE
    # The verified contact is due a year later; the unverified one has never been checked.
    assert (rows[0]["Ska verifieras senast"], rows[0]["Granskningsläge"]) == ("2027-01-15", STATE_LABELS["snart"])
    assert (rows[1]["Ska verifieras senast"], rows[1]["Granskningsläge"]) == ("", STATE_LABELS["forsenad"])


@pytest.mark.parametrize("which", ["default", "hostile"])
def test_granskning_has_one_row_per_finding_in_page_order(which, request):
    site, files = request.getfixturevalue(which)
    rows = read(files["csv/granskning.csv"])
    assert len(rows) == len(site.findings)
    for row, finding in zip(rows, site.findings):
        # A pending decision (issue 13) has its own page, beslut/<id>/.
        folder = {"overenskommelser": "overenskommelser/", "beslut": "beslut/"}.get(finding.section, "insatser/")
        page = folder + finding.record_id + "/"
        expected = {
            "Läge": STATE_LABELS[finding.state], "Vad": KIND_LABELS[finding.kind], "Post": finding.record_name,
            "Id": finding.record_id, "Senast": finding.due.isoformat() if finding.due else "",
            "Räknat från": finding.last_checked, "Ansvarig": finding.responsible, "Rad i datafilen": finding.line,
            "Fält": finding.field, "Sidans adress": page,
        }
        assert {key: row[key] for key in expected} == {key: shown(value) for key, value in expected.items()}
        if finding.due is None:
            assert row["Hur länge"] == "aldrig kontrollerad"
        elif finding.state == "forsenad":
            assert row["Hur länge"].startswith("försenad ")
        assert row["Meddelande"] == shown(message(finding))


def test_no_cell_anywhere_starts_a_formula(default, hostile):
    checked = 0
    for _, files in (default, hostile):
        for path in FILES:
            text = files[path].decode("utf-8-sig")
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
                for cell in row:
                    assert not cell.startswith(TRIGGERS) and not _after_unseen(cell).startswith(TRIGGERS + WIDE_TRIGGERS), (path, cell)
                    checked += 1
    assert checked > 1000
