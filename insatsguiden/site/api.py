"""The static JSON API under /api/v1/ (issue 12): documents and their JSON Schemas.

Every document is UTF-8 JSON with "version" and "byggdatum" (the build date). Record ids
are our own ids, so a link to /api/v1/insatser/<id>.json is as stable as the page address.
Lists are sorted by name (case-folded), then id; everything else keeps the data's order.

Paths inside documents: "url" is a page address relative to the site root (as on the
site), "dokument" and the links in index.json are relative to the api/v1/ folder, and
"andra_format" in index.json names the other exports relative to the site root.

At 5,000 insatser the per-kommun documents repeat the same summary lines many times, so
each summary line (and the guide data when it is shared) is serialised once and the
documents are joined from those strings.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..domain.guide import kommun_guide_data
from ..model.catalogue import Catalogue

if TYPE_CHECKING:
    from .render import Site

VERSION = "1"
ROOT = "api/v1/"
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema" / "api"

# The record kinds with a list document and one document per record:
# (section in the catalogue, folder under api/v1/, key of the record in its document).
KINDS = (
    ("insatser", "insatser", "insats"),
    ("organisationer", "organisationer", "organisation"),
    ("overenskommelser", "overenskommelser", "overenskommelse"),
    ("behov", "behov", "behov"),
    ("ej_tackta_behov", "ej-tackta-behov", "ej_tackt_behov"),
    ("beslut", "beslut", "beslut"),
)

# Exports built by the other open-data modules, linked from index.json (relative to the site root).
OTHER_FORMATS = {
    "hsds_tjanster": "hsds/services.json",
    "csv_insatser": "csv/insatser.csv",
    "csv_kontakter": "csv/kontakter.csv",
    "csv_granskning": "csv/granskning.csv",
    "kalender": "kalender/alla.ics",
    "andringar_atom": "andringar/feed.xml",
    "andringar_sida": "andringar/",
    "granskning_json": "granskning.json",
    "dataschema": "schema/insatser.schema.json",
    "oppna_data_sida": "oppna-data/",
}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sort_key(record: dict) -> tuple[str, str]:
    return ((record.get("namn") or record.get("titel") or record.get("fraga") or "").casefold(), record["id"])


def page_url(section: str, record_id: str) -> str:
    """The record's page on the site, relative to the site root."""
    return {
        "insatser": f"insatser/{record_id}/",
        "organisationer": f"organisationer/{record_id}/",
        "overenskommelser": f"overenskommelser/{record_id}/",
        "behov": f"behov/{record_id}/",
        "ej_tackta_behov": f"behov/#saknas-{record_id}",
        "beslut": f"beslut/{record_id}/",
    }[section]


def schema_path(name: str) -> str:
    """A schema's path relative to api/v1/."""
    return f"schema/{name}.schema.json"


# --- summary lines -----------------------------------------------------------------------

def summary_line(catalogue: Catalogue, insats: dict) -> dict:
    """One insats as the list and the per-kommun documents give it (the list page filters on these keys)."""
    target = insats["malgrupp"]
    organisations = list(dict.fromkeys([*insats.get("drivs_av", []), *insats.get("finansieras_av", [])]))
    return {
        "id": insats["id"],
        "namn": insats["namn"],
        "typ": insats["typ"],
        "kommuner": list(target.get("kommuner", [])),
        "behov": list(target.get("behov", [])),
        "intag": insats["intag"]["status"],
        "senast_granskad": insats["senast_granskad"]["datum"],
        "organisationer": organisations,
        "remittenter": list(insats["remiss"]["remittenter"]),
        "url": page_url("insatser", insats["id"]),
    }


def _list_line(section: str, folder: str, record: dict, catalogue: Catalogue) -> dict:
    """A line of the list documents of the other kinds: what identifies the record and where it is."""
    line: dict[str, Any] = {"id": record["id"]}
    if section == "organisationer":
        line.update(namn=record["namn"], typ=record["typ"], kortnamn=record.get("kortnamn"),
                    del_av=record.get("del_av"), kommun=record.get("kommun"))
    elif section == "overenskommelser":
        line.update(titel=record["titel"], status=record["status"], ansvarig=record["ansvarig"],
                    parter=list(record["parter"]))
    elif section == "behov":
        line.update(namn=record["namn"], insatser=len(catalogue.insatser_for_need(record["id"])))
    elif section == "ej_tackta_behov":
        line.update(namn=record["namn"], behov=list(record["behov"]), kommuner=list(record["kommuner"]))
    elif section == "beslut":
        line.update(fraga=record["fraga"], status=record["status"], beslutas_av=dict(record["beslutas_av"]), vackt=record["vackt"],
                    senast=record.get("senast"), nasta_avstamning=record.get("nasta_avstamning"),
                    insatser=list(record.get("insatser", [])), overenskommelser=list(record.get("overenskommelser", [])))
    line.update(url=page_url(section, record["id"]), dokument=f"{folder}/{record['id']}.json")
    return line


# --- whole records with their references resolved ------------------------------------------

class _Resolver:
    """Turns ids into {"id", "namn"/"titel", "url"} and source references into citation text."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def organisations(self, ids: list[str]) -> list[dict]:
        return [self.organisation(i) for i in ids]

    def organisation(self, identity: str) -> dict:
        return {"id": identity, "namn": self.catalogue.organisationer[identity]["namn"],
                "url": page_url("organisationer", identity)}

    def agreements(self, ids: list[str]) -> list[dict]:
        return [{"id": i, "titel": self.catalogue.overenskommelser[i]["titel"], "url": page_url("overenskommelser", i)}
                for i in ids]

    def needs(self, ids: list[str]) -> list[dict]:
        return [{"id": i, "namn": self.catalogue.behov[i]["namn"], "url": page_url("behov", i)} for i in ids]

    def insatser(self, ids: list[str]) -> list[dict]:
        return [{"id": i, "namn": self.catalogue.insatser[i]["namn"], "url": page_url("insatser", i)} for i in ids]

    def unmet(self, ids: list[str]) -> list[dict]:
        return [{"id": i, "namn": self.catalogue.ej_tackta_behov[i]["namn"], "url": page_url("ej_tackta_behov", i)}
                for i in ids]

    def kommuner(self, ids: list[str]) -> list[dict]:
        return [self.kommun(i) for i in ids]

    def kommun(self, identity: str) -> dict:
        return {"id": identity, "namn": self.catalogue.kommuner[identity]["namn"], "dokument": f"kommuner/{identity}.json"}

    def source(self, reference: dict) -> dict:
        resolved = {"hanvisning": self.catalogue.source_citation(reference)}
        if reference.get("avser"):
            resolved["avser"] = reference["avser"]
        return resolved

    def sources(self, references: list[dict]) -> list[dict]:
        return [self.source(r) for r in references]


def _with(record: dict, resolve: dict[str, Callable[[Any], Any]]) -> dict:
    """A copy of the record with the present fields in `resolve` replaced by their resolved form."""
    return {key: (resolve[key](value) if key in resolve else value) for key, value in record.items()}


def _contact(contact: dict) -> dict:
    # As on the page: a contact without a verification date is shown as "Ej verifierad"; here
    # "verifierad" is always present and null says the same.
    return {**contact, "verifierad": contact.get("verifierad")}


def resolved_insats(r: _Resolver, insats: dict) -> dict:
    condition = lambda c: _with(c, {"hanvisa_till": r.insatser, "kalla": r.source})  # noqa: E731
    record = _with(insats, {
        "malgrupp": lambda target: _with(target, {"behov": r.needs, "kommuner": r.kommuner}),
        "primart_for": r.needs,
        "villkor": lambda conditions: [condition(c) for c in conditions],
        "kontakter": lambda contacts: [_contact(c) for c in contacts],
        "drivs_av": r.organisations,
        "finansieras_av": r.organisations,
        "overenskommelser": r.agreements,
        "prova_forst": r.insatser,
        "kallor": r.sources,
        # Follow-up figures cite a source like every other field: its citation text, never a bare source id.
        "indikatorer": lambda indicators: [_with(i, {"kalla": r.source}) for i in indicators],
    })
    record["url"] = page_url("insatser", insats["id"])
    return record


def resolved_organisation(r: _Resolver, organisation: dict) -> dict:
    record = _with(organisation, {"del_av": r.organisation, "kommun": r.kommun, "kallor": r.sources})
    record["url"] = page_url("organisationer", organisation["id"])
    return record


def resolved_agreement(r: _Resolver, agreement: dict) -> dict:
    record = _with(agreement, {
        "parter": r.organisations,
        "ansvarig": r.organisation,
        "atagande": lambda items: [_with(item, {"part": r.organisation}) for item in items],
        "avvikelser": lambda items: [_with(item, {"kallor": r.sources}) for item in items],
        "kallor": r.sources,
    })
    record["url"] = page_url("overenskommelser", agreement["id"])
    return record


def resolved_need(r: _Resolver, need: dict) -> dict:
    return {**need, "url": page_url("behov", need["id"])}


def resolved_unmet(r: _Resolver, unmet: dict) -> dict:
    record = _with(unmet, {"behov": r.needs, "kommuner": r.kommuner, "kallor": r.sources})
    record["url"] = page_url("ej_tackta_behov", unmet["id"])
    return record


def resolved_decision(r: _Resolver, decision: dict) -> dict:
    """A decision as on its page. Its forvaltare is published as the data has it (role and GitHub account), like
    the insatser's and agreements'; the pages show the role only."""
    record = _with(decision, {
        "beslutas_av": lambda body: _with(body, {"organisation": r.organisation}),
        "insatser": r.insatser,
        "overenskommelser": r.agreements,
        "ej_tackta_behov": r.unmet,
        "kallor": r.sources,
    })
    record["url"] = page_url("beslut", decision["id"])
    return record


def site_section(catalogue: Catalogue) -> dict | None:
    """The webbplats section for index.json: the publisher as a link, the accessibility statement as written
    and the address of its page; null when the data has no webbplats section."""
    site = catalogue.site
    if not site:
        return None
    r = _Resolver(catalogue)
    section = _with(site, {"utgivare": r.organisation})
    section["tillganglighet_url"] = "tillganglighet/"
    return section


RESOLVERS = {
    "insatser": resolved_insats,
    "organisationer": resolved_organisation,
    "overenskommelser": resolved_agreement,
    "behov": resolved_need,
    "ej_tackta_behov": resolved_unmet,
    "beslut": resolved_decision,
}


# --- per kommun ---------------------------------------------------------------------------

def _kommun_documents(site: "Site", head: str, lines: dict[str, str], order: list[str]) -> dict[str, bytes]:
    catalogue = site.catalogue
    everywhere = {i for i in order if not catalogue.insatser[i]["malgrupp"].get("kommuner")}
    position = {identity: n for n, identity in enumerate(order)}
    per_kommun: dict[str, list[str]] = {k: [] for k in catalogue.kommuner}
    for insats in catalogue.insatser.values():
        for kommun_id in insats["malgrupp"].get("kommuner", []):
            per_kommun[kommun_id].append(insats["id"])
    has_guide = bool(catalogue.data.get("vagvisare"))
    documents = {}
    for kommun in catalogue.kommuner.values():
        forbund = catalogue.organisationer.get(kommun.get("samordningsforbund", ""))
        about = {"id": kommun["id"], "namn": kommun["namn"],
                 "samordningsforbund": {"id": forbund["id"], "namn": forbund["namn"]} if forbund else None}
        members = sorted(everywhere.union(per_kommun[kommun["id"]]), key=position.__getitem__)
        guide = _dumps(kommun_guide_data(site.guide, kommun["id"])) if has_guide else "null"
        text = (f'{head},"kommun":{_dumps(about)},"insatser":[{",".join(lines[i] for i in members)}],'
                f'"vagvisare":{guide}}}')
        documents[f"{ROOT}kommuner/{kommun['id']}.json"] = text.encode("utf-8")
    return documents


# --- schemas ------------------------------------------------------------------------------

def schema_names() -> list[str]:
    return sorted(path.name[: -len(".schema.json")] for path in SCHEMA_DIR.glob("*.schema.json"))


def _schema_files() -> dict[str, bytes]:
    return {f"{ROOT}{schema_path(name)}": (SCHEMA_DIR / f"{name}.schema.json").read_bytes() for name in schema_names()}


# --- all documents ------------------------------------------------------------------------

def files(site: "Site") -> dict[str, bytes]:
    """Published path (relative to the site root) -> bytes."""
    catalogue = site.catalogue
    built = site.today.isoformat()
    head = f'{{"version":"{VERSION}","byggdatum":"{built}"'
    resolver = _Resolver(catalogue)
    out: dict[str, bytes] = {}

    def document(key: str, body: str) -> bytes:
        return f'{head},"{key}":{body}}}'.encode("utf-8")

    counts = {}
    for section, folder, key in KINDS:
        records = sorted(getattr(catalogue, section).values(), key=_sort_key)
        counts[section] = len(records)
        if section == "insatser":
            lines = {r["id"]: _dumps(summary_line(catalogue, r)) for r in records}
            order = [r["id"] for r in records]
            out[f"{ROOT}insatser.json"] = document("insatser", "[" + ",".join(lines[i] for i in order) + "]")
        else:
            out[f"{ROOT}{folder}.json"] = document(
                section, _dumps([_list_line(section, folder, r, catalogue) for r in records]))
        for record in records:
            out[f"{ROOT}{folder}/{record['id']}.json"] = document(key, _dumps(RESOLVERS[section](resolver, record)))

    kommuner = sorted(catalogue.kommuner.values(), key=_sort_key)
    counts["kommuner"] = len(kommuner)
    has_guide = bool(catalogue.data.get("vagvisare"))
    kommun_lines = []
    for kommun in kommuner:
        forbund = kommun.get("samordningsforbund")
        kommun_lines.append({
            "id": kommun["id"], "namn": kommun["namn"], "lan": kommun["lan"],
            "samordningsforbund": resolver.organisation(forbund) if forbund in catalogue.organisationer else None,
            "vagvisare_url": f"vagvisare/{kommun['id']}/" if has_guide else None,
            "dokument": f"kommuner/{kommun['id']}.json",
        })
    out[f"{ROOT}kommuner.json"] = document("kommuner", _dumps(kommun_lines))
    out.update(_kommun_documents(site, head, lines, order))

    schemas = _schema_files()
    index = {
        "version": VERSION,
        "byggdatum": built,
        "antal": counts,
        "listor": {section: f"{folder}.json" for section, folder, _ in KINDS} | {"kommuner": "kommuner.json"},
        "poster": {section: f"{folder}/{{id}}.json" for section, folder, _ in KINDS} | {"kommuner": "kommuner/{id}.json"},
        "scheman": {path[len(ROOT + "schema/"): -len(".schema.json")]: path[len(ROOT):] for path in sorted(schemas)},
        "andra_format": dict(OTHER_FORMATS),
        "webbplats": site_section(catalogue),
    }
    out[f"{ROOT}index.json"] = (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    out.update(schemas)
    return out
