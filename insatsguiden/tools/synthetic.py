"""Synthetic catalogues of realistic size, for benchmarks and scale tests.

A fully filled-in insats is about 4–5 KB of YAML, like the real ones. The
output is deterministic for a given size and seed.
"""
from __future__ import annotations

import random

import yaml

WORDS = ("stöd samordning arbete studier vård kommun region handläggare deltagare insats remiss kartläggning "
         "planering uppföljning praktik sysselsättning ekonomi bostad hälsa psykisk ohälsa beroende möte team "
         "individ behov mål aktivitet försörjning rehabilitering samverkan kontakt vecka månad steg plan").split()
KOMMUNER = ["ludvika", "smedjebacken", "vasteras", "borlange", "falun", "avesta", "hedemora", "sala"]
BEHOV = ["forsorjning", "bostad", "missbruk", "psykisk-ohalsa", "somatisk-ohalsa", "funktionsnedsattning",
         "arbetsformagebedomning", "sysselsattning", "arbetstraning", "arbete", "studier", "svenska-nyanland",
         "juridiskt-stod", "samordning", "unga-vuxna"]
KINDS = ["ordinarie", "ordinarie", "ordinarie", "samordnad", "projekt", "foreslagen", "avslutad"]


def _sentence(rng: random.Random, low: int = 8, high: int = 16) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _text(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


# Screening questions and the kind of condition coordinated measures put on them.
SCREENING = [("behover-samordning", "krav"), ("narmare-arbete", "krav"), ("aktivt-missbruk", "uteslutning"),
             ("psykos", "uteslutning"), ("lss-beslut", "uteslutning"), ("vald-hot", "uteslutning")]


def indicators(n: int, count: int, seed: int = 1) -> list[dict]:
    """Follow-up figures that pass validation: a count and a share per half-year, and a distribution.

    They draw from their own random stream, so adding them left the rest of the catalogue as it was."""
    rng = random.Random(f"{seed}-indikatorer-{n}")
    years = range(2026 - rng.randint(2, 6), 2026)
    halves = [{"period": {"fran": f"{year}-01", "till": f"{year}-06"}} for year in years]
    cite = {"kalla": "kalla", "avsnitt": "3"}
    made = [
        {"id": "nya-deltagare", "namn": f"Nya deltagare januari–juni, insats {n}", "enhet": "antal", "typ": "tidsserie",
         "varden": [{**half, "varde": rng.randint(0, 400)} for half in halves], "kalla": cite},
        {"id": "avslut-andel", "namn": "Slutade inom tre månader", "enhet": "procent", "typ": "tidsserie",
         "varden": [{**half, "varde": rng.randint(0, 100)} for half in halves], "kalla": cite,
         "anmarkning": _sentence(rng)},
    ]
    categories = rng.sample(WORDS, rng.randint(2, 7))
    if n % 2:
        cuts = sorted(rng.sample(range(1, 100), len(categories) - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
        made.append({"id": "remittenter", "namn": "Anmälningar per remittent, andel", "enhet": "procent",
                     "typ": "fordelning", "period": {"fran": "2025-01", "till": "2025-06"},
                     "varden": [{"kategori": f"k{c}", "namn": f"{word.capitalize()} {c}", "varde": share}
                                for c, (word, share) in enumerate(zip(categories, shares))], "kalla": cite})
    else:
        values = [rng.randint(0, 90) for _ in categories]
        made.append({"id": "remittenter", "namn": "Anmälningar per remittent", "enhet": "antal", "typ": "fordelning",
                     "period": {"fran": "2025-01", "till": "2025-06"}, "totalt": sum(values),
                     "varden": [{"kategori": f"k{c}", "namn": f"{word.capitalize()} {c}", "varde": value}
                                for c, (word, value) in enumerate(zip(categories, values))], "kalla": cite})
    return made[:count] if count < 3 else made


def catalogue(size: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    kallor = [{"id": "kalla", "titel": "Syntetisk källa", "utgivare": "Benchmark", "datum": "2021"}]
    cite = [{"kalla": "kalla", "avsnitt": "1"}]
    kommuner = [{"id": k, "namn": k.capitalize(), "lan": "Testlän", "samordningsforbund": "forbund"} for k in KOMMUNER]
    behov = [{"id": b, "namn": b.replace("-", " ").capitalize(), "beskrivning": _sentence(rng)} for b in BEHOV]
    organisationer = [{"id": "forbund", "namn": "Samordningsförbundet", "typ": "samordningsforbund", "kallor": cite}]
    organisationer += [{"id": f"org-{n}", "namn": f"Organisation {n}", "typ": "kommun", "kommun": KOMMUNER[n % len(KOMMUNER)],
                        "kallor": cite} for n in range(40)]
    overenskommelser = [{"id": "avtal", "titel": "Överenskommelse", "parter": ["org-0", "org-1"], "undertecknad": "2018-04",
                         "senast_reviderad": "2018-04", "revision": {"regel": "arligt_fonster", "fonster_fran_manad": 1,
                                                                     "fonster_till_manad": 3},
                         "ansvarig": "org-0", "status": "foljs_inte", "kallor": cite}]
    insatser = []
    ordinary: list[str] = []
    for n in range(size):
        kind = KINDS[n % len(KINDS)] if n >= 3 else "ordinarie"
        identity = f"insats-{n:05d}"
        intake = {"avslutad": "avslutad", "foreslagen": "stangd"}.get(kind, rng.choice(["oppen", "oppen", "vantelista", "stangd"]))
        record = {
            "id": identity,
            "namn": f"Insats {n} {rng.choice(WORDS)}",
            "kortnamn": f"I{n}",
            "typ": kind,
            "syfte": _text(rng, 2),
            "beskrivning": _text(rng, 5),
            "malgrupp": {
                "beskrivning": _text(rng, 2),
                "alder": {"min": 18, "max": rng.choice([29, 64, 65])},
                "kommuner": sorted(rng.sample(KOMMUNER, 2)),
                "forsorjning": ["forsorjningsstod", "sjukpenning"],
                "behov": sorted(rng.sample(BEHOV, 3)),
                "kraver_aktivitetsformaga": kind != "ordinarie",
            },
            "kriterier": [_sentence(rng) for _ in range(3)],
            "uteslutningsgrunder": [_sentence(rng) for _ in range(2)],
            "passar_inte_for": [_sentence(rng) for _ in range(2)],
            "forvantningar": [_sentence(rng) for _ in range(2)],
            "arbetsgang": [{"steg": f"Steg {s}", "beskrivning": _sentence(rng)} for s in range(1, 5)],
            "remiss": {"steg": [_sentence(rng) for _ in range(2)], "remittenter": ["forsakringskassan", "socialtjansten"],
                       "egen_ansokan": bool(n % 2), "kontakta_innan": kind == "samordnad"},
            "kontakter": [{"roll": "Samordnare", "telefon": f"0240-{n % 90 + 10} {n % 900 + 100:03d}",
                           "epost": f"insats{n}@kommun.se", "telefontid": "Mån–fre 9–11", "verifierad": "2026-01-15"}],
            "intag": {"status": intake, "sedan": "2021-01", "bekraftad": "2026-01-15"},
            "drivs_av": [f"org-{n % 40}"],
            "finansieras_av": ["forbund"],
            "period": {"start": "2015", **({"slut": "2020-10-31"} if kind == "avslutad" else {})},
            "mal": [_sentence(rng) for _ in range(2)],
            "uppfoljning": _text(rng, 2),
            "senast_granskad": {"datum": "2026-01-15", "av": "Samordnare"},
            "kallor": cite,
        }
        record["primart_for"] = record["malgrupp"]["behov"][:1]
        if kind == "samordnad" and ordinary:
            record["overenskommelser"] = ["avtal"]
            record["prova_forst"] = rng.sample(ordinary, min(3, len(ordinary)))
        if kind in ("samordnad", "projekt"):
            record["villkor"] = [
                {"fraga": question, "typ": rule_kind, "regel": "lika", "varde": "ja", "om_okant": "stam_av",
                 "varfor_inte": _sentence(rng, 6, 10), "kalla": {"kalla": "kalla", "avsnitt": "2"},
                 **({"hanvisa_till": rng.sample(ordinary, min(2, len(ordinary)))} if ordinary else {})}
                for question, rule_kind in rng.sample(SCREENING, 4)]
        if kind == "ordinarie":
            ordinary.append(identity)
        if kind in ("samordnad", "projekt") or n % 5 == 0:
            record["indikatorer"] = indicators(n, 3 if kind in ("samordnad", "projekt") else 1, seed)
        insatser.append(record)
    ej_tackta = [{"id": "lucka-bostad", "namn": "Saknas", "beskrivning": _sentence(rng), "behov": ["bostad"],
                  "kommuner": ["ludvika"], "kallor": cite}]
    guide = {"inledning": "Svara på frågorna.", "fragor": [
        {"id": kind, "fraga": f"Fråga om {kind}?", "matchar": kind}
        for kind in ("kommun", "alder", "forsorjning", "behov", "forsta_behov", "aktivitet", "kontakter", "remittent")]}
    guide["fragor"][4]["id"] = "forsta-behov"
    guide["fragor"] += [{"id": question, "fraga": f"Gäller {question}?", "kort": question.capitalize(), "matchar": "janej",
                         "svar": [{"varde": v, "text": v.capitalize()} for v in ("ja", "nej", "vet-inte")]}
                        for question, _ in SCREENING]
    sokord = [{"ord": "FK", "sok_aven": ["Försäkringskassan"]}, {"ord": "AF", "sok_aven": ["Arbetsförmedlingen"]}]
    return {"version": 1, "vagvisare": guide, "sokord": sokord, "kallor": kallor, "kommuner": kommuner, "behov": behov, "organisationer": organisationer,
            "overenskommelser": overenskommelser, "insatser": insatser, "ej_tackta_behov": ej_tackta}


class _NoAliasDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    # Shared lists would be written as anchors and aliases, which the loader rejects.
    def ignore_aliases(self, data) -> bool:
        return True


def catalogue_yaml(size: int, seed: int = 1) -> str:
    return yaml.dump(catalogue(size, seed), Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)
