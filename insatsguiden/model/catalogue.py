"""The validated catalogue: records by id, labels, and the relations between them.

Records stay the plain mappings the schema describes (the schema is the one
definition of their fields); this class adds indexes and the derived views
that pages, the guide and the reports share.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import schema
from .loader import locate
from .vocabulary import SECTIONS

# Values the code treats specially. A test checks they exist in the schema.
ORDINARY_KIND = "ordinarie"
REFERABLE_KINDS = ("ordinarie", "samordnad", "projekt")
OPEN_INTAKE = ("oppen", "vantelista")
KIND_ORDER = ("ordinarie", "samordnad", "projekt", "foreslagen", "avslutad")
PENDING_DECISION = "vantar"
TAKEN_DECISION = "fattat"


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
    beslut: dict[str, dict] = field(default_factory=dict)
    # Reverse indexes, built once: pages ask them for every record, so a
    # scan per page would make a large catalogue's build quadratic.
    _by: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    _lines: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: dict, filename: str) -> "Catalogue":
        catalogue = cls(data=data, filename=filename)
        for section in SECTIONS:
            # Optional sections (beslut) may be missing from a file.
            setattr(catalogue, section, {record["id"]: record for record in data.get(section, [])})
        by: dict[str, dict[str, list[dict]]] = {
            name: {} for name in ("prova_forst", "behov", "kommuner", "drivs_av", "finansieras_av", "overenskommelser")}
        for insats in catalogue.insatser.values():
            for name in ("prova_forst", "drivs_av", "finansieras_av", "overenskommelser"):
                for target in insats.get(name, []):
                    by[name].setdefault(target, []).append(insats)
            for name in ("behov", "kommuner"):
                for target in insats["malgrupp"].get(name, []):
                    by[name].setdefault(target, []).append(insats)
        # Decisions per insats, agreement and unmet need, in file order.
        for name in ("beslut_insatser", "beslut_overenskommelser", "beslut_ej_tackta_behov"):
            by[name] = {}
        for decision in catalogue.beslut.values():
            for name in ("insatser", "overenskommelser", "ej_tackta_behov"):
                for target in decision.get(name, []):
                    by[f"beslut_{name}"].setdefault(target, []).append(decision)
        catalogue._by = by
        catalogue._lines = {
            section: {record["id"]: position[0]
                      for record, position in zip(data.get(section, []), getattr(data.get(section), "value_pos", []))}
            for section in SECTIONS}
        return catalogue

    @property
    def settings(self) -> dict:
        return self.data.get("installningar", {})

    # Labels come from the schema, the one place where allowed values are defined.
    @staticmethod
    def label(vocabulary: str, value: str) -> str:
        return schema.labels(vocabulary).get(value, value)

    def position(self, path: tuple) -> tuple[int, int]:
        """(line, col) in the data file of the value at `path`, or of its nearest parent."""
        return locate(self.data, path)

    def line_of(self, section: str, record_id: str) -> int:
        """Line in the data file where a record starts (for edit links and reports)."""
        return self._lines[section].get(record_id, 1)

    def insatser_using_agreement(self, agreement_id: str) -> list[dict]:
        return self._by["overenskommelser"].get(agreement_id, [])

    def decisions_for_insats(self, insats_id: str) -> list[dict]:
        """Decisions (beslut) that concern an insats, in file order."""
        return self._by["beslut_insatser"].get(insats_id, [])

    def decisions_for_agreement(self, agreement_id: str) -> list[dict]:
        """Decisions (beslut) that concern an agreement, in file order."""
        return self._by["beslut_overenskommelser"].get(agreement_id, [])

    def decisions_for_unmet_need(self, unmet_id: str) -> list[dict]:
        """Decisions (beslut) that concern a need no measure covers, in file order."""
        return self._by["beslut_ej_tackta_behov"].get(unmet_id, [])

    def pending_decisions(self) -> list[dict]:
        """Decisions still waiting (status vantar), in file order."""
        return [d for d in self.beslut.values() if d["status"] == PENDING_DECISION]

    @property
    def site(self) -> dict:
        """The webbplats section (publisher, accessibility statement), or {} when the file has none."""
        return self.data.get("webbplats", {})

    def insatser_of_organisation(self, organisation_id: str) -> dict[str, list[dict]]:
        return {"drivs": self._by["drivs_av"].get(organisation_id, []),
                "finansieras": self._by["finansieras_av"].get(organisation_id, [])}

    def agreements_of_organisation(self, organisation_id: str) -> list[dict]:
        return [a for a in self.overenskommelser.values()
                if organisation_id in a["parter"] or a["ansvarig"] == organisation_id]

    def units_of(self, organisation_id: str) -> list[dict]:
        return [o for o in self.organisationer.values() if o.get("del_av") == organisation_id]

    def referred_from(self, insats_id: str) -> list[dict]:
        """Coordinated measures that name this one under prova_forst."""
        return self._by["prova_forst"].get(insats_id, [])

    def insatser_for_need(self, need_id: str) -> list[dict]:
        return self._by["behov"].get(need_id, [])

    def unmet_for_need(self, need_id: str) -> list[dict]:
        return [u for u in self.ej_tackta_behov.values() if need_id in u["behov"]]

    def unmet_for(self, need_id: str, kommun_id: str) -> list[dict]:
        return [u for u in self.unmet_for_need(need_id) if kommun_id in u["kommuner"]]

    def open_for(self, need_id: str, kommun_id: str) -> list[dict]:
        """Referable measures with open intake for a need in a kommun (no kommun limit counts everywhere)."""
        return [i for i in self._by["behov"].get(need_id, [])
                if i["typ"] in REFERABLE_KINDS and i["intag"]["status"] in OPEN_INTAKE
                and (not i["malgrupp"].get("kommuner") or kommun_id in i["malgrupp"]["kommuner"])]

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
            members = self._by["kommuner"].get(kommun["id"], [])
            groups.append((kommun, sorted(members, key=lambda i: i["namn"].lower())))
        return groups

    def source_citation(self, reference: dict[str, Any]) -> str:
        """'Utredning EVI, UMA och Rehabteamet, Ludvika kommun …, 2021-09, avsnitt 4.2'."""
        source = self.kallor[reference["kalla"]]
        return f"{source['titel']}, {source['utgivare']}, {source['datum']}, avsnitt {reference['avsnitt']}"
