"""The validated catalogue: records by id, labels, and the relations between them.

Records stay the plain mappings the schema describes (the schema is the one
definition of their fields); this class adds indexes and the derived views
that pages, the guide and the reports share.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import schema

# Values the code treats specially. A test checks they exist in the schema.
ORDINARY_KIND = "ordinarie"
REFERABLE_KINDS = ("ordinarie", "samordnad", "projekt")
OPEN_INTAKE = ("oppen", "vantelista")
KIND_ORDER = ("ordinarie", "samordnad", "projekt", "foreslagen", "avslutad")


@dataclass
class Catalogue:
    data: dict
    filename: str
    insatser: dict[str, dict] = field(default_factory=dict)
    organisationer: dict[str, dict] = field(default_factory=dict)
    overenskommelser: dict[str, dict] = field(default_factory=dict)
    behov: dict[str, dict] = field(default_factory=dict)
    kommuner: dict[str, dict] = field(default_factory=dict)
    kallor: dict[str, dict] = field(default_factory=dict)
    ej_tackta_behov: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: dict, filename: str) -> "Catalogue":
        catalogue = cls(data=data, filename=filename)
        for section in ("insatser", "organisationer", "overenskommelser", "behov", "kommuner", "kallor", "ej_tackta_behov"):
            setattr(catalogue, section, {record["id"]: record for record in data[section]})
        return catalogue

    @property
    def settings(self) -> dict:
        return self.data.get("installningar", {})

    # Labels come from the schema, the one place where allowed values are defined.
    @staticmethod
    def label(vocabulary: str, value: str) -> str:
        return schema.labels(vocabulary).get(value, value)

    def line_of(self, section: str, record_id: str) -> int:
        """Line in the data file where a record starts (for edit links and reports)."""
        records = self.data[section]
        for index, record in enumerate(records):
            if record["id"] == record_id:
                return records.value_pos[index][0] if hasattr(records, "value_pos") else 1
        raise KeyError(record_id)

    def insatser_using_agreement(self, agreement_id: str) -> list[dict]:
        return [i for i in self.insatser.values() if agreement_id in i.get("overenskommelser", [])]

    def insatser_of_organisation(self, organisation_id: str) -> dict[str, list[dict]]:
        runs = [i for i in self.insatser.values() if organisation_id in i.get("drivs_av", [])]
        funds = [i for i in self.insatser.values() if organisation_id in i.get("finansieras_av", [])]
        return {"drivs": runs, "finansieras": funds}

    def agreements_of_organisation(self, organisation_id: str) -> list[dict]:
        return [a for a in self.overenskommelser.values()
                if organisation_id in a["parter"] or a["ansvarig"] == organisation_id]

    def units_of(self, organisation_id: str) -> list[dict]:
        return [o for o in self.organisationer.values() if o.get("del_av") == organisation_id]

    def referred_from(self, insats_id: str) -> list[dict]:
        """Coordinated measures that name this one under prova_forst."""
        return [i for i in self.insatser.values() if insats_id in i.get("prova_forst", [])]

    def insatser_for_need(self, need_id: str) -> list[dict]:
        return [i for i in self.insatser.values() if need_id in i["malgrupp"].get("behov", [])]

    def unmet_for_need(self, need_id: str) -> list[dict]:
        return [u for u in self.ej_tackta_behov.values() if need_id in u["behov"]]

    def grouped_by_kind(self) -> list[tuple[str, list[dict]]]:
        groups = []
        for kind in KIND_ORDER:
            members = sorted((i for i in self.insatser.values() if i["typ"] == kind), key=lambda i: i["namn"].lower())
            if members:
                groups.append((kind, members))
        return groups

    def grouped_by_kommun(self) -> list[tuple[dict, list[dict]]]:
        groups = []
        for kommun in sorted(self.kommuner.values(), key=lambda k: k["namn"]):
            members = [i for i in self.insatser.values() if kommun["id"] in i["malgrupp"].get("kommuner", [])]
            groups.append((kommun, sorted(members, key=lambda i: i["namn"].lower())))
        return groups

    def source_citation(self, reference: dict[str, Any]) -> str:
        """'Utredning EVI, UMA och Rehabteamet, Ludvika kommun …, 2021-09, avsnitt 4.2'."""
        source = self.kallor[reference["kalla"]]
        return f"{source['titel']}, {source['utgivare']}, {source['datum']}, avsnitt {reference['avsnitt']}"
