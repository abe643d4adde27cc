"""The Open Referral HSDS 3.0 export under /hsds/ (issue 12).

The documents follow the HSDS 3.0 API (`openapi.json` of the specification):
`services/<uuid>.json` is a fully nested service (the compiled `service` schema),
`organizations/<uuid>.json` a nested organization with its services in short,
and `services.json`, `organizations.json`, `taxonomies.json` and
`taxonomy_terms.json` are paginated lists (`total_items` … `contents`). A static
site cannot answer `?page=2`, so every list is one page holding everything: an
HSDS client reads `total_pages: 1` and stops instead of fetching page 1 again
and again. `index.json` answers the API's `/` (the HSDS version) and names the
files.

HSDS ids are UUIDs: uuid5 of one namespace of ours and a string naming the
record ("insats:<id>", "organisation:<id>", "behov:<id>", "kommun:<id>", …), so
the same data gives the same ids in every build. Everything is computed once
per build and written compactly; the README has the mapping as a table.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Any

from ..model.catalogue import Catalogue
from ..model.schema import vocabulary

if TYPE_CHECKING:
    from .render import Site

HSDS_VERSION = "3.0"
# Never change: every published HSDS id is derived from it.
NAMESPACE = uuid.UUID("522faf4c-2c3f-40e3-815b-3590aa7d531c")
FOLDER = "hsds"
LANGUAGE = "sv"

# Our intake status -> HSDS service status (enum: active, inactive, defunct, temporarily closed).
STATUS_OF_INTAKE = {"oppen": "active", "vantelista": "active", "stangd": "temporarily closed",
                    "pausad": "temporarily closed", "avslutad": "defunct"}
# Kinds that decide the status on their own, whatever the intake says.
STATUS_OF_KIND = {"avslutad": "defunct", "foreslagen": "inactive"}
OPEN_INTAKE = ("oppen",)

# Our taxonomies: name -> (link_type on attributes, Swedish description, what the terms are: the catalogue's
# needs, or a vocabulary of the schema). A term's id is hsds_id(<what>, <code>), e.g. "behov:arbete".
TAXONOMIES = {
    "insatsguiden-behov": ("need", "Behov som insatser i Insatsguiden möter (behovslistan i data/insatser.yaml).", "behov"),
    "insatsguiden-insatstyp": ("kind", "Vilken sorts insats det är i Insatsguiden.", "insatstyp"),
    "insatsguiden-intag": ("intake_status", "Om insatsen tar emot nya deltagare, som Insatsguiden anger det.",
                           "intagsstatus"),
    "insatsguiden-organisationstyp": ("organization_type", "Vilken sorts organisation det är i Insatsguiden.",
                                      "organisationstyp"),
}


_NAMESPACE_HASH = hashlib.sha1(NAMESPACE.bytes, usedforsecurity=False)


def hsds_id(kind: str, identity: str) -> str:
    """The stable HSDS id of one of our records, e.g. hsds_id("insats", "evi-ludvika").

    Exactly uuid.uuid5(NAMESPACE, f"{kind}:{identity}") (RFC 4122 name-based, SHA-1; the tests compare), written
    out because building UUID objects was half the export's time at 5,000 insatser."""
    digest = _NAMESPACE_HASH.copy()
    digest.update(f"{kind}:{identity}".encode("utf-8"))
    raw = bytearray(digest.digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50   # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80   # RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _page(contents: list[dict]) -> dict:
    """The HSDS list shape (openapi.json, components/schemas/Page + contents), all on one page."""
    return {"total_items": len(contents), "total_pages": 1, "page_number": 1, "size": len(contents),
            "first_page": True, "last_page": True, "empty": not contents, "contents": contents}


def _list_text(heading: str, items: list[str]) -> str:
    return heading + "\n" + "\n".join(f"- {item}" for item in items)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


class Export:
    """The HSDS documents of one catalogue on one build date."""

    def __init__(self, catalogue: Catalogue, unconfirmed_intake: set[str]):
        self.catalogue = catalogue
        self.unconfirmed_intake = unconfirmed_intake
        self.taxonomies = {name: {"id": hsds_id("taxonomi", name), "name": name, "description": description,
                                  "version": "1"}
                           for name, (_, description, _) in TAXONOMIES.items()}
        self.terms = {name: self._terms_of(name) for name in TAXONOMIES}
        self.organizations = {identity: self._organization(record) for identity, record in catalogue.organisationer.items()}

    # --- taxonomies -------------------------------------------------------------------------------------------
    def _terms_of(self, taxonomy: str) -> dict[str, dict]:
        kind = TAXONOMIES[taxonomy][2]
        if kind == "behov":
            values = {need["id"]: (need["namn"], need["beskrivning"]) for need in self.catalogue.behov.values()}
        else:
            values = {value: (meta["title"], meta["description"]) for value, meta in vocabulary(kind).items()}
        return {code: {"id": hsds_id(kind, code), "code": code, "name": name, "description": description,
                       "taxonomy": taxonomy, "taxonomy_id": self.taxonomies[taxonomy]["id"], "language": LANGUAGE}
                for code, (name, description) in values.items()}

    def _attribute(self, taxonomy: str, code: str, link_kind: str, link_entity: str, link_id: str,
                   value: str | None = None) -> dict:
        term = self.terms[taxonomy][code]
        attribute = {"id": hsds_id("attribut", f"{link_kind}:{link_id}:{taxonomy}:{code}"), "link_id": link_id,
                     "taxonomy_term_id": term["id"], "link_type": TAXONOMIES[taxonomy][0], "link_entity": link_entity}
        if value is not None:
            attribute["value"] = value
        attribute["taxonomy_term"] = term
        return attribute

    # --- organizations ----------------------------------------------------------------------------------------
    def _organization(self, record: dict) -> dict:
        identity = hsds_id("organisation", record["id"])
        kind = vocabulary("organisationstyp")[record["typ"]]["title"]
        parent = self.catalogue.organisationer.get(record.get("del_av") or "")
        description = record.get("beskrivning") or (f"{kind}, del av {parent['namn']}." if parent else f"{kind}.")
        organization: dict[str, Any] = {"id": identity, "name": record["namn"]}
        if record.get("kortnamn"):
            organization["alternate_name"] = record["kortnamn"]
        organization["description"] = description
        if record.get("webb"):
            organization["website"] = record["webb"]
        if parent:
            organization["parent_organization_id"] = hsds_id("organisation", parent["id"])
        if record.get("vaxel"):
            organization["phones"] = [{"id": hsds_id("telefon", f"organisation:{record['id']}"), "organization_id": identity,
                                       "number": record["vaxel"], "type": "voice", "description": "Växel"}]
        organization["attributes"] = [self._attribute("insatsguiden-organisationstyp", record["typ"], "organisation",
                                                      "organization", identity)]
        return organization

    @staticmethod
    def _one_to_one(document: dict) -> dict:
        """Only the fields that are not lists or nested objects (the `_list` schemas)."""
        return {key: value for key, value in document.items() if not isinstance(value, (list, dict))}

    # --- services ---------------------------------------------------------------------------------------------
    def status(self, insats: dict) -> str:
        return STATUS_OF_KIND.get(insats["typ"]) or STATUS_OF_INTAKE[insats["intag"]["status"]]

    def _alert(self, insats: dict) -> str | None:
        intake = insats["intag"]
        parts = []
        if intake["status"] not in OPEN_INTAKE or insats["typ"] in STATUS_OF_KIND:
            label = vocabulary("intagsstatus")[intake["status"]]["title"]
            parts.append(f"Intag: {label}" + (f" sedan {intake['sedan']}." if intake.get("sedan") else "."))
            if intake.get("anteckning"):
                parts.append(intake["anteckning"])
        if insats["id"] in self.unconfirmed_intake:
            confirmed = intake.get("bekraftad")
            parts.append("Intagsstatusen är obekräftad" + (f": senast bekräftad {confirmed}." if confirmed else "."))
        return " ".join(parts) or None

    def _eligibility(self, insats: dict) -> str:
        parts = [insats["malgrupp"]["beskrivning"]]
        if insats.get("kriterier"):
            parts.append(_list_text("Kriterier:", insats["kriterier"]))
        if insats.get("uteslutningsgrunder"):
            parts.append(_list_text("Uteslutningsgrunder:", insats["uteslutningsgrunder"]))
        return "\n\n".join(parts)

    def _application_process(self, insats: dict) -> str:
        referral = insats["remiss"]
        parts = []
        if referral.get("steg"):
            parts.append("\n".join(f"{number}. {step}" for number, step in enumerate(referral["steg"], 1)))
        referrers = [vocabulary("remittent")[value]["title"] for value in referral["remittenter"]]
        if referrers:
            parts.append(f"Får remittera: {_names(referrers)}.")
        parts.append("Personen kan själv ansöka eller ta kontakt." if referral["egen_ansokan"]
                     else "Personen kan inte själv ansöka.")
        if referral.get("blankett"):
            parts.append(f"Remissblankett: {referral['blankett']}")
        if referral.get("kontakta_innan"):
            parts.append("Kontakta insatsen innan du remitterar.")
        if referral.get("anteckning"):
            parts.append(referral["anteckning"])
        return "\n\n".join(parts)

    def _service_areas(self, insats: dict, service_id: str) -> list[dict]:
        limited = insats["malgrupp"].get("kommuner")
        kommuner = [self.catalogue.kommuner[k] for k in limited] if limited else list(self.catalogue.kommuner.values())
        areas = []
        for kommun in kommuner:
            description = (f"Invånare i {kommun['namn']} ({kommun['lan']})." if limited else
                           f"Ingen kommungräns: insatsen gäller i hela området, här {kommun['namn']} ({kommun['lan']}).")
            areas.append({"id": hsds_id("omrade", f"{insats['id']}:{kommun['id']}"), "service_id": service_id,
                          "name": kommun["namn"], "description": description,
                          "uri": f"urn:insatsguiden:kommun:{hsds_id('kommun', kommun['id'])}"})
        return areas

    def _contacts(self, insats: dict, service_id: str) -> tuple[list[dict], list[dict]]:
        """Verified contacts only (the site marks the others 'Ej verifierad'); their phones at the service."""
        contacts, phones = [], []
        for position, contact in enumerate(insats.get("kontakter", [])):
            if not contact.get("verifierad"):
                continue
            contact_id = hsds_id("kontakt", f"{insats['id']}:{position}")
            exported = {"id": contact_id, "service_id": service_id}
            if contact.get("namn"):
                exported["name"] = contact["namn"]
            exported["title"] = contact["roll"]
            if contact.get("epost"):
                exported["email"] = contact["epost"]
            contacts.append(exported)
            if contact.get("telefon"):
                phone = {"id": hsds_id("telefon", f"{insats['id']}:{position}"), "service_id": service_id,
                         "contact_id": contact_id, "number": contact["telefon"], "type": "voice",
                         "description": contact["roll"] + (f" ({contact['telefontid']})" if contact.get("telefontid") else "")}
                phones.append(phone)
        return contacts, phones

    def service(self, insats: dict) -> dict:
        service_id = hsds_id("insats", insats["id"])
        runners = [self.catalogue.organisationer[o] for o in insats.get("drivs_av", [])]
        service: dict[str, Any] = {"id": service_id}
        if runners:
            service["organization_id"] = hsds_id("organisation", runners[0]["id"])
        service["name"] = insats["namn"]
        if insats.get("kortnamn"):
            service["alternate_name"] = insats["kortnamn"]
        description = [insats["syfte"]] + ([insats["beskrivning"]] if insats.get("beskrivning") else [])
        if len(runners) > 1:
            description.append(f"Drivs av {_names([o['namn'] for o in runners])}.")
        service["description"] = "\n\n".join(description)
        verified = [c for c in insats.get("kontakter", []) if c.get("verifierad")]
        web = next((c["webb"] for c in verified if c.get("webb")), None)
        if web:
            service["url"] = web
        email = next((c["epost"] for c in verified if c.get("epost")), None)
        if email:
            service["email"] = email
        service["status"] = self.status(insats)
        service["application_process"] = self._application_process(insats)
        service["eligibility_description"] = self._eligibility(insats)
        age = insats["malgrupp"].get("alder") or {}
        if "min" in age:
            service["minimum_age"] = age["min"]
        if "max" in age:
            service["maximum_age"] = age["max"]
        service["assured_date"] = insats["senast_granskad"]["datum"]
        alert = self._alert(insats)
        if alert:
            service["alert"] = alert
        contacts, phones = self._contacts(insats, service_id)
        service["phones"] = phones
        service["service_areas"] = self._service_areas(insats, service_id)
        if runners:
            service["organization"] = self.organizations[runners[0]["id"]]
        service["funding"] = [{"id": hsds_id("finansiering", f"{insats['id']}:{funder}"), "service_id": service_id,
                               "source": self.catalogue.organisationer[funder]["namn"]}
                              for funder in insats.get("finansieras_av", [])]
        service["contacts"] = contacts
        primary = set(insats.get("primart_for", []))
        service["attributes"] = (
            [self._attribute("insatsguiden-behov", need, "insats", "service", service_id,
                             "primart" if need in primary else None) for need in insats["malgrupp"].get("behov", [])]
            + [self._attribute("insatsguiden-insatstyp", insats["typ"], "insats", "service", service_id),
               self._attribute("insatsguiden-intag", insats["intag"]["status"], "insats", "service", service_id,
                               "obekraftad" if insats["id"] in self.unconfirmed_intake else None)])
        return service

    # --- files ------------------------------------------------------------------------------------------------
    def files(self, today: str) -> dict[str, bytes]:
        published: dict[str, bytes] = {}
        listed_services = []
        services_of: dict[str, list[dict]] = {identity: [] for identity in self.catalogue.organisationer}
        for insats in self.catalogue.insatser.values():
            service = self.service(insats)
            published[f"{FOLDER}/services/{service['id']}.json"] = _dumps(service)
            listed = self._one_to_one(service)
            if "organization" in service:
                listed["organization"] = self._one_to_one(service["organization"])
            listed_services.append(listed)
            short = {"id": service["id"], "name": service["name"], "status": service["status"]}
            for runner in insats.get("drivs_av", []):
                services_of[runner].append({**short, "organization_id": service["organization_id"]})
        listed_organizations = []
        for identity, organization in self.organizations.items():
            published[f"{FOLDER}/organizations/{organization['id']}.json"] = _dumps(
                {**organization, "services": services_of[identity]})
            listed_organizations.append(self._one_to_one(organization))
        terms = [term for by_code in self.terms.values() for term in by_code.values()]
        published[f"{FOLDER}/services.json"] = _dumps(_page(listed_services))
        published[f"{FOLDER}/organizations.json"] = _dumps(_page(listed_organizations))
        published[f"{FOLDER}/taxonomies.json"] = _dumps(_page(list(self.taxonomies.values())))
        published[f"{FOLDER}/taxonomy_terms.json"] = _dumps(_page(terms))
        published[f"{FOLDER}/index.json"] = _dumps({
            "version": HSDS_VERSION,
            "build_date": today,
            "language": LANGUAGE,
            "specification": "Human Services Data Specification 3.0, Open Referral (https://openreferral.org/)",
            "counts": {"services": len(listed_services), "organizations": len(listed_organizations),
                       "taxonomies": len(self.taxonomies), "taxonomy_terms": len(terms)},
            "files": {"services": "services.json", "service": "services/{id}.json",
                      "organizations": "organizations.json", "organization": "organizations/{id}.json",
                      "taxonomies": "taxonomies.json", "taxonomy_terms": "taxonomy_terms.json"},
        })
        return published


def files(site: "Site") -> dict[str, bytes]:
    """Published path (relative to the site root) -> bytes."""
    return Export(site.catalogue, site.unconfirmed_intake).files(site.today.isoformat())
