"""The static JSON API under /api/v1/ (insatsguiden/site/api.py, schema/api/): every document is read
back with `json` from a built site and compared with the data file, validated against its JSON
Schema, and every link in it is followed."""
import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import FIXTURES, ROOT, TODAY, build_site
from insatsguiden.domain.guide import kommun_guide_data
from insatsguiden.model.catalogue import Catalogue
from insatsguiden.model.validate import validate_file, validate_text
from insatsguiden.site import api
from insatsguiden.site.render import Site

SCHEMA_DIR = ROOT / "schema" / "api"
DATA_FILE = ROOT / "data" / "insatser.yaml"
SUMMARY_KEYS = ["id", "namn", "typ", "kommuner", "behov", "intag", "senast_granskad", "organisationer",
                "remittenter", "url"]
# Section in the data -> folder under api/v1/ and the key of the record in its document.
KINDS = {"insatser": ("insatser", "insats"), "organisationer": ("organisationer", "organisation"),
         "overenskommelser": ("overenskommelser", "overenskommelse"), "behov": ("behov", "behov"),
         "ej_tackta_behov": ("ej-tackta-behov", "ej_tackt_behov"), "beslut": ("beslut", "beslut")}
# The exports of the other modules that index.json must name, relative to the site root (issue 12).
OTHER_EXPORTS = {"hsds/services.json", "csv/insatser.csv", "csv/kontakter.csv", "csv/granskning.csv",
                 "kalender/alla.ics", "andringar/feed.xml"}


def read(path: Path):
    return json.loads(path.read_bytes().decode("utf-8"))


def documents(api_dir: Path) -> dict[str, object]:
    """Every API document (not the schemas) by its path under api/v1/."""
    return {p.relative_to(api_dir).as_posix(): read(p) for p in sorted(api_dir.rglob("*.json"))
            if p.relative_to(api_dir).parts[0] != "schema"}


def schema_name(relative: str) -> str:
    """insatser.json -> insatser; insatser/<id>.json -> insatser-post."""
    parts = relative[: -len(".json")].split("/")
    return parts[0] if len(parts) == 1 else parts[0] + "-post"


def schemas() -> dict[str, dict]:
    return {p.name[: -len(".schema.json")]: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(SCHEMA_DIR.glob("*.schema.json"))}


def citation(raw: dict, reference: dict) -> str:
    source = next(s for s in raw["kallor"] if s["id"] == reference["kalla"])
    return f"{source['titel']}, {source['utgivare']}, {source['datum']}, avsnitt {reference['avsnitt']}"


def by_id(raw: dict, section: str) -> dict[str, dict]:
    return {record["id"]: record for record in raw[section]}


def expected_summary(insats: dict) -> dict:
    """A summary line as the issue defines it, from the raw data."""
    target = insats["malgrupp"]
    organisations = []
    for identity in insats.get("drivs_av", []) + insats.get("finansieras_av", []):
        if identity not in organisations:
            organisations.append(identity)
    return {"id": insats["id"], "namn": insats["namn"], "typ": insats["typ"], "kommuner": target.get("kommuner", []),
            "behov": target.get("behov", []), "intag": insats["intag"]["status"],
            "senast_granskad": insats["senast_granskad"]["datum"], "organisationer": organisations,
            "remittenter": insats["remiss"]["remittenter"], "url": f"insatser/{insats['id']}/"}


def name_order(records: list[dict]) -> list[str]:
    return [r["id"] for r in sorted(records, key=lambda r: ((r.get("namn") or r.get("titel") or r["fraga"]).casefold(),
                                                            r["id"]))]


# --- the document, mapped back to the data ---------------------------------------------------

LINK_SECTIONS = {"insatser/": "insatser", "organisationer/": "organisationer", "overenskommelser/": "overenskommelser",
                 "behov/": "behov"}


def unresolve(value, raw: dict, problems: list[str], where: str):
    """The document's form of a record turned back into the data's form: a link becomes the id it
    names (after checking its name against the data), a printed source becomes a marker holding its
    text, and an unverified contact's "verifierad": null is dropped. Anything wrong goes to `problems`."""
    if isinstance(value, list):
        return [unresolve(item, raw, problems, where) for item in value]
    if not isinstance(value, dict):
        return value
    keys = set(value)
    if keys == {"id", "namn", "url"} and value["url"] == f"behov/#saknas-{value['id']}":   # a need no measure covers
        record = by_id(raw, "ej_tackta_behov").get(value["id"])
        if record is None or record["namn"] != value["namn"]:
            problems.append(f"{where}: link {value} does not match ej_tackta_behov in the data")
        return value["id"]
    if keys in ({"id", "namn", "url"}, {"id", "titel", "url"}):
        section = next((s for prefix, s in LINK_SECTIONS.items() if value["url"] == f"{prefix}{value['id']}/"), None)
        if section is None:
            problems.append(f"{where}: link {value} has an unexpected url")
            return value
        record = by_id(raw, section).get(value["id"])
        if record is None or (record.get("namn") or record.get("titel")) != (value.get("namn") or value.get("titel")):
            problems.append(f"{where}: link {value} does not match {section} in the data")
        return value["id"]
    if keys == {"id", "namn", "dokument"}:
        kommun = by_id(raw, "kommuner").get(value["id"])
        if kommun is None or kommun["namn"] != value["namn"] or value["dokument"] != f"kommuner/{value['id']}.json":
            problems.append(f"{where}: kommun link {value} does not match the data")
        return value["id"]
    if keys <= {"hanvisning", "avser"} and "hanvisning" in keys:
        return ("källa", value["hanvisning"], value.get("avser"))
    if "roll" in keys and "verifierad" in keys and value["verifierad"] is None:
        return {k: unresolve(v, raw, problems, where) for k, v in value.items() if k != "verifierad"}
    return {k: unresolve(v, raw, problems, where) for k, v in value.items()}


def cited(value, raw: dict):
    """The data with every source reference replaced by the same marker holding its citation."""
    if isinstance(value, list):
        return [cited(item, raw) for item in value]
    if isinstance(value, dict):
        if set(value) <= {"kalla", "avsnitt", "avser"} and {"kalla", "avsnitt"} <= set(value):
            return ("källa", citation(raw, value), value.get("avser"))
        return {k: cited(v, raw) for k, v in value.items()}
    return value


def check_record_documents(api_dir: Path, raw: dict) -> list[str]:
    problems = []
    for section, (folder, key) in KINDS.items():
        published = sorted(p.stem for p in (api_dir / folder).glob("*.json")) if (api_dir / folder).exists() else []
        if published != sorted(by_id(raw, section)):
            problems.append(f"{folder}: documents {published} for records {sorted(by_id(raw, section))}")
        for identity, record in by_id(raw, section).items():
            document = read(api_dir / folder / f"{identity}.json")
            shown = dict(document[key])
            url = shown.pop("url")
            expected_url = f"behov/#saknas-{identity}" if section == "ej_tackta_behov" else f"{folder}/{identity}/"
            if url != expected_url:
                problems.append(f"{folder}/{identity}: url {url}")
            # A follow-up figure's source (issue 13) is published as the data writes it, {kalla, avsnitt}
            # (site/api.py resolves only the sources it knows; the record schema says so): compare it
            # as the reference it is. Everywhere else a source must be printed.
            for indicator in shown.get("indikatorer", []) if section == "insatser" else []:
                reference = indicator.get("kalla")
                if isinstance(reference, dict) and {"kalla", "avsnitt"} <= set(reference) <= {"kalla", "avsnitt", "avser"}:
                    indicator["kalla"] = cited(reference, raw)
            back = unresolve(shown, raw, problems, f"{folder}/{identity}")
            if back != cited(record, raw):
                problems.append(f"{folder}/{identity}: differs from the data:\n{back}\n{cited(record, raw)}")
            if set(document) != {"version", "byggdatum", key}:
                problems.append(f"{folder}/{identity}: keys {sorted(document)}")
    return problems


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def api_dir(built_site):
    return built_site / "api" / "v1"


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def default_site(default_catalogue):
    return Site.build(default_catalogue, TODAY)


# --- tests ------------------------------------------------------------------------------------

def test_every_document_is_utf8_json_with_version_and_build_date(api_dir, raw):
    found = documents(api_dir)
    expected = 1 + 7 + sum(len(raw[s]) for s in KINDS) + len(raw["kommuner"])
    assert len(found) == expected, sorted(found)
    for relative, document in found.items():
        assert document["version"] == "1" and document["byggdatum"] == TODAY.isoformat(), relative
    # Swedish letters are written as they are, not as \u escapes.
    assert "Västerås" in (api_dir / "kommuner.json").read_text(encoding="utf-8")


def test_per_record_and_list_documents_are_compact(api_dir):
    for path in sorted(api_dir.rglob("*.json")):
        relative = path.relative_to(api_dir).as_posix()
        if relative == "index.json" or relative.startswith("schema/"):
            continue
        data = path.read_bytes()
        assert data == json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8"), relative


def test_every_schema_is_valid_draft_2020_12_with_swedish_text_and_closed_objects():
    found = schemas()
    assert len(found) == 15, sorted(found)
    for name, schema in found.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["title"] and schema["description"], name

        def walk(node, path):
            if isinstance(node, dict):
                if "properties" in node:
                    assert node.get("additionalProperties") is False, (name, path)
                    for key, sub in node["properties"].items():
                        assert "$ref" in sub or sub.get("description"), (name, path, key)
                for key, sub in node.items():
                    walk(sub, path + (key,))
            elif isinstance(node, list):
                for n, sub in enumerate(node):
                    walk(sub, path + (n,))
        walk(schema, ())
        # Swedish: the descriptions use Swedish words, not English ones.
        text = json.dumps(schema, ensure_ascii=False)
        assert re.search(r"[åäö]", text) and not re.search(r"\b(the|which|record|list of)\b", text), name


def test_every_document_validates_against_its_published_schema(api_dir):
    published = {p.name[: -len(".schema.json")]: p for p in (api_dir / "schema").glob("*.schema.json")}
    assert sorted(published) == sorted(schemas())
    for name, path in published.items():
        assert path.read_bytes() == (SCHEMA_DIR / path.name).read_bytes(), name
    validators = {name: jsonschema.Draft202012Validator(read(path)) for name, path in published.items()}
    for relative, document in documents(api_dir).items():
        errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validators[schema_name(relative)].iter_errors(document)]
        assert errors == [], (relative, errors[:5])


def test_schemas_reject_what_the_contract_forbids(api_dir):
    """The schemas are not so loose that anything passes: an extra key, a missing key and a wrong type fail."""
    line = read(api_dir / "insatser.json")
    validator = jsonschema.Draft202012Validator(schemas()["insatser"])
    assert validator.is_valid(line)
    for change in (lambda d: d["insatser"][0].update(extra=1), lambda d: d["insatser"][0].pop("intag"),
                   lambda d: d["insatser"][0].update(kommuner="ludvika"), lambda d: d.update(version=1)):
        broken = copy.deepcopy(line)
        change(broken)
        assert not validator.is_valid(broken)


def test_the_record_schemas_cover_every_field_of_the_data_schema():
    """A field added to the data must be added to the API's record schemas (and so to the documents)."""
    data_defs = json.loads((ROOT / "schema" / "insatser.schema.json").read_text(encoding="utf-8"))["$defs"]
    found = schemas()
    for folder, definition in (("insatser", "insats"), ("organisationer", "organisation"),
                               ("overenskommelser", "overenskommelse"), ("behov", "behov"),
                               ("ej-tackta-behov", "ej_tackt_behov"), ("beslut", "beslut")):
        api_props = set(found[f"{folder}-post"]["$defs"][definition]["properties"])
        assert api_props == set(data_defs[definition]["properties"]) | {"url"}, folder
    # index.json publishes the accessibility statement's data as it stands in the file.
    assert found["index"]["$defs"]["tillganglighet"] == data_defs["tillganglighet"]


def test_index_counts_and_links(api_dir, raw):
    index = read(api_dir / "index.json")
    assert set(index) == {"version", "byggdatum", "antal", "listor", "poster", "scheman", "andra_format", "webbplats"}
    publisher = raw["webbplats"]["utgivare"]
    assert index["webbplats"]["utgivare"] == {"id": publisher, "namn": by_id(raw, "organisationer")[publisher]["namn"],
                                              "url": f"organisationer/{publisher}/"}
    assert index["webbplats"]["tillganglighet"] == raw["webbplats"]["tillganglighet"]
    assert (api_dir.parent.parent / index["webbplats"]["tillganglighet_url"] / "index.html").is_file()
    sections = list(KINDS) + ["kommuner"]
    assert index["antal"] == {section: len(raw[section]) for section in sections}
    for section in sections:
        assert (api_dir / index["listor"][section]).is_file(), section
        for record in raw[section]:
            assert (api_dir / index["poster"][section].replace("{id}", record["id"])).is_file(), (section, record["id"])
    assert sorted(index["scheman"]) == sorted(schemas())
    for name, path in index["scheman"].items():
        assert read(api_dir / path) == schemas()[name]
    assert OTHER_EXPORTS <= set(index["andra_format"].values())


def test_insatser_list_is_exactly_the_summary_of_the_data_in_name_order(api_dir, raw, default_catalogue):
    listed = read(api_dir / "insatser.json")
    assert set(listed) == {"version", "byggdatum", "insatser"}
    lines = listed["insatser"]
    assert [line["id"] for line in lines] == name_order(raw["insatser"])
    data = by_id(raw, "insatser")
    for line in lines:
        assert list(line) == SUMMARY_KEYS
        assert line == expected_summary(data[line["id"]])
        assert api.summary_line(default_catalogue, default_catalogue.insatser[line["id"]]) == line


def test_other_lists_name_every_record_with_its_page_and_document(api_dir, raw):
    for section, (folder, _) in KINDS.items():
        if section == "insatser":
            continue
        listed = read(api_dir / f"{folder}.json")
        lines = listed[section]
        assert [line["id"] for line in lines] == name_order(raw[section]), section
        for line in lines:
            record = by_id(raw, section)[line["id"]]
            assert line["dokument"] == f"{folder}/{line['id']}.json"
            assert (line.get("namn") or line.get("titel") or line.get("fraga")) == (
                record.get("namn") or record.get("titel") or record.get("fraga"))
            for key, value in line.items():
                if key in record and key != "id":
                    assert value == record[key], (section, line["id"], key)
    needs = read(api_dir / "behov.json")["behov"]
    for line in needs:
        assert line["insatser"] == sum(line["id"] in i["malgrupp"].get("behov", []) for i in raw["insatser"])
    kommuner = read(api_dir / "kommuner.json")["kommuner"]
    organisations = by_id(raw, "organisationer")
    assert [k["id"] for k in kommuner] == name_order(raw["kommuner"])
    for line in kommuner:
        kommun = by_id(raw, "kommuner")[line["id"]]
        assert (line["namn"], line["lan"]) == (kommun["namn"], kommun["lan"])
        forbund = kommun.get("samordningsforbund")
        assert line["samordningsforbund"] == ({"id": forbund, "namn": organisations[forbund]["namn"],
                                               "url": f"organisationer/{forbund}/"} if forbund else None)
        assert (api_dir / line["dokument"]).is_file() and line["vagvisare_url"] == f"vagvisare/{line['id']}/"


def test_every_record_document_is_the_data_with_references_resolved(api_dir, raw):
    problems = check_record_documents(api_dir, raw)
    assert problems == [], "\n".join(problems[:10])


def test_every_url_in_every_document_is_a_built_page(built_site, api_dir):
    urls = set()

    def collect(value):
        if isinstance(value, dict):
            for key, sub in value.items():
                if key in ("url", "vagvisare_url") and isinstance(sub, str):
                    urls.add(sub)
                else:
                    collect(sub)
        elif isinstance(value, list):
            for sub in value:
                collect(sub)
    for document in documents(api_dir).values():
        collect(document)
    assert len(urls) > 50
    for url in sorted(urls):
        page, _, anchor = url.partition("#")
        html = built_site / page / "index.html"
        assert html.is_file(), url
        if anchor:
            assert f'id="{anchor}"' in html.read_text(encoding="utf-8"), url


def test_kommun_documents_hold_the_kommuns_measures_and_its_guide(api_dir, raw, default_site):
    listed = read(api_dir / "insatser.json")["insatser"]
    organisations = by_id(raw, "organisationer")
    for kommun in raw["kommuner"]:
        document = read(api_dir / "kommuner" / f"{kommun['id']}.json")
        assert list(document) == ["version", "byggdatum", "kommun", "insatser", "vagvisare"]
        forbund = kommun.get("samordningsforbund")
        assert document["kommun"] == {"id": kommun["id"], "namn": kommun["namn"], "samordningsforbund": (
            {"id": forbund, "namn": organisations[forbund]["namn"]} if forbund else None)}
        serving = [line for line in listed if not line["kommuner"] or kommun["id"] in line["kommuner"]]
        assert document["insatser"] == serving and serving
        expected_guide = kommun_guide_data(default_site.guide, kommun["id"])
        assert document["vagvisare"] == json.loads(json.dumps(expected_guide, ensure_ascii=False))
        assert len(document["vagvisare"]["insatser"]) < len(default_site.guide["insatser"])
    sizes = [len(read(api_dir / "kommuner" / f"{k['id']}.json")["insatser"]) for k in raw["kommuner"]]
    assert min(sizes) < len(listed)  # a kommun document leaves out the other kommuner's measures


def test_without_a_guide_section_the_kommun_documents_have_no_guide():
    """The schema requires `vagvisare` today; the API still says null rather than fail if it is absent."""
    catalogue = validate_file(FIXTURES / "valid" / "minimal.yaml", TODAY).catalogue
    data = {key: value for key, value in catalogue.data.items() if key != "vagvisare"}
    data["insatser"] = [{k: v for k, v in i.items() if k != "villkor"} for i in data["insatser"]]
    produced = api.files(Site.build(Catalogue.from_data(data, "utan.yaml"), TODAY))
    validators = {name: jsonschema.Draft202012Validator(schema) for name, schema in schemas().items()}
    for kommun in data["kommuner"]:
        document = json.loads(produced[f"api/v1/kommuner/{kommun['id']}.json"])
        assert document["vagvisare"] is None and validators["kommuner-post"].is_valid(document)
    lines = json.loads(produced["api/v1/kommuner.json"])["kommuner"]
    assert lines and all(line["vagvisare_url"] is None for line in lines)


# --- hostile text -----------------------------------------------------------------------------

HOSTILE_LINE = '=HYPERLINK("https://e.x";"klicka") "citat" \'enkla\' ]]> \\ & slut'
HOSTILE_TEXT = ('+rad ett\nrad två "citat" ]]> och \u2028 radavskiljare \u2029 stycke\n\n-minus @at\t'
                'flik <\\/script> &amp; \\u2028 {"json": [1]}')


def hostile_raw() -> dict:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    insats = data["insatser"][0]
    insats["namn"] = HOSTILE_LINE
    insats["syfte"] = HOSTILE_TEXT
    insats["kriterier"] = [HOSTILE_TEXT, "@" + HOSTILE_LINE]
    insats.setdefault("kontakter", []).append({"roll": "=" + HOSTILE_LINE, "telefontid": "-" + HOSTILE_LINE})
    insats["kontakter"].append({"roll": "Kontrollerad", "telefon": "0240-86 000", "verifierad": "2026-10-01"})
    insats["malgrupp"].pop("kommuner")  # no kommun limit: in every kommun's document
    # Runs and finances it: the summary names each organisation once, runners first.
    other = next(o["id"] for o in data["organisationer"] if o["id"] not in insats.get("drivs_av", []))
    insats["drivs_av"] = insats.get("drivs_av", [])[:1] or [other]
    insats["finansieras_av"] = [other, insats["drivs_av"][0]] if other != insats["drivs_av"][0] else [other]
    data["organisationer"][0]["namn"] = "+" + HOSTILE_LINE
    data["organisationer"][0]["beskrivning"] = HOSTILE_TEXT
    data["overenskommelser"][0]["titel"] = "@" + HOSTILE_LINE
    data["behov"][0]["namn"] = "-" + HOSTILE_LINE
    data["ej_tackta_behov"][0]["beskrivning"] = HOSTILE_TEXT
    data["kommuner"][0]["namn"] = "=" + HOSTILE_LINE
    data["kallor"][0]["titel"] = "=" + HOSTILE_LINE
    return data


def test_hostile_text_comes_back_identical(tmp_path):
    raw = hostile_raw()
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    result = validate_text(text, "fientlig.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems][:5]  # the values really reach the build
    (tmp_path / "fientlig.yaml").write_text(text, encoding="utf-8")
    build_site(tmp_path / "fientlig.yaml", tmp_path / "site")
    api_dir = tmp_path / "site" / "api" / "v1"
    assert check_record_documents(api_dir, raw) == []
    insats = raw["insatser"][0]
    published = read(api_dir / "insatser" / f"{insats['id']}.json")["insats"]
    assert published["namn"] == HOSTILE_LINE and published["syfte"] == HOSTILE_TEXT
    assert published["kriterier"] == [HOSTILE_TEXT, "@" + HOSTILE_LINE]
    assert published["kontakter"][-2:] == [
        {"roll": "=" + HOSTILE_LINE, "telefontid": "-" + HOSTILE_LINE, "verifierad": None},
        {"roll": "Kontrollerad", "telefon": "0240-86 000", "verifierad": "2026-10-01"}]
    # Unverified contacts stay marked, as on the page ("Ej verifierad"); verified ones keep their date.
    for record in raw["insatser"]:
        shown = read(api_dir / "insatser" / f"{record['id']}.json")["insats"].get("kontakter", [])
        assert [c["verifierad"] for c in shown] == [c.get("verifierad") for c in record.get("kontakter", [])]
    lines = read(api_dir / "insatser.json")["insatser"]
    assert [line for line in lines if line["id"] == insats["id"]][0]["namn"] == HOSTILE_LINE
    assert lines == [expected_summary(by_id(raw, "insatser")[i]) for i in name_order(raw["insatser"])]
    kommun = raw["kommuner"][0]
    assert read(api_dir / "kommuner" / f"{kommun['id']}.json")["kommun"]["namn"] == "=" + HOSTILE_LINE
    for kommun in raw["kommuner"]:  # the measure without a kommun limit serves every kommun
        lines = read(api_dir / "kommuner" / f"{kommun['id']}.json")["insatser"]
        assert [line for line in lines if line["id"] == insats["id"]][0]["kommuner"] == []
    # The raw line separators are written as they are (valid JSON) and read back unchanged.
    assert "\u2028" in (api_dir / "insatser" / f"{insats['id']}.json").read_text(encoding="utf-8")


def test_text_that_validation_would_refuse_is_still_serialised_faithfully():
    """The serialiser does not rely on validation: '</script>' and a raw line break in a name survive."""
    catalogue = validate_file(DATA_FILE, TODAY).catalogue
    data = copy.deepcopy(dict(catalogue.data))
    data["insatser"] = [dict(i) for i in data["insatser"]]
    value = 'a </script><script>alert(1)</script> "q" ]]>\n=b\u2028'
    data["insatser"][0]["namn"] = value
    site = Site.build(Catalogue.from_data(data, "x.yaml"), TODAY)
    produced = api.files(site)
    identity = data["insatser"][0]["id"]
    assert json.loads(produced[f"api/v1/insatser/{identity}.json"])["insats"]["namn"] == value
    lines = json.loads(produced["api/v1/insatser.json"])["insatser"]
    assert next(line for line in lines if line["id"] == identity)["namn"] == value


# --- the Öppna data page ----------------------------------------------------------------------

def test_open_data_page_links_every_export_and_schema(built_site, raw):
    page = BeautifulSoup((built_site / "oppna-data" / "index.html").read_text(encoding="utf-8"), "html.parser")
    article = page.select_one("article")
    links = {a["href"] for a in article.select("a[href]")}
    targets = {str((Path("/oppna-data") / href).resolve()).lstrip("/") for href in links}
    for needed in ["api/v1/index.json", *(f"api/v1/schema/{name}.schema.json" for name in schemas()),
                   *OTHER_EXPORTS, "andringar", "schema/insatser.schema.json"]:
        assert needed in targets, needed
    for target in targets:
        if target.startswith("api/v1/") or target.startswith("schema/"):
            assert (built_site / target).is_file(), target
    # Every calendar the build publishes is linked, and every calendar link is a published file.
    linked = {t for t in targets if t.startswith("kalender/")}
    published = {str(path.relative_to(built_site)) for path in (built_site / "kalender").glob("*.ics")}
    assert linked == published and len(published) > 2
    text = article.get_text(" ")
    assert "Excel" in text and "semikolon" in text and "licens" in text and "id" in text
