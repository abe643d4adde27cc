"""The HSDS 3.0 export (/hsds/): every document against the official schemas, the mapping against the data,
stable UUIDs, hostile text read back unchanged, and the files in the built site.

The schemas are the ones Open Referral publishes (vendored in tests/fixtures/hsds-3.0, CC BY-SA 4.0). The
split files (`service.json`, `phone.json`, …) refer to each other by relative `$ref`; they are registered
under the specification's own base address, so `referencing` resolves them as the compiled files and
openapi.json name them. The list documents are checked against the response schemas in openapi.json itself.
"""
import copy
import datetime as dt
import json
import re
import uuid
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import referencing
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing.jsonschema import DRAFT202012

from conftest import FIXTURES, ROOT, TODAY
from insatsguiden.model.catalogue import Catalogue
from insatsguiden.model.validate import validate_text
from insatsguiden.site import hsds
from insatsguiden.site.render import Site

VENDORED = FIXTURES / "hsds-3.0"
SHARED = ROOT.parent / "shared" / "hsds-3.0"
BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI = BASE + "openapi.json"
# The namespace every published id is derived from. Written out here on purpose: changing it in the module
# would change every id that others have stored.
NAMESPACE = uuid.UUID("522faf4c-2c3f-40e3-815b-3590aa7d531c")
PAGE_FIELDS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty"}
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


# --- the validator --------------------------------------------------------------------------------------------

def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and not re.search(r"\s", value)


def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def _is_date(value: str) -> bool:
    try:
        return bool(ISO_DATE.match(value)) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _datapackage_type(validator, kind, instance, schema):
    """HSDS marks dates with the Frictionless keyword only (`assured_date` has no `format`): check them too."""
    if not isinstance(instance, str):
        return
    if kind == "date" and not _is_date(instance):
        yield ValidationError(f"{instance!r} is not a date (YYYY-MM-DD)")
    elif kind == "datetime" and not _is_date_time(instance):
        yield ValidationError(f"{instance!r} is not a date-time")


def _known_properties(validator, properties, instance, schema):
    """The schema's own check, plus: an HSDS object (a schema with a `name`) has no field the schema lacks,
    so a misspelt field (`minimum_ages`) fails instead of passing silently."""
    yield from Draft202012Validator.VALIDATORS["properties"](validator, properties, instance, schema)
    if isinstance(instance, dict) and "name" in schema:
        for key in sorted(instance.keys() - properties.keys()):
            yield ValidationError(f"{key!r} is not a field of HSDS {schema['name']}")


HsdsValidator = jsonschema.validators.extend(
    Draft202012Validator, {"datapackage_type": _datapackage_type, "properties": _known_properties})


def _format_checker() -> FormatChecker:
    checker = FormatChecker()  # uuid, date, email, …; uri and date-time need packages we do not install
    checker.checks("uri")(_is_uri)
    checker.checks("date-time")(_is_date_time)
    return checker


@lru_cache(maxsize=None)
def registry(folder: Path = VENDORED) -> referencing.Registry:
    resources = []
    for path in sorted((folder / "schema").rglob("*.json")):
        address = BASE + path.relative_to(folder / "schema").as_posix()
        resources.append((address, DRAFT202012.create_resource(json.loads(path.read_text(encoding="utf-8")))))
    return referencing.Registry().with_resources(resources)


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_schema(path: str) -> str:
    """The address of the 200 response schema of an API path in openapi.json."""
    return OPENAPI + "#/" + _pointer("paths", path, "get", "responses", "200", "content", "application/json", "schema")


SCHEMAS = {
    "service": BASE + "service.json",
    "organization": BASE + "organization.json",
    "services": response_schema("/services"),
    "organizations": response_schema("/organizations"),
    "taxonomies": response_schema("/taxonomies"),
    "taxonomy_terms": response_schema("/taxonomy_terms"),
    "index": response_schema("/"),
}


def errors(document, kind: str, folder: Path = VENDORED, schema: dict | None = None) -> list[str]:
    validator = HsdsValidator(schema or {"$ref": SCHEMAS[kind]}, registry=registry(folder),
                              format_checker=_format_checker())
    found = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    if kind in ("services", "organizations", "taxonomies", "taxonomy_terms"):
        found += [f"not a field of the list shape: {key}" for key in document.keys() - PAGE_FIELDS - {"contents"}]
    return found


def organization_errors(document, folder: Path = VENDORED) -> list[str]:
    """/organizations/{id}: the organization with a `services` array of services (compiled organization)."""
    own = {key: value for key, value in document.items() if key != "services"}
    found = errors(own, "organization", folder)
    for position, service in enumerate(document.get("services", [])):
        found += [f"services/{position}/{problem}" for problem in errors(service, "service", folder)]
    return found


def kind_of(path: str) -> str:
    name = path.removeprefix("hsds/").removesuffix(".json")
    return {"services": "services", "organizations": "organizations", "taxonomies": "taxonomies",
            "taxonomy_terms": "taxonomy_terms", "index": "index"}.get(name) or name.split("/")[0]


def all_errors(files: dict[str, bytes]) -> dict[str, list[str]]:
    found = {}
    for path, raw in files.items():
        document = json.loads(raw)
        kind = kind_of(path)
        problems = (organization_errors(document) if kind == "organizations" and "/" in path.removeprefix("hsds/")
                    else errors(document, "service" if kind == "services" and "/" in path.removeprefix("hsds/") else kind))
        if problems:
            found[path] = problems
    return found


# --- data -----------------------------------------------------------------------------------------------------

class _Plain(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def export(catalogue: Catalogue) -> dict[str, bytes]:
    return hsds.files(Site.build(catalogue, TODAY))


def validated(data: dict) -> Catalogue:
    result = validate_text(yaml.dump(data, Dumper=_Plain, allow_unicode=True, sort_keys=False), "insatser.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    return result.catalogue


def plain(data) -> dict:
    return json.loads(json.dumps(data))


def services(files: dict[str, bytes]) -> dict[str, dict]:
    """Exported services by their name in the file (hsds/services/<uuid>.json)."""
    return {path: json.loads(raw) for path, raw in files.items() if path.startswith("hsds/services/")}


def service_of(files: dict[str, bytes], insats_id: str) -> dict:
    return json.loads(files[f"hsds/services/{uuid.uuid5(NAMESPACE, 'insats:' + insats_id)}.json"])


@pytest.fixture(scope="module")
def default_files(default_catalogue):
    return export(default_catalogue)


AGES = {"min": 18, "max": 64}
VERIFIED = {"roll": "Samordnare", "namn": "Anna Exempel", "telefon": "021-39 00 00", "epost": "samordnare@example.se",
            "telefontid": "Mån–fre 9–11", "webb": "https://example.se/insatsen", "verifierad": "2026-10-01"}
FORM = "https://example.se/remiss.pdf"
UNVERIFIED = {"roll": "Gammal växel", "telefon": "021-11 11 11", "epost": "gammal@example.se"}
# Names are one line (validation refuses line breaks, U+2028 included, in them); free text may have both.
HOSTILE = 'Citat "dubbla" och \'enkla\' ]]> =SUMMA(A1) +1 -1 @a \\ slut'
HOSTILE_TEXT = f"=HYPERLINK(\"x\") {HOSTILE}\u2028radavskiljare\nny rad\n\n]]>\n- punkt"


@pytest.fixture(scope="module")
def variant(default_catalogue):
    """The default data with known ages, contacts, kommuner, intake and hostile text (validated)."""
    data = plain(default_catalogue.data)
    by_id = {insats["id"]: insats for insats in data["insatser"]}
    team = by_id["samordningsteamet-vasteras"]
    team["malgrupp"]["alder"] = dict(AGES)
    team["kontakter"] = [dict(UNVERIFIED), dict(VERIFIED)]
    team["intag"]["bekraftad"] = "2026-10-01"
    team["remiss"]["blankett"] = FORM
    by_id["rehabteamet"]["malgrupp"]["alder"] = {"min": 20}
    del by_id["sip-samordnad-individuell-plan"]["malgrupp"]["kommuner"]
    by_id["ami-ludvika"]["intag"]["status"] = "pausad"
    by_id["ame-smedjebacken"]["intag"]["status"] = "vantelista"
    by_id["ame-smedjebacken"]["intag"]["bekraftad"] = "2026-10-01"
    hostile = by_id["evi-ludvika"]
    hostile["namn"] = HOSTILE
    hostile["syfte"] = HOSTILE_TEXT
    hostile["kriterier"] = [HOSTILE_TEXT, "Andra kriteriet"]
    hostile["kontakter"] = [{**VERIFIED, "roll": HOSTILE, "namn": HOSTILE}]
    data["organisationer"][0]["namn"] = HOSTILE
    data["behov"][0]["beskrivning"] = HOSTILE_TEXT
    catalogue = validated(data)
    return catalogue, export(catalogue)


# --- the vendored schemas -------------------------------------------------------------------------------------

def test_vendored_schemas_are_the_official_files():
    if not SHARED.exists():
        pytest.skip(f"{SHARED} saknas (ren klon): den vendorerade kopian kan inte jämföras")
    vendored = sorted(p.relative_to(VENDORED) for p in VENDORED.rglob("*") if p.is_file())
    assert {Path("LICENSE"), Path("README.md"), Path("schema/service.json"), Path("schema/openapi.json"),
            Path("schema/compiled/service_list.json")} <= set(vendored)
    for relative in vendored:
        assert (VENDORED / relative).read_bytes() == (SHARED / relative).read_bytes(), relative
    split = {p.name for p in (SHARED / "schema").glob("*.json")}
    assert split == {p.name for p in (VENDORED / "schema").glob("*.json")}, "every split schema file is vendored"


@pytest.mark.parametrize("change, words", [
    (lambda s: s.update(id="insats-1"), "is not a 'uuid'"),
    (lambda s: s.update(assured_date="2026-02-30"), "is not a date"),
    (lambda s: s.update(url="insatser/evi/"), "is not a 'uri'"),
    (lambda s: s.update(status="open"), "is not one of"),
    (lambda s: s.update(minimum_ages=18), "'minimum_ages' is not a field"),
    (lambda s: s["service_areas"].append({"name": "Ludvika"}), "'id' is a required property"),
    (lambda s: s["attributes"][0]["taxonomy_term"].update(id="behov:arbete"), "is not a 'uuid'"),
    (lambda s: s["organization"].update(website="www.example.se"), "is not a 'uri'"),
    (lambda s: s.pop("status"), "'status' is a required property"),
])
def test_the_validator_refuses_what_hsds_refuses(default_files, change, words):
    """The checks below can fail: a broken service is caught, with the reason."""
    service = copy.deepcopy(service_of(default_files, "rehabteamet"))
    assert errors(service, "service") == []
    change(service)
    assert any(words in problem for problem in errors(service, "service")), errors(service, "service")


def test_the_list_check_refuses_a_wrong_page_shape(default_files):
    listing = json.loads(default_files["hsds/services.json"])
    assert errors(listing, "services") == []
    assert errors({**listing, "total_items": "32"}, "services")
    assert errors({**listing, "page": 1}, "services") == ["not a field of the list shape: page"]
    broken = {**listing, "contents": [{**listing["contents"][0], "id": "rehabteamet"}]}
    assert any("is not a 'uuid'" in problem for problem in errors(broken, "services"))


# --- every document validates ---------------------------------------------------------------------------------

def test_every_document_of_the_default_data_validates(default_files):
    assert all_errors(default_files) == {}


def test_every_document_of_the_variant_validates(variant):
    assert all_errors(variant[1]) == {}


def test_every_document_validates_against_the_compiled_schemas_when_present(variant):
    """The API names compiled/service.json and compiled/organization.json (2–3 MB each, not vendored)."""
    if not SHARED.exists():
        pytest.skip(f"{SHARED} saknas (ren klon): de kompilerade schemana finns bara där")
    compiled = {kind: json.loads((SHARED / "schema" / "compiled" / f"{kind}.json").read_text(encoding="utf-8"))
                for kind in ("service", "organization")}
    for path, raw in variant[1].items():
        kind = kind_of(path)
        if "/" in path.removeprefix("hsds/") and kind in ("services", "organizations"):
            schema = compiled["service" if kind == "services" else "organization"]
            assert errors(json.loads(raw), "compiled", SHARED, schema=schema) == [], path


def test_the_index_answers_the_api_root_and_names_every_file(default_files, default_catalogue):
    index = json.loads(default_files["hsds/index.json"])
    assert index["version"] == "3.0" and index["build_date"] == TODAY.isoformat()
    assert index["counts"]["services"] == len(default_catalogue.insatser)
    assert index["counts"]["organizations"] == len(default_catalogue.organisationer)
    for name, pattern in index["files"].items():
        matching = [p for p in default_files if re.fullmatch("hsds/" + pattern.replace("{id}", "[0-9a-f-]{36}"), p)]
        assert matching, name


# --- the mapping ----------------------------------------------------------------------------------------------

def test_every_insats_and_organisation_appears_exactly_once(default_catalogue, default_files):
    listing = json.loads(default_files["hsds/services.json"])
    expected = {str(uuid.uuid5(NAMESPACE, f"insats:{i}")): record["namn"] for i, record in default_catalogue.insatser.items()}
    assert sorted(s["id"] for s in listing["contents"]) == sorted(expected)
    assert {s["id"]: s["name"] for s in listing["contents"]} == expected
    assert listing["total_items"] == listing["size"] == len(expected) and listing["total_pages"] == 1
    assert {p.removeprefix("hsds/services/").removesuffix(".json") for p in services(default_files)} == set(expected)
    for path, service in services(default_files).items():
        assert path == f"hsds/services/{service['id']}.json"

    organizations = json.loads(default_files["hsds/organizations.json"])
    expected = {str(uuid.uuid5(NAMESPACE, f"organisation:{o}")): record["namn"]
                for o, record in default_catalogue.organisationer.items()}
    assert sorted(o["id"] for o in organizations["contents"]) == sorted(expected)
    assert {o["id"]: o["name"] for o in organizations["contents"]} == expected
    assert {p for p in default_files if p.startswith("hsds/organizations/")} == {
        f"hsds/organizations/{identity}.json" for identity in expected}


def test_list_entries_are_the_one_to_one_fields_of_each_service(default_files):
    listing = json.loads(default_files["hsds/services.json"])
    for entry in listing["contents"]:
        full = json.loads(default_files[f"hsds/services/{entry['id']}.json"])
        assert entry == {key: value for key, value in full.items() if not isinstance(value, (list, dict))} | (
            {"organization": {k: v for k, v in full["organization"].items() if not isinstance(v, (list, dict))}}
            if "organization" in full else {})


def test_runners_funders_and_organisation_services(default_catalogue, default_files):
    for insats in default_catalogue.insatser.values():
        service = service_of(default_files, insats["id"])
        runners = insats.get("drivs_av", [])
        if runners:
            assert service["organization_id"] == str(uuid.uuid5(NAMESPACE, f"organisation:{runners[0]}"))
            assert service["organization"]["name"] == default_catalogue.organisationer[runners[0]]["namn"]
        else:
            assert "organization_id" not in service and "organization" not in service
        assert [f["source"] for f in service["funding"]] == [
            default_catalogue.organisationer[o]["namn"] for o in insats.get("finansieras_av", [])]
        for runner in runners:
            organization = json.loads(default_files[f"hsds/organizations/{uuid.uuid5(NAMESPACE, 'organisation:' + runner)}.json"])
            assert [s["id"] for s in organization["services"]].count(service["id"]) == 1
    shared = [i for i in default_catalogue.insatser.values() if len(i.get("drivs_av", [])) > 1]
    assert shared, "the default data has a measure with more than one runner"
    for insats in shared:
        description = service_of(default_files, insats["id"])["description"]
        assert all(default_catalogue.organisationer[o]["namn"] in description for o in insats["drivs_av"])


def test_parent_organisations_and_switchboards(default_catalogue, default_files):
    units = [o for o in default_catalogue.organisationer.values() if o.get("del_av")]
    assert units
    for unit in units:
        organization = json.loads(default_files[f"hsds/organizations/{uuid.uuid5(NAMESPACE, 'organisation:' + unit['id'])}.json"])
        assert organization["parent_organization_id"] == str(uuid.uuid5(NAMESPACE, f"organisation:{unit['del_av']}"))


def test_ages_become_minimum_and_maximum_age(variant):
    catalogue, files = variant
    team = service_of(files, "samordningsteamet-vasteras")
    assert (team["minimum_age"], team["maximum_age"]) == (AGES["min"], AGES["max"])
    rehab = service_of(files, "rehabteamet")
    assert rehab["minimum_age"] == 20 and "maximum_age" not in rehab
    for insats in catalogue.insatser.values():
        if not insats["malgrupp"].get("alder"):
            service = service_of(files, insats["id"])
            assert "minimum_age" not in service and "maximum_age" not in service


def test_only_verified_contacts_are_exported(variant):
    catalogue, files = variant
    team = service_of(files, "samordningsteamet-vasteras")
    raw = files[f"hsds/services/{team['id']}.json"].decode("utf-8")
    assert UNVERIFIED["telefon"] not in raw and UNVERIFIED["epost"] not in raw and UNVERIFIED["roll"] not in raw
    [contact] = team["contacts"]
    assert (contact["title"], contact["name"], contact["email"]) == (VERIFIED["roll"], VERIFIED["namn"], VERIFIED["epost"])
    [phone] = team["phones"]
    assert phone["number"] == VERIFIED["telefon"] and phone["contact_id"] == contact["id"]
    assert VERIFIED["telefontid"] in phone["description"]
    assert team["email"] == VERIFIED["epost"] and team["url"] == VERIFIED["webb"]
    # The default data verifies no contact: nothing is exported from it.
    for insats in catalogue.insatser.values():
        if not any(c.get("verifierad") for c in insats.get("kontakter", [])):
            service = service_of(files, insats["id"])
            assert service["contacts"] == [] and service["phones"] == [] and "email" not in service


def test_kommuner_become_service_areas_and_no_limit_means_every_kommun(variant):
    catalogue, files = variant
    names = {k["id"]: k["namn"] for k in catalogue.kommuner.values()}
    for insats in catalogue.insatser.values():
        areas = service_of(files, insats["id"])["service_areas"]
        expected = insats["malgrupp"].get("kommuner") or list(names)
        assert [a["name"] for a in areas] == [names[k] for k in expected]
    everywhere = service_of(files, "sip-samordnad-individuell-plan")["service_areas"]
    assert len(everywhere) == len(names) and all("Ingen kommungräns" in a["description"] for a in everywhere)


def test_criteria_and_exclusions_become_the_eligibility_description(default_catalogue, default_files):
    insats = default_catalogue.insatser["samordningsteamet-vasteras"]
    assert insats["kriterier"] and insats["uteslutningsgrunder"]
    text = service_of(default_files, insats["id"])["eligibility_description"]
    assert insats["malgrupp"]["beskrivning"] in text
    for line in insats["kriterier"] + insats["uteslutningsgrunder"]:
        assert f"- {line}" in text
    assert text.index("Kriterier:") < text.index("Uteslutningsgrunder:")


def test_referral_becomes_the_application_process(variant):
    catalogue, files = variant
    referral = catalogue.insatser["samordningsteamet-vasteras"]["remiss"]
    text = service_of(files, "samordningsteamet-vasteras")["application_process"]
    for number, step in enumerate(referral.get("steg", []), 1):
        assert f"{number}. {step}" in text
    for referrer in referral["remittenter"]:
        assert catalogue.label("remittent", referrer) in text
    assert f"Remissblankett: {FORM}" in text
    assert ("Personen kan själv ansöka" in text) == referral["egen_ansokan"]


def test_review_date_becomes_assured_date(default_catalogue, default_files):
    for insats in default_catalogue.insatser.values():
        assert service_of(default_files, insats["id"])["assured_date"] == insats["senast_granskad"]["datum"]


@pytest.mark.parametrize("insats_id, status, intake", [
    ("samordningsteamet-vasteras", "active", "oppen"),
    ("ame-smedjebacken", "active", "vantelista"),
    ("ami-ludvika", "temporarily closed", "pausad"),
    ("uma", "temporarily closed", "stangd"),
    ("finsam-team-vasteras", "inactive", "stangd"),   # a proposed measure has not started
])
def test_intake_becomes_status_with_our_status_as_an_attribute(variant, insats_id, status, intake):
    catalogue, files = variant
    service = service_of(files, insats_id)
    assert catalogue.insatser[insats_id]["intag"]["status"] == intake
    assert service["status"] == status
    [term] = [a["taxonomy_term"] for a in service["attributes"] if a["taxonomy_term"]["taxonomy"] == "insatsguiden-intag"]
    assert term["code"] == intake
    if intake != "oppen":
        assert catalogue.label("intagsstatus", intake) in service["alert"]


def test_ended_measures_are_defunct(default_catalogue):
    data = plain(default_catalogue.data)
    insats = next(i for i in data["insatser"] if i["id"] == "ami-ludvika")
    insats["typ"] = "avslutad"
    insats["intag"]["status"] = "avslutad"
    insats["period"] = {"start": "2015", "slut": "2020-10-31"}
    insats.pop("villkor", None)
    catalogue = Catalogue.from_data(data, "insatser.yaml")
    assert service_of(export(catalogue), "ami-ludvika")["status"] == "defunct"


def test_unconfirmed_intake_is_said_and_confirmed_is_not(variant):
    catalogue, files = variant
    team = service_of(files, "samordningsteamet-vasteras")   # confirmed 2026-10-01
    assert "alert" not in team
    assert all("value" not in a for a in team["attributes"] if a["taxonomy_term"]["taxonomy"] == "insatsguiden-intag")
    stale = service_of(files, "vbu-vuxenutbildning")          # never confirmed in the data
    assert "bekraftad" not in catalogue.insatser["vbu-vuxenutbildning"]["intag"]
    assert "obekräftad" in stale["alert"]
    assert [a.get("value") for a in stale["attributes"]
            if a["taxonomy_term"]["taxonomy"] == "insatsguiden-intag"] == ["obekraftad"]


def test_needs_are_a_taxonomy_attached_through_attributes(default_catalogue, default_files):
    taxonomies = {t["name"]: t for t in json.loads(default_files["hsds/taxonomies.json"])["contents"]}
    needs = taxonomies["insatsguiden-behov"]
    terms = {t["id"]: t for t in json.loads(default_files["hsds/taxonomy_terms.json"])["contents"]}
    need_terms = {t["code"]: t for t in terms.values() if t["taxonomy_id"] == needs["id"]}
    assert {code: t["name"] for code, t in need_terms.items()} == {b: r["namn"] for b, r in default_catalogue.behov.items()}
    for code, term in need_terms.items():
        assert term["id"] == str(uuid.uuid5(NAMESPACE, f"behov:{code}"))
    for insats in default_catalogue.insatser.values():
        service = service_of(default_files, insats["id"])
        attached = [a for a in service["attributes"] if a["taxonomy_term"]["taxonomy_id"] == needs["id"]]
        assert [a["taxonomy_term"]["code"] for a in attached] == insats["malgrupp"]["behov"]
        for attribute in service["attributes"]:
            assert attribute["link_id"] == service["id"] and attribute["link_entity"] == "service"
            assert terms[attribute["taxonomy_term_id"]] == attribute["taxonomy_term"]
        primary = set(insats.get("primart_for", []))
        assert {a["taxonomy_term"]["code"] for a in attached if a.get("value") == "primart"} == primary


# --- ids ------------------------------------------------------------------------------------------------------

def _objects(node, found):
    """Every object with an id in a document, by the id."""
    if isinstance(node, dict):
        if "id" in node:
            found.setdefault(node["id"], []).append(node)
        for value in node.values():
            _objects(value, found)
    elif isinstance(node, list):
        for value in node:
            _objects(value, found)
    return found


def _part_ids(files: dict[str, bytes]) -> list[str]:
    """Ids of the parts of every service (areas, contacts, phones, funding, attributes)."""
    parts: list[str] = []
    for path, raw in files.items():
        if path.startswith("hsds/services/"):
            service = json.loads(raw)
            for field in ("service_areas", "contacts", "phones", "funding", "attributes"):
                parts += [part["id"] for part in service[field]]
    return parts


def test_ids_are_stable_between_builds_and_unique(default_catalogue, variant):
    text = (ROOT / "data" / "insatser.yaml").read_text(encoding="utf-8")
    first = export(validate_text(text, "insatser.yaml", TODAY).catalogue)
    second = export(validate_text(text, "insatser.yaml", TODAY).catalogue)
    assert first == second
    # Every id names one thing: the same id anywhere in the export is the same object.
    found: dict[str, list] = {}
    for raw in first.values():
        _objects(json.loads(raw), found)
    for identity, objects in found.items():
        assert uuid.UUID(identity).version == 5, identity
        names = {o.get("name") for o in objects}
        assert len(names) == 1, (identity, names)
    services_ids = [json.loads(raw)["id"] for path, raw in first.items() if path.startswith("hsds/services/")]
    assert len(set(services_ids)) == len(services_ids) == len(default_catalogue.insatser)
    # The parts of a service (areas, contacts, phones, funding, attributes) belong to it alone; only the
    # organization and the taxonomy terms are shared between services.
    for parts in (_part_ids(first), _part_ids(variant[1])):
        assert parts and len(set(parts)) == len(parts)
    assert {s["contacts"][0]["id"] for s in services(variant[1]).values() if s["contacts"]} <= set(_part_ids(variant[1]))


def test_ids_follow_our_records_not_their_order(default_catalogue, default_files):
    data = plain(default_catalogue.data)
    data["insatser"].reverse()
    data["organisationer"].reverse()
    reordered = export(Catalogue.from_data(data, "insatser.yaml"))
    assert set(reordered) == set(default_files)
    for path in default_files:
        if path.startswith("hsds/services/"):
            assert json.loads(reordered[path]) == json.loads(default_files[path]), path
        elif path.startswith("hsds/organizations/"):
            before, after = json.loads(default_files[path]), json.loads(reordered[path])
            assert sorted(after.pop("services"), key=str) == sorted(before.pop("services"), key=str)
            assert after == before, path


# --- hostile text ---------------------------------------------------------------------------------------------

def test_hostile_text_reads_back_unchanged(variant):
    catalogue, files = variant
    service = service_of(files, "evi-ludvika")
    assert service["name"] == HOSTILE
    assert service["description"].startswith(HOSTILE_TEXT + "\n\n")
    assert f"- {HOSTILE_TEXT}" in service["eligibility_description"]
    assert service["contacts"][0]["title"] == HOSTILE and service["contacts"][0]["name"] == HOSTILE
    first_organisation = catalogue.data["organisationer"][0]["id"]
    organization = json.loads(files[f"hsds/organizations/{uuid.uuid5(NAMESPACE, 'organisation:' + first_organisation)}.json"])
    assert organization["name"] == HOSTILE
    first_need = catalogue.data["behov"][0]["id"]
    [term] = [t for t in json.loads(files["hsds/taxonomy_terms.json"])["contents"] if t["id"] == str(uuid.uuid5(NAMESPACE, f"behov:{first_need}"))]
    assert term["description"] == HOSTILE_TEXT
    listing = {s["id"]: s for s in json.loads(files["hsds/services.json"])["contents"]}
    assert listing[service["id"]]["name"] == HOSTILE


def test_text_validation_would_refuse_still_reads_back(default_catalogue):
    """</script> and a NUL never pass validation; the export does not rely on that."""
    data = plain(default_catalogue.data)
    nasty = '</script><script>alert("x")</script> \u2028\u2029 \x00 "\\ ]]> \ud7ff'
    insats = next(i for i in data["insatser"] if i["id"] == "rehabteamet")
    insats["namn"] = nasty
    insats["malgrupp"]["beskrivning"] = nasty
    files = export(Catalogue.from_data(data, "insatser.yaml"))
    service = service_of(files, "rehabteamet")
    assert service["name"] == nasty and service["eligibility_description"].startswith(nasty)
    assert errors(service, "service") == []


def test_documents_are_compact_utf8(default_files):
    raw = default_files["hsds/services.json"]
    assert "Västerås".encode("utf-8") in raw and b"\\u00e4" not in raw
    assert b'", "' not in raw and b'": ' not in raw


# --- the built site -------------------------------------------------------------------------------------------

def test_the_built_site_publishes_the_export(built_site, default_files):
    published = {p.relative_to(built_site).as_posix() for p in (built_site / "hsds").rglob("*") if p.is_file()}
    assert published == set(default_files)
    for path, raw in default_files.items():
        assert (built_site / path).read_bytes() == raw, path
